"""The benchmark's machinery, end to end at a tiny size on SQLite: it generates and imports a
council, serves the real app on loopback, and reports ratios to the floor and statement counts.

No timing is asserted (a busy test machine must not fail the suite): only that every figure the
report needs is there and sane.
"""

from __future__ import annotations

from pathlib import Path

from bench.measure import COMMAND_PROBES, FLOOR, PROBES
from bench.run import parse_options, run_size, verdicts, write_results


def test_the_bench_runs_end_to_end_at_a_tiny_size_and_reports_ratios_and_statements(
    tmp_path: Path,
) -> None:
    options = parse_options(["--quick", "--sizes", "tiny", "--stores", "sqlite", "--calls", "5",
                             "--load-seconds", "1", "--askers", "2", "--results",
                             str(tmp_path / "results.md"), "--plot", str(tmp_path / "l.png")])

    runs = run_size(options, "tiny")

    assert len(runs) == 1
    run = runs[0]
    probes = run["latency"]["probes"]
    assert set(probes) == {probe.label for probe in PROBES}
    assert probes[FLOOR]["median_ratio"] == 1.0
    for probe in COMMAND_PROBES:
        figures = probes[probe.label]
        assert figures["calls"] == 5
        assert figures["median_ratio"] > 0 and figures["p95_ratio"] > 0
        assert figures["statements"] >= 1  # every answer reads the store (and audits)
        assert not run["first_answers"][probe.label].startswith("error")
    assert run["latency"]["errors"] == {}
    assert run["load"]["errors"] == 0 and run["load"]["answered"] > 0
    assert run["digest"]["ratio"] > 0
    assert {item["file"] for item in run["imports"]} >= {"staff", "cases"}
    assert run["serving_peak_rss_mb"] > 0
    report = write_results(options, runs, ["--quick"], 1.0)
    assert "SQL statements per command" in report and "median × floor" in report
    assert len(verdicts(runs)) == 7
