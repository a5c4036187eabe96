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


def test_the_import_memory_run_measures_each_import_in_a_process_of_its_own(
    tmp_path: Path,
) -> None:
    """bench/import_memory.py end to end at 100 rows: valid and junk files through the real
    command line, each child's own peak RSS, and its results.md section spliced in."""
    from bench.import_memory import SECTION, measure, section, splice

    results = measure([100], "sqlite", files=tmp_path / "files", label="import_memory_smoke")

    assert [result["rows"] for result in results] == [10, 100]
    for result in results:
        assert result["valid"]["returncode"] == 0 and result["junk_refused"]
        assert result["valid"]["peak_rss_kb"] > 10_000 and result["junk"]["peak_rss_kb"] > 10_000
        assert result["report_rows"] == 4 * result["rows"]
    assert results[1]["junk_stdout_lines"] == 102  # a headline, 100 problems, the total
    results_md = tmp_path / "results.md"
    results_md.write_text("# Benchmark results\n\n## What each command answered\n")
    splice(results_md, section(results))
    splice(results_md, section(results))  # replaced, not added twice
    text = results_md.read_text()
    assert text.count(SECTION) == 1 and text.index(SECTION) < text.index("## What each")
    assert "|\n\n## What each" in text
