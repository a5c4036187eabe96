"""Seed the synthetic council through the real importers, so the demo proves the import path too."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from demo.generate import generate_council
from importers import import_file
from models import Staff

DEMO_DATA = Path(__file__).resolve().parent / "data"

#: Teams first with managers blank, staff, then teams again to set managers (staff now exist).
IMPORT_ORDER: tuple[str, ...] = (
    "teams_without_managers", "staff", "teams", "cases", "supervisions", "actions"
)


class SeedFailed(RuntimeError):
    pass


def seed(engine: Engine, today: date, out_dir: Path = DEMO_DATA, seed: int = 7,
         scale: float = 1.0) -> dict[str, int]:
    """Generate the council's import files and load them; any refused file stops the seed."""
    generate_council(out_dir, today, seed=seed, scale=scale)
    write_teams_without_managers(out_dir)
    loaded: dict[str, int] = {}
    for name in IMPORT_ORDER:
        kind = "teams" if name.startswith("teams") else name
        with Session(engine, expire_on_commit=False) as session:
            report = import_file(session, kind, out_dir / f"{name}.csv", today=today, actor="demo")
        if not report.ok:
            raise SeedFailed(report.summary())
        loaded[kind] = report.rows_read
    return loaded


def write_teams_without_managers(out_dir: Path) -> None:
    """The first teams pass, as a council would do it: managers blank until staff exist."""
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
