"""Lost writes: chat completions racing a loop of actions re-imports (issue #10, SPEC section 8).

Every completion goes through `ask` (the path Slack, Teams, the console and `bot.py ask` take)
while another thread re-imports the actions spreadsheet, through the real loader, over and over.
The spreadsheet still says every action is open, as it would until someone updates it, and it
is being edited meanwhile (two versions, alternating, differ in each action's measure), so every
import writes every row. At the end, an action whose asker was told "marked done" but which the
store no longer holds as done was lost.

    python -m bench.lost_writes [--store URL] [--actions N]

`--store` defaults to a fresh SQLite file; a PostgreSQL URL must name a database of your own
(its tables are dropped and re-made). The counts vary from run to run (they depend on how the
two threads interleave); 0 lost is the only right answer.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from importers import import_file
from models import Action, Plan, Staff
from models.migrate import upgrade
from models.store import make_engine
from queries.access import Identity
from queries.answer import ask
from queries.results import ActionChanged
from tests.builders import Builder, small_council
from tests.database import reset_schema

#: The owner who records the completions in chat (small_council's SW1).
ASKER = "SW1"
PLAN = "Improvement"


@dataclass(frozen=True)
class RaceResult:
    told_done: int
    lost: tuple[str, ...]
    imports: int
    imports_failed: int

    def summary(self) -> str:
        return (f"told done {self.told_done}, lost {len(self.lost)}, imports {self.imports} "
                f"({self.imports_failed} failed)")


def seed(engine: Engine, today: date, actions: int) -> list[str]:
    """The test council plus `actions` open actions owned by the asker; their references."""
    refs = [f"R{number:04d}" for number in range(1, actions + 1)]
    with Session(engine, expire_on_commit=False) as session:
        council = small_council(session, today)
        build = Builder(session, today)
        plan = council.plans["improvement"]
        for ref in refs:
            build.action(plan, ref, f"Action {ref}", council[ASKER], today)
        session.commit()
    return refs


def write_spreadsheet(engine: Engine, path: Path, measure: str) -> Path:
    """The plan's spreadsheet as it stands before anyone records anything in chat: all open,
    every action measured by `measure`."""
    with Session(engine) as session:
        rows = session.exec(
            select(Plan.name, Action.ref, Action.action, Staff.staff_id, Action.due_date)
            .join(Plan, Plan.id == Action.plan_id).join(Staff, Staff.id == Action.owner_id)
            .order_by(Action.id)
        ).all()
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["plan", "ref", "action", "owner_id", "due_date", "measure", "status",
                         "completed_date", "evidence"])
        for plan, ref, text, owner, due in rows:
            writer.writerow([plan, ref, text, owner, due.isoformat(), measure, "open", "", ""])
    return path


def spreadsheets(engine: Engine, folder: Path) -> tuple[Path, Path]:
    """Two versions of the spreadsheet, differing in every action's measure."""
    return (write_spreadsheet(engine, folder / "actions-1.csv", "Monthly audit"),
            write_spreadsheet(engine, folder / "actions-2.csv", "Quarterly audit"))


def race(engine: Engine, versions: Sequence[Path], refs: Sequence[str], today: date,
         settings: Settings) -> RaceResult:
    """Complete each action in chat while another thread re-imports the spreadsheet's
    versions in turn."""
    stop = threading.Event()
    first_import = threading.Event()
    counts = {"imports": 0, "failed": 0}

    def reimport() -> None:
        while not stop.is_set():
            try:
                with Session(engine, expire_on_commit=False) as session:
                    spreadsheet = versions[sum(counts.values()) % len(versions)]
                    report = import_file(session, "actions", spreadsheet, today=today,
                                         actor="race")
                counts["imports" if report.ok else "failed"] += 1
            except Exception:  # a refused import is not a lost completion: count, go on
                counts["failed"] += 1
            first_import.set()

    importer = threading.Thread(target=reimport, name="reimport", daemon=True)
    importer.start()
    first_import.wait()
    told_done: list[str] = []
    try:
        for ref in refs:
            outcome = ask(engine, Identity("cli", staff_id=ASKER),
                          f"/actions done {PLAN}/{ref} evidence for {ref}", today=today,
                          settings=settings)
            if isinstance(outcome.answer, ActionChanged):
                told_done.append(ref)
    finally:
        stop.set()
        importer.join()
    return RaceResult(told_done=len(told_done), lost=lost_completions(engine, told_done),
                      imports=counts["imports"], imports_failed=counts["failed"])


def lost_completions(engine: Engine, told_done: Sequence[str]) -> tuple[str, ...]:
    """References the asker was told were done that the store does not hold as done in chat."""
    with Session(engine) as session:
        completed_in_chat = Action.completed_by_id.is_not(None)  # type: ignore[union-attr]
        kept = set(session.exec(
            select(Action.ref).where(Action.status == "done", completed_in_chat)
        ).all())
    return tuple(ref for ref in told_done if ref not in kept)


def fresh_store(url: str) -> Engine:
    engine = make_engine(url)
    reset_schema(engine)
    upgrade(engine)
    return engine


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lost_writes",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--store", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--actions", type=int, default=200, help="completions to record")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", "Skipped unsupported reflection")  # lower() indexes
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        engine = fresh_store(args.store or f"sqlite:///{Path(folder) / 'race.db'}")
        try:
            refs = seed(engine, today, args.actions)
            versions = spreadsheets(engine, Path(folder))
            result = race(engine, versions, refs, today, Settings())
        finally:
            engine.dispose()
    print(f"{engine.dialect.name}: {result.summary()}")
    return 1 if result.lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
