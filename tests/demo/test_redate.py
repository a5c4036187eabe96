"""The demo stays current: `make run` moves an older demo council's dates forward to today."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Date, select
from sqlmodel import Session, SQLModel

from demo.redate import demo_as_of, redate_if_older
from demo.seed import seed
from tests.builders import Builder

GENERATED = date(2026, 11, 23)


def every_date(engine) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """Every value of every Date column, by table and column, in row order."""
    found = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, Date):
                    found[f"{table.name}.{column.name}"] = connection.execute(
                        select(column).order_by(table.c.id)).scalars().all()
    return found


def test_an_older_demo_council_is_moved_forward_by_the_gap_in_every_date(engine,
                                                                          tmp_path) -> None:
    seed(engine, GENERATED, out_dir=tmp_path, scale=0.3)
    before = every_date(engine)
    today = GENERATED + timedelta(days=10)
    assert "moved forward 10 days" in redate_if_older(engine, today)
    after = every_date(engine)
    assert set(after) >= {"staff.start_date", "cases.last_visit", "supervision.date",
                          "action.due_date", "case_allocation.from_date"}
    for column, values in before.items():
        assert after[column] == [value + timedelta(days=10) if value else value
                                 for value in values], column
    with Session(engine) as session:
        assert demo_as_of(session) == today
    assert redate_if_older(engine, today) == ""  # current now: nothing more to do
    assert every_date(engine) == after


def test_a_councils_own_data_is_never_redated(engine, session, tmp_path) -> None:
    seed(engine, GENERATED, out_dir=tmp_path, scale=0.3)
    Builder(session, GENERATED).import_run("cases", datetime(2026, 11, 23, 6, tzinfo=timezone.utc),
                                           actor="cli:alice")
    session.commit()
    before = every_date(engine)
    assert redate_if_older(engine, GENERATED + timedelta(days=10)) == ""
    assert every_date(engine) == before
