"""The benchmark's data: county, large city and national, written as import files and loaded
through the real importers (`importers.import_file`), timed, so import throughput is measured on
the same path a council uses.

A county or a city is one synthetic council from `demo.generate.generate_council` at a larger
`scale` (the generator multiplies teams, so caseloads stay realistic). National is 150 councils:
each is drawn with its own seed and written into one set of files with every identifier given the
council's prefix (team and service names, staff ids, e-mails, case references, plans), so the
store holds 150 councils' worth of distinct teams, services and people. Only the first council
keeps the demo's Slack user ids, so the benchmark always asks as the same team manager.

Usage: ``python -m bench.generate OUT_DIR --size county``
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from demo.generate import EMAIL_DOMAIN, HEADERS, generate_council
from demo.seed import IMPORT_ORDER, write_teams_without_managers
from importers import import_file

#: The day every benchmark council is seen from (nothing reads the clock).
BENCH_TODAY = date(2026, 3, 16)
BENCH_SEED = 7


@dataclass(frozen=True)
class SizePlan:
    """One benchmark size: `councils` councils, each `scale` times the demo county's teams."""

    name: str
    councils: int
    scale: float
    sqlite: bool  # SQLite is measured up to large city; national is PostgreSQL only
    described: str


SIZES: dict[str, SizePlan] = {
    plan.name: plan for plan in (
        # a smoke-test size: seconds end to end
        SizePlan("tiny", 1, 0.15, True, "smoke test (3 teams)"),
        SizePlan("county", 1, 1.5, True, "county (~250 practitioners, ~4,000 open cases)"),
        SizePlan("city", 1, 5.4, True, "large city (~1,000 practitioners, ~15,000 open cases)"),
        SizePlan("national", 150, 0.96, False,
                 "national (150 councils: ~28,000 practitioners, ~400,000 open cases)"),
    )
}

#: Columns that hold a staff id, per file (prefixed for every council but the first).
STAFF_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "teams": ("manager_id",),
    "staff": ("staff_id", "manager_id"),
    "cases": ("allocated_worker_id", "co_worker_id"),
    "supervisions": ("staff_id", "supervisor_id"),
    "actions": ("owner_id",),
}
#: Columns that name a team or a service (staff.team may name the service, for its head).
TEAM_COLUMNS: dict[str, tuple[str, ...]] = {
    "teams": ("team", "service"), "staff": ("team",), "cases": ("team",),
}
PRACTITIONER_ROLES = frozenset({"social_worker", "senior_practitioner", "nqsw"})


def council_prefix(number: int) -> str:
    return f"C{number:03d}"


def rewrite_row(kind: str, row: dict[str, str], number: int) -> dict[str, str]:
    """One council's row with every identifier made unique to the council (council 1 as is)."""
    if number == 1:
        return row
    prefix = council_prefix(number)
    row = dict(row)
    for column in STAFF_ID_COLUMNS.get(kind, ()):
        if row.get(column):
            row[column] = f"{prefix}-{row[column]}"
    for column in TEAM_COLUMNS.get(kind, ()):
        if row.get(column):
            row[column] = f"{row[column]} ({prefix})"
    if kind == "staff":
        row["email"] = row["email"].replace(f"@{EMAIL_DOMAIN}", f"@{prefix.lower()}.{EMAIL_DOMAIN}")
        row["slack_user_id"] = ""
        if row.get("swe_no"):  # Social Work England numbers are unique nationally
            row["swe_no"] = f"{prefix}-{row['swe_no']}"
    elif kind == "cases":
        row["case_ref"] = f"{prefix}-{row['case_ref']}"
    elif kind == "actions":
        row["plan"] = f"{row['plan']} ({prefix})"
    return row


def write_size(out_dir: Path, size: SizePlan, today: date = BENCH_TODAY) -> dict[str, int]:
    """Write the size's five import files (and the managers-blank teams file) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if size.councils == 1:
        counts = generate_council(out_dir, today, seed=BENCH_SEED, scale=size.scale)
    else:
        counts = {kind: 0 for kind in HEADERS}
        handles = {kind: (out_dir / f"{kind}.csv").open("w", newline="", encoding="utf-8")
                   for kind in HEADERS}
        try:
            writers = {kind: csv.DictWriter(handle, fieldnames=list(HEADERS[kind]),
                                            lineterminator="\n")
                       for kind, handle in handles.items()}
            for writer in writers.values():
                writer.writeheader()
            with tempfile.TemporaryDirectory(prefix="caseload-bench-") as scratch:
                for number in range(1, size.councils + 1):
                    generate_council(Path(scratch), today, seed=BENCH_SEED + number - 1,
                                     scale=size.scale)
                    for kind in HEADERS:
                        with (Path(scratch) / f"{kind}.csv").open(newline="") as source:
                            for row in csv.DictReader(source):
                                writers[kind].writerow(rewrite_row(kind, row, number))
                                counts[kind] += 1
        finally:
            for handle in handles.values():
                handle.close()
    write_teams_without_managers(out_dir)
    counts.update(describe_files(out_dir, today))
    return counts


def describe_files(out_dir: Path, today: date) -> dict[str, int]:
    """What a reader would call the size: practitioners and FTE in post, open cases."""
    practitioners, fte = 0, 0.0
    with (out_dir / "staff.csv").open(newline="") as source:
        for row in csv.DictReader(source):
            ended = row["end_date"] and date.fromisoformat(row["end_date"]) <= today
            if row["role"] in PRACTITIONER_ROLES and not ended:
                practitioners += 1
                fte += float(row["fte"])
    with (out_dir / "cases.csv").open(newline="") as source:
        open_cases = sum(1 for row in csv.DictReader(source) if not row["end_date"])
    return {"practitioners": practitioners, "practitioner_fte": round(fte),
            "open_cases": open_cases}


@dataclass(frozen=True)
class ImportTiming:
    file: str
    kind: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class LoadFailed(RuntimeError):
    pass


def load_size(engine: Engine, out_dir: Path, today: date = BENCH_TODAY) -> list[ImportTiming]:
    """Load the files through `import_file` in the seed's order, timing each (read, validate,
    write, commit: the whole of one council import)."""
    timings = []
    for name in IMPORT_ORDER:
        kind = "teams" if name.startswith("teams") else name
        started = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            report = import_file(session, kind, out_dir / f"{name}.csv", today=today,
                                 actor="bench")
        seconds = time.perf_counter() - started
        if not report.ok:
            raise LoadFailed(f"{name}.csv was refused: {report.summary()[:2000]}")
        timings.append(ImportTiming(name, kind, report.rows_read, seconds))
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate",
                                     description="Write one benchmark size's import files.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--size", choices=sorted(SIZES), default="county")
    args = parser.parse_args(argv)
    if args.out_dir.exists():
        shutil.rmtree(args.out_dir)
    counts = write_size(args.out_dir, SIZES[args.size])
    for kind, count in counts.items():
        print(f"{kind}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
