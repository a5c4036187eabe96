"""Seed the synthetic council through the real importers, so the demo proves the import path too.

The generated files are loaded as one extract folder (`import DIR`, importers/folder.py): teams
naming managers that the staff file adds, in one transaction. A `demo` import_run row records the
date the council was generated for, so `demo.redate` can bring it forward to today later.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from demo.generate import generate_council
from importers.folder import import_folder
from models import ImportRun, Staff

DEMO_DATA = Path(__file__).resolve().parent / "data"
#: The actor of the demo's loads, and the kind of the row that says what day its data is as of.
DEMO = "demo"
AS_OF = "Northshire as of "


#: The per-kind order the benchmark loads and times (bench/generate.py): teams first with
#: managers blank, staff, then teams again to set managers. The demo itself loads the folder.
IMPORT_ORDER: tuple[str, ...] = (
    "teams_without_managers", "staff", "teams", "cases", "supervisions", "actions"
)


class SeedFailed(RuntimeError):
    pass


def seed(engine: Engine, today: date, out_dir: Path = DEMO_DATA, seed: int = 7,
         scale: float = 1.0) -> dict[str, int]:
    """Generate the council's import files and load them as one folder; a refusal stops it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.csv"):  # files of an older demo, e.g. a teams pass of old
        stale.unlink()
    generate_council(out_dir, today, seed=seed, scale=scale)
    report = import_folder(engine, out_dir, today=today, actor=DEMO)
    if not report.ok:
        raise SeedFailed(report.summary())
    record_demo_day(engine, today)
    return {file.kind: file.rows_read for file in report.files}


def record_demo_day(engine: Engine, as_of: date) -> None:
    """Note the day the demo's data is as of, once it is generated."""
    with Session(engine) as session:
        session.add(demo_day(as_of))
        session.commit()


def demo_day(as_of: date, shifted_days: int = 0) -> ImportRun:
    """The import_run row that says what day the demo's data is as of."""
    return ImportRun(at=datetime.now(timezone.utc), kind=DEMO, actor=DEMO,
                     source=f"{AS_OF}{as_of.isoformat()}", updated=shifted_days)


def write_teams_without_managers(out_dir: Path) -> None:
    """The benchmark's first teams pass: managers blank until staff exist."""
    with (out_dir / "teams.csv").open(newline="") as source:
        rows = list(csv.DictReader(source))
    with (out_dir / "teams_without_managers.csv").open("w", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "manager_id": ""} for row in rows)


def seed_if_empty(engine: Engine, today: date) -> str:
    with Session(engine) as session:
        if session.exec(select(func.count()).select_from(Staff)).one():
            return ""
    loaded = seed(engine, today)
    return ("Seeded the demo council (Northshire): "
            + ", ".join(f"{count} {kind}" for kind, count in loaded.items()) + ".")
