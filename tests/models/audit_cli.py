"""Run the real CLI (bot.py through Typer's CliRunner) against the test store."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from config import Settings, reset_settings_cache
from queries.access import Identity
from queries.answer import ask

TODAY = date(2026, 11, 30)


def run_bot(monkeypatch: pytest.MonkeyPatch, database_url: str, *args: str,
            migration_url: str = "") -> Result:
    """`python bot.py ARGS` with DATABASE_URL (and MIGRATION_DATABASE_URL) set as an operator
    would set them."""
    import bot

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MIGRATION_DATABASE_URL", migration_url)
    reset_settings_cache()
    try:
        return CliRunner().invoke(bot.app, list(args))
    finally:
        reset_settings_cache()


def audit_some(engine: Engine, count: int, who: str = "nobody@example.org") -> None:
    """Write entries the way the bot does: questions answered through `ask`, each audited (an
    unknown asker is refused, which is audited too, so no council is needed)."""
    for number in range(count):
        ask(engine, Identity("cli", staff_id=who), f"/caseload {number}", today=TODAY,
            settings=Settings(), now=datetime(2026, 11, 30, 9, 0, number, 123456, timezone.utc))
