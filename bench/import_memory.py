"""Import memory: the peak RSS of `python bot.py import cases FILE`, for files of 10,000,
100,000 and 1,000,000 rows, valid and junk, to show that an import streams (SPEC section 8:
"memory flat whatever the file's size").

    python -m bench.import_memory [--rows 10000,100000,1000000] [--store sqlite] [--root DIR]

Each import is the real command line in a process of its own, and its peak resident set is that
process's own high-water mark (VmHWM at exit, see bench/peak_rss.py), so nothing of the harness
is counted. For each row count:
- a fresh store gets 10 teams and 60 workers (unmeasured), then the valid cases file is imported
  (every row written);
- the junk file of the same length is imported with `--report FILE`: every row wrong in four
  cells, so the file is refused with four problems a row; the screen's lines and bytes and the
  report's rows are counted too.
A 10-row import is measured first: the fixed cost (Python, SQLAlchemy, the migrations) that the
other figures are compared with. The files are written under bench/data/import_memory/
(git-ignored). `--root` runs another checkout's bot.py on the same files (for a before/after),
`--results` splices the figures into bench/results.md as its "Import memory" section, which
`make bench` also writes (see bench/run.py).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.stores import BENCH_DATA, STORES, create_store, drop_store

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
FILES = BENCH_DATA / "import_memory"
PEAK_RSS = BENCH_DIR / "peak_rss.py"
#: The row counts measured by default, and by `make bench --quick`.
ROW_COUNTS = (10_000, 100_000, 1_000_000)
QUICK_ROW_COUNTS = (10_000, 100_000)
#: The fixed cost is measured with a file this long.
BASELINE_ROWS = 10
TEAMS = 10
WORKERS = 60
SECTION = "## Import memory (peak RSS of `bot.py import cases`, one process each)"
#: The store's label (`caseload_bench_import_memory` on PostgreSQL).
STORE_LABEL = "import_memory"
FIRST_DAY = date(2020, 1, 6)


@dataclass(frozen=True)
class Measured:
    """One finished child process: how it ended, what it printed, its own peak RSS."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss_kb: int
    seconds: float


def run_measured(script: Path, arguments: Sequence[str], *, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> Measured:
    """Run `python SCRIPT ARGUMENTS` to its end, with its own peak resident set (bench/peak_rss.py:
    VmHWM at exit, since the kernel's ru_maxrss for a child counts its parent's memory too).
    Output goes to temporary files, not pipes, so a long report cannot block the child."""
    with tempfile.TemporaryDirectory(prefix="caseload-rss-") as scratch:
        peak_file = Path(scratch) / "peak_kb"
        out_path, err_path = Path(scratch) / "out", Path(scratch) / "err"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            started = time.perf_counter()
            finished = subprocess.run([sys.executable, str(PEAK_RSS), str(peak_file), str(script),
                                       *arguments], stdout=out, stderr=err, env=env, cwd=cwd,
                                      check=False)
            seconds = time.perf_counter() - started
        peak = int(peak_file.read_text()) if peak_file.exists() else 0
        return Measured(finished.returncode, out_path.read_text("utf-8", "replace"),
                        err_path.read_text("utf-8", "replace"), peak, seconds)


# --- the files --------------------------------------------------------------------------------


def write_setup(directory: Path) -> tuple[Path, Path]:
    """teams.csv (managers blank) and staff.csv: what the cases files refer to."""
    directory.mkdir(parents=True, exist_ok=True)
    teams, staff = directory / "teams.csv", directory / "staff.csv"
    with teams.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["team", "service", "manager_id", "establishment_fte"])
        writer.writerows([f"Team {n}", "Safeguarding", "", "8"] for n in range(TEAMS))
    with staff.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["staff_id", "name", "email", "role", "team", "fte", "start_date"])
        writer.writerows([f"W{n:03d}", f"Worker {n}", f"w{n}@bench.example.gov.uk",
                          "social_worker", f"Team {n % TEAMS}", "1", "2019-09-02"]
                         for n in range(WORKERS))
    return teams, staff


def write_cases(path: Path, rows: int, *, junk: bool) -> Path:
    """A cases file of `rows` rows, written as it goes. Valid rows name the setup's teams and
    workers; junk rows are wrong in four cells each (type, date, team, worker)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case_ref", "case_type", "start_date", "team", "allocated_worker_id",
                         "last_visit"])
        for n in range(rows):
            if junk:
                writer.writerow([f"J{n:07d}", "junk" * 3, f"31/13/{2000 + n % 50}",
                                 f"Nowhere {n % 97}", f"NOBODY{n}", ""])
            else:
                started = FIRST_DAY + timedelta(days=n % 1500)
                writer.writerow([f"M{n:07d}", ("CP", "CIN", "LAC", "EH")[n % 4],
                                 started.isoformat(), f"Team {n % TEAMS}", f"W{n % WORKERS:03d}",
                                 (started + timedelta(days=5)).isoformat()])
    partial.replace(path)
    return path


# --- measuring ---------------------------------------------------------------------------------


def _bot(root: Path, url: str, *arguments: str) -> Measured:
    env = {**os.environ, "DATABASE_URL": url}
    return run_measured(root / "bot.py", ["import", *arguments], env=env, cwd=root)


def measure(row_counts: Sequence[int], store: str = "sqlite", root: Path = ROOT,
            files: Path = FILES, keep: bool = False, label: str = STORE_LABEL
            ) -> list[dict[str, Any]]:
    """Peak RSS for each row count, valid and junk, each import in a fresh process (the store
    is `label`'s: see bench.stores)."""
    teams, staff = write_setup(files)
    reports = "--report" in (root / "bot.py").read_text()  # an older checkout may lack it
    results = []
    for rows in (BASELINE_ROWS, *row_counts):
        valid = write_cases(files / f"cases_{rows}.csv", rows, junk=False)
        junk = write_cases(files / f"junk_{rows}.csv", rows, junk=True)
        url = create_store(store, label)
        try:
            for setup in (teams, staff):
                done = _bot(root, url, "teams" if setup == teams else "staff", str(setup))
                if done.returncode != 0:
                    raise RuntimeError(f"{setup.name} was refused: {done.stdout[:2000]}")
            imported = _bot(root, url, "cases", str(valid))
            if imported.returncode != 0:
                raise RuntimeError(f"{valid.name} was refused: {imported.stdout[:2000]}"
                                   f"{imported.stderr[-2000:]}")
            report = files / f"junk_{rows}.report.csv"
            refused = _bot(root, url, "cases", str(junk),
                           *(("--report", str(report)) if reports else ()))
        finally:
            if not keep:
                drop_store(store, label)
        report_rows = 0
        if reports and report.exists():
            with report.open(newline="") as handle:
                report_rows = sum(1 for _ in handle) - 1
            report.unlink()
        result = {
            "rows": rows, "store": store,
            "valid": asdict(imported) | {"stdout": imported.stdout[:300], "stderr": ""},
            "junk": asdict(refused) | {"stdout": refused.stdout[:300],
                                       "stderr": refused.stderr[-300:]},
            "junk_stdout_lines": refused.stdout.count("\n"),
            "junk_stdout_bytes": len(refused.stdout.encode()),
            "junk_refused": refused.returncode == 1,
            "report_rows": report_rows,
            "file_mb": valid.stat().st_size / 1e6, "junk_file_mb": junk.stat().st_size / 1e6,
        }
        print_result(result)
        results.append(result)
    return results


def print_result(result: dict[str, Any]) -> None:
    valid, junk = result["valid"], result["junk"]
    print(f"   {result['rows']:>9,} rows: valid {valid['peak_rss_kb'] / 1024:7.0f} MB peak "
          f"({valid['seconds']:6.1f}s); junk {junk['peak_rss_kb'] / 1024:7.0f} MB peak "
          f"({junk['seconds']:6.1f}s), printed {result['junk_stdout_lines']:,} lines / "
          f"{result['junk_stdout_bytes']:,} bytes, report {result['report_rows']:,} problems",
          flush=True)


def section(results: list[dict[str, Any]]) -> list[str]:
    """The results.md section: one row per file length, growth over the 10-row import."""
    if not results:
        return []
    base = results[0]
    lines = [
        SECTION, "",
        "Each import is `python bot.py import cases FILE` in a process of its own; peak RSS is "
        "that process's own high-water mark (VmHWM at exit: bench/peak_rss.py). Valid files "
        "are written in full; junk files (four bad cells a row) are refused, with "
        "`--report FILE`. Growth is over the "
        f"{base['rows']}-row import ({base['valid']['peak_rss_kb'] / 1024:.0f} MB: Python, "
        f"SQLAlchemy, the migrations). Store: {base['store']}.", "",
        "| rows | file MB | valid: peak MB | growth MB | s | junk: peak MB | growth MB | s | "
        "lines printed | bytes printed | problems in --report |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        valid, junk = result["valid"], result["junk"]
        lines.append(
            f"| {result['rows']:,} | {result['file_mb']:.1f} | "
            f"{valid['peak_rss_kb'] / 1024:.0f} | "
            f"{(valid['peak_rss_kb'] - base['valid']['peak_rss_kb']) / 1024:+.0f} | "
            f"{valid['seconds']:.1f} | {junk['peak_rss_kb'] / 1024:.0f} | "
            f"{(junk['peak_rss_kb'] - base['junk']['peak_rss_kb']) / 1024:+.0f} | "
            f"{junk['seconds']:.1f} | {result['junk_stdout_lines']:,} | "
            f"{result['junk_stdout_bytes']:,} | {result['report_rows']:,} |")
    return lines


def splice(results_md: Path, lines: list[str]) -> None:
    """Put the section into an existing results.md: in place of an older one, or before the
    'What each command answered' section (else at the end)."""
    text = results_md.read_text() if results_md.exists() else "# Benchmark results\n"
    block = "\n".join(lines) + "\n"
    if SECTION in text:
        start = text.index(SECTION)
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + block + ("\n" + text[end + 1:] if end != -1 else "")
    else:
        anchor = text.find("## What each command answered")
        text = (text[:anchor] + block + "\n" + text[anchor:] if anchor != -1
                else text.rstrip("\n") + "\n\n" + block)
    results_md.write_text(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_memory",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default=",".join(map(str, ROW_COUNTS)),
                        help="comma-separated row counts (default 10000,100000,1000000)")
    parser.add_argument("--store", default="sqlite", choices=STORES)
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout whose bot.py is run (default this one)")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results.md",
                        help="splice the section into this file")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    rows = [int(part) for part in args.rows.split(",") if part]
    print(f"== import memory on {args.store} ({args.root})", flush=True)
    results = measure(rows, args.store, args.root.resolve())
    if not args.no_write:
        splice(args.results, section(results))
        print(f"wrote the section into {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
