"""Run Alembic migrations from code, so `bot.py db upgrade`, the demo and the tests share one path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

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


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
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
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
