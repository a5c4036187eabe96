"""Run Alembic migrations from code, so `bot.py db upgrade`, the demo and the tests share one path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from config import Settings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"

#: Tables other software keeps in the same database (APScheduler's job store creates its own).
FOREIGN_TABLES = frozenset({"apscheduler_jobs"})


def include_object(object_, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Keep autogenerate from proposing to drop tables that are not ours."""
    return not (type_ == "table" and name in FOREIGN_TABLES)


def alembic_config() -> Config:
    return Config(str(ALEMBIC_INI))


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction for a whole migration run, DDL included, on SQLite as on PostgreSQL.

    pysqlite commits on its own before every ALTER or CREATE, so a run that failed at its third
    migration used to leave the first two applied while `alembic_version` still named the old
    head, and the next run failed on a column that was already there. On SQLite a throw-away
    engine lets the driver leave transactions to SQLite and starts one with BEGIN IMMEDIATE
    (SQLAlchemy's documented recipe for transactional DDL), so a refused migration changes
    nothing at all. The application's own engine keeps the driver's usual behaviour.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    from models.store import make_engine

    ddl_engine = make_engine(engine.url.render_as_string(hide_password=False))

    @event.listens_for(ddl_engine, "connect")
    def _driver_leaves_transactions_to_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(ddl_engine, "begin")
    def _begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with ddl_engine.begin() as connection:
            yield connection
    finally:
        ddl_engine.dispose()


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def upgrade_store(settings: Settings, revision: str = "head") -> None:
    """Migrate the configured store as its owner (`MIGRATION_DATABASE_URL`, else DATABASE_URL).

    Kept apart from the bot's own engine, so the bot can run as a role that may not change the
    schema: at head, a migration only reads `alembic_version`, which that role may.
    """
    from models.store import engine_for

    upgrade(engine_for(settings.migration_url), revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
