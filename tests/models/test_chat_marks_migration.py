"""Revision 0003 marks what chat had already recorded, so the first import after upgrading keeps it.

Run on a scratch store of its own (a SQLite file, or a schema of its own on PostgreSQL), since it
migrates from an older revision.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from models.migrate import downgrade, upgrade
from models.store import make_engine

SCRATCH_SCHEMA = "scratch_chat_marks"


@pytest.fixture
def scratch_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        engine = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
        yield engine
        engine.dispose()
        return
    engine = create_engine(database_url,
                           connect_args={"options": f"-csearch_path={SCRATCH_SCHEMA}"})
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCRATCH_SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCRATCH_SCHEMA}"))
    yield engine
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {SCRATCH_SCHEMA} CASCADE"))
    engine.dispose()


def _rows_before_0003(engine: Engine) -> None:
    """Staff, a plan, one action completed in chat, one moved on by a chat note, one from a
    file; a session logged in chat and one imported."""
    statements = [
        "INSERT INTO staff (id, staff_id, name, email, role, fte, agency, start_date) VALUES "
        "(1, 'SW1', 'Sam Worker', 'sw1@council.example', 'social_worker', 1.0, false, "
        "'2020-01-01'), (2, 'TM1', 'Tara Manager', 'tm1@council.example', 'team_manager', 1.0, "
        "false, '2018-01-01')",
        "INSERT INTO plan (id, name) VALUES (1, 'Improvement')",
        "INSERT INTO action (id, plan_id, ref, action, owner_id, due_date, status, "
        "completed_date, completed_by_id, evidence) VALUES "
        "(1, 1, 'A1', 'Done in chat', 1, '2026-03-01', 'done', '2026-02-20', 1, 'Audit'), "
        "(2, 1, 'A2', 'Noted in chat', 1, '2026-03-01', 'in_progress', NULL, NULL, NULL), "
        "(3, 1, 'A3', 'From a file', 1, '2026-03-01', 'done', '2026-02-21', NULL, 'Minutes')",
        "INSERT INTO supervision (id, staff_id, date, supervisor_id, kind) VALUES "
        "(1, 1, '2026-02-10', 2, 'logged in chat'), (2, 1, '2026-01-10', 2, 'reflective')",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
        connection.execute(
            text("INSERT INTO action_update (action_id, author_id, at, kind, note) "
                 "VALUES (2, 1, :at, 'update', 'started')"),
            {"at": datetime(2026, 2, 25, 10, 30, tzinfo=timezone.utc)},
        )


def index_names(engine: Engine, table: str) -> set[str]:
    """Every index on the table, expression indexes too (which SQLAlchemy cannot reflect)."""
    query = ("SELECT indexname FROM pg_indexes WHERE tablename = :table "
             "AND schemaname = current_schema()" if engine.dialect.name == "postgresql" else
             "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table")
    with engine.connect() as connection:
        return set(connection.execute(text(query), {"table": table}).scalars())


def test_upgrading_marks_what_chat_recorded_and_downgrading_unmarks(scratch_engine) -> None:
    upgrade(scratch_engine, "0002")
    _rows_before_0003(scratch_engine)
    upgrade(scratch_engine, "0003")
    with scratch_engine.connect() as connection:
        actions = dict(connection.execute(
            text("SELECT ref, chat_changed_on FROM action ORDER BY ref")).all())
        sessions = dict(connection.execute(
            text("SELECT id, logged_in_chat FROM supervision ORDER BY id")).all())
    assert {ref: value and date.fromisoformat(str(value)) for ref, value in actions.items()} == {
        "A1": date(2026, 2, 20), "A2": date(2026, 2, 25), "A3": None}
    assert {key: bool(value) for key, value in sessions.items()} == {1: True, 2: False}
    indexes = index_names(scratch_engine, "action")
    assert "ix_action_lower_ref" in indexes
    downgrade(scratch_engine, "0002")
    columns = {column["name"] for column in inspect(scratch_engine).get_columns("action")}
    assert "chat_changed_on" not in columns
    assert index_names(scratch_engine, "action") == indexes
