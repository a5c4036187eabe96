"""Keep the demo council current: shift every date in the store forward to today.

The demo council is generated for one day: a week later its visits all look overdue and its NQSWs
have moved on, so the demo no longer shows what it was built to show. When `make run` (the demo)
finds the council's data older than today, every date column of every table is moved forward by
the gap, in one transaction, and a `demo` import_run row records the new day.

Only the demo council is ever re-dated: a store with any load not made by the demo (a council's
own data, loaded at a terminal or by the nightly job) is left exactly as it is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, false, func, literal_column, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, select

from demo.seed import AS_OF, DEMO, demo_day
from models import ImportRun


def demo_as_of(session: Session) -> date | None:
    """The day the demo's data is as of; None when the store is not (only) the demo council."""
    others = session.exec(select(func.count()).select_from(ImportRun).where(
        ImportRun.actor != DEMO, ImportRun.refused == false())).one()
    if others:
        return None
    marker = session.exec(select(ImportRun.source).where(ImportRun.kind == DEMO)
                          .order_by(ImportRun.id.desc())).first()  # type: ignore[union-attr]
    if marker is None or not marker.startswith(AS_OF):
        return None
    return date.fromisoformat(marker.removeprefix(AS_OF))


#: Dates go out this far first, then back: out of the range of every stored date, so a unique
#: key with a date in it (a worker's supervision on a day) never meets a row not yet moved.
DETOUR_DAYS = 36_500


def shift_dates(connection: Connection, days: int) -> int:
    """Move every Date column of every table by `days` (NULLs stay NULL); the columns moved."""
    moved = 0
    for table in SQLModel.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, Date)]
        if not columns:
            continue
        for step in (days + DETOUR_DAYS, -DETOUR_DAYS):
            connection.execute(update(table).values(
                {column.name: _plus(connection, column, step) for column in columns}))
        moved += len(columns)
    return moved


def _plus(connection: Connection, column: Any, days: int) -> Any:
    if connection.dialect.name == "sqlite":
        return func.date(column, f"{days:+d} days")
    return column + literal_column(str(int(days)))


def redate_if_older(engine: Engine, today: date) -> str:
    """Re-date the demo council to `today` if its data is older; what was done, for the user."""
    with Session(engine) as session:
        as_of = demo_as_of(session)
    if as_of is None or as_of >= today:
        return ""
    gap = (today - as_of).days
    with Session(engine) as session:  # one transaction: the dates and the new day together
        shift_dates(session.connection(), gap)
        session.add(demo_day(today, shifted_days=gap))
        session.commit()
    return (f"The demo council's data was as of {as_of.isoformat()}: every date moved forward "
            f"{gap} day{'' if gap == 1 else 's'} to today.")


__all__ = ["demo_as_of", "redate_if_older", "shift_dates"]
