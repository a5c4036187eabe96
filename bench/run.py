"""`make bench`: SPEC section 8's measurements, as ratios in one run, at county, city and national.

    python -m bench.run [--quick] [--sizes county,city,national] [--stores sqlite,postgresql]
                        [--import-rows 10000,100000,1000000]

For each size: the import files are written once (bench/data/files/<size>, git-ignored); for each
store an empty database is made (SQLite file under bench/data/, PostgreSQL `caseload_bench_<size>`
on 127.0.0.1:5432 as postgres), loaded through the real importers in a process of its own, then
measured by a second process that serves the real app on loopback (see bench/measure.py). The
databases are dropped afterwards. The figures are printed and written to bench/results.md, with
bench/latency.png (latency ratio against data size); bench/notes.md, hand-written analysis of the
figures, is copied in after them. Then bench/import_memory.py measures an import's peak RSS for
files of 10,000 to 1,000,000 rows (--quick: to 100,000), on SQLite, to show it flat.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.generate import SIZES, write_size
from bench.import_memory import QUICK_ROW_COUNTS, ROW_COUNTS
from bench.import_memory import measure as measure_import_memory
from bench.import_memory import section as import_memory_section
from bench.measure import COMMAND_PROBES, FLOOR, PROBES
from bench.serving import CA_DIRECTORY_ENV
from bench.stores import BENCH_DATA, STORES, drop_store
from tests.fakes.tls import ThrowAwayCA

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
NOTES = BENCH_DIR / "notes.md"

# Targets of issue 6.
MEDIAN_RATIO_MAX = 3.0
P95_RATIO_MAX = 5.0
STATEMENTS_MAX = 5
DIGEST_RATIO_MAX = 10.0
IMPORT_ROWS_PER_S_MIN = 20_000


@dataclass(frozen=True)
class Options:
    sizes: tuple[str, ...]
    stores: tuple[str, ...]
    calls: int
    load_seconds: float
    askers: int
    digest_repeat: int
    results: Path | None
    plot: Path | None
    keep: bool
    quick: bool
    report_only: bool = False
    import_rows: tuple[int, ...] = ()
    scale_out: bool = True


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer calls (50 a command), a 10 s load run, county and city")
    parser.add_argument("--sizes", help=f"comma-separated, of {', '.join(SIZES)} "
                                        "(default county,city,national; --quick county,city)")
    parser.add_argument("--stores", default=",".join(STORES), help="sqlite,postgresql")
    parser.add_argument("--calls", type=int, help="calls of each command (default 200; quick 50)")
    parser.add_argument("--load-seconds", type=float, help="load run length (default 60; quick 10)")
    parser.add_argument("--askers", type=int, default=20, help="concurrent askers in the load run")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results.md",
                        help="where to write the results (markdown)")
    parser.add_argument("--plot", type=Path, default=BENCH_DIR / "latency.png")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    parser.add_argument("--import-rows",
                        help="row counts of the import memory run, comma-separated, or 0 to "
                             "skip (default 10000,100000,1000000; quick 10000,100000)")
    parser.add_argument("--no-scale-out", action="store_true",
                        help="skip the load run against two serving processes (PostgreSQL)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite results.md and the plot from bench/data/last_run.json "
                             "(after editing bench/notes.md), measuring nothing")
    args = parser.parse_args(argv)
    sizes = tuple((args.sizes or ("county,city" if args.quick else "county,city,national"))
                  .split(","))
    stores = tuple(args.stores.split(","))
    for size in sizes:
        if size not in SIZES:
            parser.error(f"unknown size {size}: use {', '.join(SIZES)}")
    for store in stores:
        if store not in STORES:
            parser.error(f"unknown store {store}: use {', '.join(STORES)}")
    return Options(
        sizes=sizes, stores=stores,
        calls=args.calls or (50 if args.quick else 200),
        load_seconds=args.load_seconds if args.load_seconds is not None
        else (10.0 if args.quick else 60.0),
        askers=args.askers, digest_repeat=3 if args.quick else 5,
        results=None if args.no_write else args.results,
        plot=None if args.no_write else args.plot, keep=args.keep, quick=args.quick,
        report_only=args.report_only, scale_out=not args.no_scale_out,
        import_rows=tuple(int(part) for part in args.import_rows.split(",") if int(part))
        if args.import_rows is not None else (QUICK_ROW_COUNTS if args.quick else ROW_COUNTS),
    )


def run_phase(phase: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """One phase in a child process (its own peak memory); its JSON result."""
    with tempfile.TemporaryDirectory(prefix="caseload-bench-") as scratch:
        out = Path(scratch) / "result.json"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
        subprocess.run([sys.executable, "-m", "bench.worker", phase, json.dumps(arguments),
                        str(out)], check=True, cwd=ROOT, env=env)
        return json.loads(out.read_text())


def run_size(options: Options, size_name: str) -> list[dict[str, Any]]:
    size = SIZES[size_name]
    files = BENCH_DATA / "files" / size_name
    started = time.perf_counter()
    counts = write_size(files, size)
    print(f"\n== {size_name}: {size.described}\n   generated {counts['teams']} teams, "
          f"{counts['practitioners']} practitioners ({counts['practitioner_fte']} FTE), "
          f"{counts['open_cases']} open cases ({counts['cases']} case rows) in "
          f"{time.perf_counter() - started:.1f}s", flush=True)
    runs = []
    for store in options.stores:
        if store == "sqlite" and not size.sqlite:
            print(f"   {store}: not measured at {size_name} size (PostgreSQL only)")
            continue
        try:
            print(f"-- {size_name} on {store}: loading through the importers…", flush=True)
            loaded = run_phase("load", {"size": size_name, "store": store,
                                        "data_dir": str(files)})
            print_imports(loaded)
            print(f"-- {size_name} on {store}: serving and measuring ({options.calls} calls "
                  f"each, load run {options.load_seconds:.0f}s × {options.askers} askers)…",
                  flush=True)
            measured = run_phase("measure", {
                "url": loaded["url"], "calls": options.calls,
                "load_seconds": options.load_seconds, "askers": options.askers,
                "digest_repeat": options.digest_repeat})
            if options.scale_out and store == "postgresql" and options.load_seconds > 0:
                print(f"-- {size_name} on {store}: load run against one serving process, then "
                      "two (bot.py serve, and serve --no-scheduler)…", flush=True)
                measured["scale_out"] = run_phase("scale", {
                    "url": loaded["url"], "load_seconds": options.load_seconds,
                    "askers": options.askers})
        finally:
            if not options.keep:
                drop_store(store, size_name)
        run = {"size": size_name, "store": store, "counts": counts, **loaded, **measured}
        print_run(run)
        runs.append(run)
    return runs


# --- printing -----------------------------------------------------------------------------------


def import_rate(run: dict[str, Any], kind: str) -> tuple[int, float]:
    rows = [item for item in run["imports"] if item["file"] == kind]
    return (rows[0]["rows"], rows[0]["rows_per_second"]) if rows else (0, 0.0)


def print_imports(loaded: dict[str, Any]) -> None:
    for item in loaded["imports"]:
        print(f"   import {item['file']:<24} {item['rows']:>8} rows {item['seconds']:>7.2f}s "
              f"{item['rows_per_second']:>10,.0f} rows/s")


def print_run(run: dict[str, Any]) -> None:
    probes = run["latency"]["probes"]
    print(f"   {'':<38} {'median':>9} {'p95':>9} {'×floor':>7} {'p95×':>7} {'SQL':>5}")
    for probe in PROBES:
        figures = probes[probe.label]
        statements = figures["statements"]
        print(f"   {probe.label:<38} {figures['median_ms']:>7.2f}ms {figures['p95_ms']:>7.2f}ms "
              f"{figures['median_ratio']:>6.1f}× {figures['p95_ratio']:>6.1f}× "
              f"{'' if statements is None else int(statements):>5}")
    digest = run["digest"]
    print(f"   staffing digest: whole dataset {digest['whole_s'] * 1000:.0f}ms, one service "
          f"{digest['one_service_s'] * 1000:.0f}ms → ratio {digest['ratio']:.1f}× "
          f"({digest['services']} services)")
    transport = run.get("transport")
    if transport:
        shaken = transport["handshakes_per_reply"]
        print(f"   TLS: a context costs {transport['tls_context_cpu_ms']:.1f} ms CPU; handshakes "
              f"per reply: per-reply client {shaken['per-reply client']:.2f}, shared transport "
              f"{shaken['shared transport']:.2f}")
    print(f"   serving process peak RSS {run['serving_peak_rss_mb']:.0f} MB")
    load = run.get("load")
    if load:
        print(f"   load: {load['askers']} askers × {load['seconds']:.0f}s: {load['answered']} "
              f"answers, {load['throughput_per_s']:.1f}/s, p50 {load['p50_ms']:.0f}ms, "
              f"p99 {load['p99_ms']:.0f}ms, errors {load['errors']}")
    scale = run.get("scale_out")
    if scale:
        one, two = scale["processes_1"], scale["processes_2"]
        print(f"   scale-out: one process {one['throughput_per_s']:.1f}/s ({one['errors']} "
              f"errors), two {two['throughput_per_s']:.1f}/s ({two['errors']} errors) → "
              f"{scale['ratio']:.2f}× on {scale['cpus']} CPUs (load average "
              f"{scale['load_average']:.1f})")
    if run["latency"]["errors"]:
        print(f"   errors while timing: {run['latency']['errors']}")


# --- the verdicts -------------------------------------------------------------------------------


def verdicts(runs: list[dict[str, Any]]) -> list[tuple[str, bool, str]]:
    """(target, met, the figures that decide it) for issue 6's targets."""
    if not runs:
        return []
    order = list(SIZES)
    largest = max((run["size"] for run in runs), key=order.index)
    headline = [run for run in runs if run["size"] == largest and run["store"] == "postgresql"] \
        or [run for run in runs if run["size"] == largest]
    top = headline[0]
    where = f"{top['size']}, {top['store']}"
    found = []
    worst_median = max(COMMAND_PROBES, key=lambda p: top["latency"]["probes"][p.label]
                       ["median_ratio"])
    median = top["latency"]["probes"][worst_median.label]["median_ratio"]
    found.append((f"every command's median ≤ {MEDIAN_RATIO_MAX:g}× floor ({where})",
                  median <= MEDIAN_RATIO_MAX, f"worst {worst_median.label} {median:.1f}×"))
    worst_p95 = max(COMMAND_PROBES, key=lambda p: top["latency"]["probes"][p.label]["p95_ratio"])
    p95 = top["latency"]["probes"][worst_p95.label]["p95_ratio"]
    found.append((f"every command's p95 ≤ {P95_RATIO_MAX:g}× floor p95 ({where})",
                  p95 <= P95_RATIO_MAX, f"worst {worst_p95.label} {p95:.1f}×"))
    per_command = {probe.label: {int(run["latency"]["probes"][probe.label]["statements"])
                                 for run in runs} for probe in COMMAND_PROBES}
    most = max(max(counts) for counts in per_command.values())
    found.append((f"statements per command ≤ {STATEMENTS_MAX}", most <= STATEMENTS_MAX,
                  ", ".join(f"{label} {'/'.join(map(str, sorted(c)))}"
                            for label, c in per_command.items())))
    constant = all(len(counts) == 1 for counts in per_command.values())
    found.append(("statements per command constant across sizes and stores", constant,
                  "same count at every size" if constant else "counts differ"))
    digest = top["digest"]["ratio"]
    found.append((f"whole-dataset staffing digest < {DIGEST_RATIO_MAX:g}× one service ({where})",
                  digest < DIGEST_RATIO_MAX, f"{digest:.1f}×"))
    # a few hundred rows are mostly fixed cost: throughput is judged where the files are large
    slowest = min(((import_rate(run, kind)[1], kind, run["size"], run["store"])
                   for run in runs if run["size"] == largest for kind in ("staff", "cases")))
    found.append((f"import ≥ {IMPORT_ROWS_PER_S_MIN:,} rows/s (staff and cases, {largest})",
                  slowest[0] >= IMPORT_ROWS_PER_S_MIN,
                  f"slowest {slowest[1]} at {slowest[2]}/{slowest[3]}: {slowest[0]:,.0f} rows/s"))
    errors = sum((run.get("load") or {}).get("errors", 0) for run in runs)
    found.append(("zero errors under the load run", errors == 0, f"{errors} errors"))
    scaled = [run for run in runs if run.get("scale_out")]
    if scaled:
        last = scaled[-1]["scale_out"]
        scale_errors = sum(run["scale_out"][f"processes_{n}"]["errors"]
                           for run in scaled for n in (1, 2))
        found.append((f"two serving processes ≥ 1.6× one ({scaled[-1]['size']}, postgresql), "
                      "zero errors", last["ratio"] >= 1.6 and scale_errors == 0,
                      f"{last['ratio']:.2f}× on {last['cpus']} CPUs, {scale_errors} errors"))
    return found


# --- results.md and the plot --------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpus": str(os.cpu_count()), "memory": memory, "cpu": cpu,
            "python": platform.python_version(), "os": platform.platform()}


def write_results(options: Options, runs: list[dict[str, Any]], argv: Sequence[str],
                  elapsed_s: float, import_memory: list[dict[str, Any]] | None = None) -> str:
    box = machine()
    servers = sorted({run["server"] for run in runs})
    lines = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by "
        f"`python -m bench.run {' '.join(argv)}` in {elapsed_s / 60:.1f} minutes.",
        "",
        f"Machine: {box['cpus']} CPUs ({box['cpu']}), {box['memory']} memory, "
        f"Python {box['python']}, {box['os']}. Stores: " + "; ".join(servers) + ".",
        "",
        "Ratios are to the framework floor measured in the same run on the same server: a "
        "signed slash command with no listener registered (Bolt verifies it and answers 404). "
        "A command's time runs from the request sent to the answer received at the fake Slack "
        "server's response_url; the floor's and the do-nothing command's, to the HTTP response. "
        f"{options.calls} calls of each, interleaved round by round.",
        "",
        "## Targets",
        "",
        "| target | met | figures |",
        "|---|---|---|",
    ]
    lines += [f"| {target} | {'yes' if met else '**no**'} | {figures} |"
              for target, met, figures in verdicts(runs)]
    lines += ["", "## Sizes", "",
              "| size | teams | services | practitioners (FTE) | open cases | case rows | "
              "supervision rows |", "|---|---|---|---|---|---|---|"]
    seen = set()
    for run in runs:
        if run["size"] in seen:
            continue
        seen.add(run["size"])
        c = run["counts"]
        lines.append(f"| {run['size']} | {c['teams']:,} | {run['digest']['services']:,} | "
                     f"{c['practitioners']:,} ({c['practitioner_fte']:,}) | "
                     f"{c['open_cases']:,} | {c['cases']:,} | {c['supervisions']:,} |")
    lines += ["", "## Answer time against the floor", "",
              "| size | store | command | median ms | p95 ms | median × floor | p95 × floor p95 |",
              "|---|---|---|---|---|---|---|"]
    for run in runs:
        for probe in PROBES:
            f = run["latency"]["probes"][probe.label]
            lines.append(f"| {run['size']} | {run['store']} | {probe.label} | "
                         f"{f['median_ms']:.2f} | {f['p95_ms']:.2f} | {f['median_ratio']:.1f} | "
                         f"{f['p95_ratio']:.1f} |")
    columns = [f"{run['size']} {run['store']}" for run in runs]
    lines += ["", "## HTTPS replies (issue #11: per-reply client before, shared transport after)",
              "",
              "The fake Slack runs in its own process and serves HTTPS with a certificate from a "
              "CA made at the start of the run (trusted through `SSL_CERT_FILE`), and plain HTTP "
              "for the secondary rows. *Before* is the reply code as it was: a new slack_sdk "
              "`WebhookClient` per reply, so urllib builds a TLS context and opens a connection "
              "(`Connection: close`) every time; *after* is `handlers/transport.py`: one context "
              "and kept-alive connections. Both run in the same rounds as the table above.", "",
              "| size | store | TLS context CPU ms | handshakes/reply before | "
              "handshakes/reply after | reply before ms (× floor) | reply after ms (× floor) | "
              "plain HTTP before ms | plain HTTP after ms |",
              "|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        t = run.get("transport")
        if not t:
            continue
        f = run["latency"]["probes"]
        before = f["do-nothing answer, per-reply client (before)"]
        after = f["do-nothing answer (ack + lazy reply)"]
        lines.append(
            f"| {run['size']} | {run['store']} | {t['tls_context_cpu_ms']:.1f} | "
            f"{t['handshakes_per_reply']['per-reply client']:.2f} | "
            f"{t['handshakes_per_reply']['shared transport']:.2f} | "
            f"{before['median_ms']:.2f} ({before['median_ratio']:.1f}×) | "
            f"{after['median_ms']:.2f} ({after['median_ratio']:.1f}×) | "
            f"{f['do-nothing answer, per-reply client, plain HTTP (before)']['median_ms']:.2f} | "
            f"{f['do-nothing answer, plain HTTP']['median_ms']:.2f} |")
    lines += ["", "## SQL statements per command", "",
              "Counted with a `before_cursor_execute` hook on the engine, per call (median; "
              "min–max where they differ).", "",
              "| command | " + " | ".join(columns) + " |",
              "|---|" + "---|" * len(columns)]
    for probe in COMMAND_PROBES:
        cells = []
        for run in runs:
            f = run["latency"]["probes"][probe.label]
            spread = ("" if f["statements_min"] == f["statements_max"]
                      else f" ({f['statements_min']}–{f['statements_max']})")
            cells.append(f"{int(f['statements'])}{spread}")
        lines.append(f"| {probe.label} | " + " | ".join(cells) + " |")
    lines += ["", "## Staffing digest", "",
              "One service: `jobs.digests.build_staffing_digest` for the first service. Whole "
              "dataset: every service's staffing digest at once, as the weekly run builds them "
              "(`jobs.digests.build_staffing_digests`: one pass for every service's and team's "
              "figures, and every NQSW's status). Median "
              f"of {options.digest_repeat}.", "",
              "| size | store | services | one service ms | whole dataset ms | ratio | "
              "statements (one / whole) |", "|---|---|---|---|---|---|---|"]
    for run in runs:
        d = run["digest"]
        lines.append(f"| {run['size']} | {run['store']} | {d['services']} | "
                     f"{d['one_service_s'] * 1000:.1f} | {d['whole_s'] * 1000:.1f} | "
                     f"{d['ratio']:.1f} | {d['one_service_statements']} / "
                     f"{d['whole_statements']} |")
    lines += ["", "## Import throughput (`importers.import_file`, read + validate + write + "
              "commit)", "",
              "| size | store | staff rows | staff rows/s | case rows | cases rows/s | "
              "supervisions rows/s |", "|---|---|---|---|---|---|---|"]
    for run in runs:
        staff, cases, supervisions = (import_rate(run, kind)
                                      for kind in ("staff", "cases", "supervisions"))
        lines.append(f"| {run['size']} | {run['store']} | {staff[0]:,} | {staff[1]:,.0f} | "
                     f"{cases[0]:,} | {cases[1]:,.0f} | {supervisions[1]:,.0f} |")
    lines += ["", "## Load run and memory", "",
              "Concurrent askers, each asking the four commands in turn as the team manager, "
              "for a bounded time; peak RSS (VmHWM) of the serving process, which also hosts the "
              "loopback client and the fake Slack server.", "",
              "| size | store | askers × s | answers | answers/s | p50 ms | p99 ms | errors | "
              "peak RSS MB |", "|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        load = run.get("load") or {}
        if load:
            lines.append(f"| {run['size']} | {run['store']} | {load['askers']} × "
                         f"{load['seconds']:.0f} | {load['answered']:,} | "
                         f"{load['throughput_per_s']:.1f} | {load['p50_ms']:.0f} | "
                         f"{load['p99_ms']:.0f} | {load['errors']} | "
                         f"{run['serving_peak_rss_mb']:.0f} |")
        else:
            lines.append(f"| {run['size']} | {run['store']} | – | – | – | – | – | – | "
                         f"{run['serving_peak_rss_mb']:.0f} |")
    scaled = [run for run in runs if run.get("scale_out")]
    if scaled:
        lines += ["", "## Scale out: one serving process against two (issue #11)", "",
                  "The same askers and commands against the real `bot.py serve` as one process, "
                  "then as two (the second `--no-scheduler`) on one PostgreSQL database, askers "
                  "split round robin; the fake Slack (HTTPS) in its own process. Target: two "
                  "processes ≥ 1.6× one. The load average is the machine's 1-minute figure at "
                  "the end of the phase (other work on the machine included).", "",
                  "| size | askers × s | one process answers/s (p50, p99 ms, errors) | two "
                  "processes answers/s (p50, p99 ms, errors) | ratio | CPUs | load average |",
                  "|---|---|---|---|---|---|---|"]
        for run in scaled:
            s_ = run["scale_out"]
            one, two = s_["processes_1"], s_["processes_2"]
            lines.append(
                f"| {run['size']} | {s_['askers']} × {one['seconds']:.0f} | "
                f"{one['throughput_per_s']:.1f} ({one['p50_ms'] or 0:.0f}, "
                f"{one['p99_ms'] or 0:.0f}, {one['errors']}) | "
                f"{two['throughput_per_s']:.1f} ({two['p50_ms'] or 0:.0f}, "
                f"{two['p99_ms'] or 0:.0f}, {two['errors']}) | {s_['ratio']:.2f}× | "
                f"{s_['cpus']} | {s_['load_average']:.1f} |")
    if import_memory:
        lines += [""] + import_memory_section(import_memory)
    lines += ["", "## What each command answered (first line), and the statements it sent", ""]
    for run in runs[-1:]:
        for label, said in run["first_answers"].items():
            lines.append(f"- `{label}` ({run['size']}, {run['store']}): "
                         f"{said.splitlines()[0] if said else '(empty)'}")
            for statement in run["statements_sent"].get(label, []):
                lines.append(f"    - `{statement[:150]}`")
    if options.plot is not None:
        lines += ["", f"![latency ratio against data size]({options.plot.name})"]
    if NOTES.exists():
        lines += ["", NOTES.read_text().rstrip()]
    return "\n".join(lines) + "\n"


def plot(runs: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(11, 5))
    for store, style in (("sqlite", "--"), ("postgresql", "-")):
        mine = sorted((run for run in runs if run["store"] == store),
                      key=lambda run: run["counts"]["open_cases"])
        if not mine:
            continue
        sizes = [run["counts"]["open_cases"] for run in mine]
        for probe in PROBES[1:]:
            ratios = [run["latency"]["probes"][probe.label]["median_ratio"] for run in mine]
            axes.plot(sizes, ratios, style, marker="o", label=f"{probe.label} ({store})")
    axes.axhline(MEDIAN_RATIO_MAX, color="red", linewidth=0.8, label="target: 3× floor")
    axes.axhline(1.0, color="grey", linewidth=0.8, label="floor (no listener)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("open cases in the store")
    axes.set_ylabel("median answer time ÷ floor")
    axes.set_title("Answer time against the framework floor")
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    options = parse_options(argv)
    started = time.perf_counter()
    runs: list[dict[str, Any]] = []
    import_memory: list[dict[str, Any]] = []
    last_run = BENCH_DATA / "last_run.json"
    if options.report_only:
        saved = json.loads(last_run.read_text())
        runs, argv = saved["runs"], saved["argv"]
        import_memory = saved.get("import_memory", [])
        options = parse_options(argv)
        started -= saved["elapsed_s"]
    else:
        # The run's throw-away CA: the fake Slack serves its certificate, and every process of
        # the run trusts it the standard way (SSL_CERT_FILE is inherited by the phases).
        authority = ThrowAwayCA()
        os.environ["SSL_CERT_FILE"] = str(authority.bundle_with_system_trust())
        os.environ[CA_DIRECTORY_ENV] = str(authority.directory)
        try:
            for size in options.sizes:
                runs += run_size(options, size)
        finally:
            authority.cleanup()
        if options.import_rows:
            store = "sqlite" if "sqlite" in options.stores else options.stores[0]
            print(f"\n== import memory on {store}: peak RSS of bot.py import cases", flush=True)
            import_memory = measure_import_memory(options.import_rows, store)
        last_run.write_text(json.dumps({"argv": argv, "runs": runs,
                                        "import_memory": import_memory,
                                        "elapsed_s": time.perf_counter() - started},
                                       indent=1, default=str))
    print("\n== targets")
    for target, met, figures in verdicts(runs):
        print(f"   {'met   ' if met else 'MISSED'} {target}: {figures}")
    if options.results is not None:
        if options.plot is not None:
            plot(runs, options.plot)
        options.results.write_text(write_results(options, runs, argv,
                                                 time.perf_counter() - started, import_memory))
        print(f"\nwrote {options.results}" + (f" and {options.plot}" if options.plot else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
