"""The engine and sessions: SQLite by default, PostgreSQL in production, same code for both."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def make_engine(database_url: str) -> Engine:
    """Create an engine; on SQLite, switch foreign keys on (SQLite leaves them off by default),
    and give each connection the audit chain's hash function.

    `hide_parameters` keeps row values (case references, staff details) out of database error
    messages, so an error that reaches a log never carries the data itself.
    """
    if database_url.startswith("sqlite"):
        from models.audit_chain import register_sqlite_hash

        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            register_sqlite_hash(dbapi_connection)  # the audit chain's INSERTs call it

        return engine
    return create_engine(
        database_url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
    )


@lru_cache(maxsize=4)
def engine_for(database_url: str) -> Engine:
    return make_engine(database_url)


def get_engine() -> Engine:
    from config import get_settings

    return engine_for(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: committed when the block ends cleanly, rolled back otherwise."""
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_unless_stored(dialect: str, table: Table, key: Sequence[str]) -> Any:
    """INSERT … ON CONFLICT (key) DO NOTHING on SQLite or PostgreSQL: a row another writer has
    just stored under the same natural key is kept, and this insert is not an error."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=list(key))
