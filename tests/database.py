"""The test store: SQLite in a temporary file by default, PostgreSQL when TEST_DATABASE_URL says so.

The audit log is append-only in the database itself, so wiping between tests has to step around
its triggers: on PostgreSQL by replica mode for the wiping transaction, on SQLite by dropping and
re-creating its triggers around the delete. The audit chain's head row goes with the rest and
is put back as a new chain's head (nothing written yet).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine

from models.audit import GENESIS_HASH


def test_database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


def reset_schema(engine: Engine) -> None:
    """Start a run from an empty database, then migrate it: the tests exercise the migrations."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            for table in inspect(connection).get_table_names():
                connection.execute(text(f'DROP TABLE IF EXISTS "{table}"'))


def wipe(engine: Engine) -> None:
    """Empty every table the application owns, keeping the schema (and the Alembic version)."""
    with engine.begin() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        if not tables:
            return
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            quoted = ", ".join(f'"{t}"' for t in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            triggers = connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            ).all()
            for name, _sql in triggers:
                connection.execute(text(f'DROP TRIGGER "{name}"'))
            connection.execute(text("PRAGMA defer_foreign_keys=ON"))
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))
        if "audit_chain_head" in tables:
            connection.execute(text("INSERT INTO audit_chain_head (id, last_seq, last_hash) "
                                    "VALUES (1, 0, :genesis)"), {"genesis": GENESIS_HASH})
        if connection.dialect.name == "sqlite":
            for _name, sql in triggers:
                connection.execute(text(sql))


def bypassing_triggers(engine: Engine, *statements: str) -> None:
    """Run statements as someone who can switch the audit triggers off — the tables' owner or a
    superuser on PostgreSQL, anyone holding the file on SQLite — to tamper as an attacker would."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for statement in statements:
                connection.execute(text(statement))
            return
        triggers = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        for name, _sql in triggers:
            connection.execute(text(f'DROP TRIGGER "{name}"'))
        for statement in statements:
            connection.execute(text(statement))
        for _name, sql in triggers:
            connection.execute(text(sql))


@contextmanager
def statements_sent(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement sent to the store while the block runs (the statement-count tests:
    a count that grows with the data is a query per row)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
