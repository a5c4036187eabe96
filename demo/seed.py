"""Seed the synthetic council through the real importers, so the demo proves the import path too."""

from __future__ import annotations

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
IMPORT_ORDER: tuple[str, ...] = ("teams", "staff", "teams", "cases", "supervisions", "actions")


class SeedFailed(RuntimeError):
    pass


def seed(engine: Engine, today: date, out_dir: Path = DEMO_DATA, seed: int = 7,
         scale: float = 1.0) -> dict[str, int]:
    """Generate the council's import files and load them; any refused file stops the seed."""
    generate_council(out_dir, today, seed=seed, scale=scale)
    loaded: dict[str, int] = {}
    for position, kind in enumerate(IMPORT_ORDER):
        path = out_dir / f"{kind}.csv"
        with Session(engine, expire_on_commit=False) as session:
            report = import_file(session, kind, path, today=today, actor="demo",
                                 **({"ignore_unknown_managers": True} if position == 0 else {}))
        if not report.ok:
            raise SeedFailed(report.summary())
        loaded[kind] = report.rows_read
    return loaded


def seed_if_empty(engine: Engine, today: date) -> str:
    with Session(engine) as session:
        if session.exec(select(func.count()).select_from(Staff)).one():
            return ""
    loaded = seed(engine, today)
    return ("Seeded the demo council (Northshire): "
            + ", ".join(f"{count} {kind}" for kind, count in loaded.items()) + ".")
