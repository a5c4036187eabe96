"""The import_run record: one row per load, for freshness lines and `/caseload status`.

"Closed" is counted from the store rather than by each importer: the rows of the kind that have
an end (cases and staff with an end date, actions done) after the load, less those before it.
"""

from __future__ import annotations

import getpass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from importers.report import ImportReport
from models import Action, Case, ImportRun, Staff

CASES, STAFF, ACTION = Case.__table__, Staff.__table__, Action.__table__
#: What "closed" means for each kind: a case or staff member with an end date, an action done.
CLOSED_WHERE = {
    "cases": (CASES, CASES.c.end_date.is_not(None)),
    "annex-a": (CASES, CASES.c.end_date.is_not(None)),
    "staff": (STAFF, STAFF.c.end_date.is_not(None)),
    "census": (STAFF, STAFF.c.end_date.is_not(None)),
    "actions": (ACTION, ACTION.c.status == "done"),
}


def cli_actor() -> str:
    """Who ran an import at a terminal, as far as the operating system says."""
    try:
        return f"cli:{getpass.getuser()}"[:120]
    except Exception:  # no login name (a container without a passwd entry)
        return "cli"


def closed_rows(connection: Connection, kind: str) -> int:
    """Rows of the kind that have an end; 0 for kinds with none (teams, supervisions)."""
    if kind not in CLOSED_WHERE:
        return 0
    table, condition = CLOSED_WHERE[kind]
    return connection.execute(select(func.count()).select_from(table).where(condition)
                              ).scalar_one()


def run_record(report: ImportReport, *, actor: str, closed: int = 0, refused: bool | None = None,
               at: datetime | None = None, folder_hash: str | None = None) -> ImportRun:
    """The import_run row for a finished load (`refused` overrides the report, for a file whose
    own rows were fine but whose folder was refused)."""
    refused = (not report.ok) if refused is None else refused
    return ImportRun(
        at=at or datetime.now(timezone.utc), kind=report.kind, source=_name(report.path)[:300],
        actor=actor[:120], rows_read=report.rows_read,
        created=0 if refused else report.created, updated=0 if refused else report.updated,
        closed=0 if refused else max(closed, 0), refused=refused, problems=len(report.problems),
        folder_hash=folder_hash,
    )


def record_run(session: Session, report: ImportReport, *, actor: str, closed: int = 0) -> None:
    """Record a load in its own commit (the import itself has committed or rolled back).
    Dry runs change nothing and are not recorded."""
    if report.dry_run:
        return
    session.add(run_record(report, actor=actor, closed=closed))
    session.commit()


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
