"""SPEC section 8: on PostgreSQL the bot runs as a role that may only INSERT and SELECT the audit
table, so its own connection cannot switch the triggers off; `bot.py db grant ROLE` prints or
applies the grants, and migrations run as the owner (MIGRATION_DATABASE_URL).

The role is a real PostgreSQL role, made and dropped here (named after the test database, so
parallel runs on other databases never share one), and the bot really connects as it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from config import Settings
from models import AuditEntry
from models.migrate import upgrade
from models.store import engine_for
from queries.access import Identity
from queries.answer import ask
from queries.results import Refusal
from tests.builders import small_council
from tests.models.audit_cli import run_bot

TODAY = date(2026, 11, 30)
FORBIDDEN = [
    "UPDATE audit_log SET actor = 'someone-else'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_log_no_change ON audit_log",
    "SET session_replication_role = replica",
    "UPDATE audit_chain_head SET last_seq = 0",
    "CREATE TABLE sneaky (id int)",
]


def quoted(name: str) -> str:
    return '"' + name + '"'


def drop_role(connection, role: str) -> None:  # type: ignore[no-untyped-def]
    if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
        connection.execute(text(f"DROP OWNED BY {quoted(role)}"))
        connection.execute(text(f"DROP ROLE {quoted(role)}"))


@pytest.fixture
def bot_role(engine) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(role, the bot's DATABASE_URL as that role): a fresh LOGIN role that owns nothing."""
    if engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    with engine.begin() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        role = re.sub(r"\W", "_", f"caseload_test_{database}_bot")[:63]
        drop_role(connection, role)
        connection.execute(text(f"CREATE ROLE {quoted(role)} LOGIN"))
    role_url = make_url(str(engine.url)).set(username=role, password=None)
    url = role_url.render_as_string(hide_password=False)
    yield role, url
    engine_for(url).dispose()
    with engine.begin() as connection:
        drop_role(connection, role)


@pytest.fixture
def granted(bot_role, database_url, monkeypatch) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    role, url = bot_role
    result = run_bot(monkeypatch, url, "db", "grant", role, "--apply",
                     migration_url=database_url)
    assert result.exit_code == 0, result.output
    assert f"Granted to {role}." in result.output
    return bot_role


def test_db_grant_prints_insert_and_select_only_on_the_audit_log(monkeypatch) -> None:
    result = run_bot(monkeypatch, "postgresql+psycopg://caseload_bot@db/caseload",
                     "db", "grant", "caseload_bot",
                     migration_url="postgresql+psycopg://owner@db/caseload")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert 'GRANT CONNECT ON DATABASE "caseload" TO "caseload_bot";' in lines
    assert 'GRANT SELECT, INSERT ON "public"."audit_log" TO "caseload_bot";' in lines
    assert 'GRANT SELECT ON "public"."audit_chain_head" TO "caseload_bot";' in lines
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."cases" TO "caseload_bot";' in lines
    assert ('GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."apscheduler_jobs" TO '
            '"caseload_bot";') in lines
    assert not [line for line in lines if "audit_log" in line and "UPDATE" in line]


@pytest.mark.parametrize("role", ["bot; DROP TABLE staff", "Robert'); --"])
def test_db_grant_refuses_a_role_name_that_is_not_plain(monkeypatch, role) -> None:
    result = run_bot(monkeypatch, "postgresql+psycopg://caseload_bot@db/caseload",
                     "db", "grant", role)
    assert result.exit_code == 2 and "not a plain role name" in result.output


def test_db_grant_says_sqlite_has_no_roles(monkeypatch, tmp_path) -> None:
    result = run_bot(monkeypatch, f"sqlite:///{tmp_path / 'x.db'}", "db", "grant", "bot")
    assert result.exit_code == 2 and "SQLite has no roles" in result.output


def test_db_grant_refuses_a_superuser(engine, database_url, monkeypatch) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    result = run_bot(monkeypatch, database_url, "db", "grant", "postgres", "--apply")
    assert result.exit_code == 2 and "superuser" in result.output


def test_the_bot_role_answers_and_audits(engine, granted) -> None:
    """The bot's normal work as the role: find the asker, answer, write the audit entry."""
    role, url = granted
    with Session(engine) as session:
        small_council(session, TODAY)
    outcome = ask(engine_for(url), Identity("cli", staff_id="TM1"), "/caseload", today=TODAY,
                  settings=Settings())
    assert not isinstance(outcome.answer, Refusal) and outcome.asker is not None
    with Session(engine_for(url)) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor, entry.outcome, entry.seq) == ("TM1", "answered", 1)


@pytest.mark.parametrize("statement", FORBIDDEN)
def test_the_bot_role_cannot_change_the_audit_log_or_its_triggers(engine, granted, statement
                                                                  ) -> None:
    role, url = granted
    ask(engine_for(url), Identity("cli", staff_id="nobody"), "/caseload", today=TODAY,
        settings=Settings())  # one entry to try to change
    with pytest.raises(DBAPIError, match="permission denied|must be owner"):
        with engine_for(url).begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 1


def test_the_bot_runs_as_the_role_and_migrates_as_the_owner(engine, database_url, granted,
                                                            monkeypatch) -> None:
    """`ask` and `audit verify` as the role: start-up migrations connect as the owner when
    MIGRATION_DATABASE_URL is set; without it the role only reads that the store is at head."""
    role, url = granted
    with Session(engine) as session:
        small_council(session, TODAY)
    asked = run_bot(monkeypatch, url, "ask", "--as", "TM1", "--date", TODAY.isoformat(),
                    "/caseload", migration_url=database_url)
    assert asked.exit_code == 0, asked.output
    verified = run_bot(monkeypatch, url, "audit", "verify")  # no owner URL: at head, reads only
    assert verified.exit_code == 0 and "1 entry," in verified.output, verified.output
    upgrade(engine_for(url))  # already at head: nothing the role may not do


def test_the_scheduler_job_table_works_as_the_role(engine, granted) -> None:
    """APScheduler creates its table only if missing: migration 0004 made it as the owner, and
    the role may use it."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    role, url = granted
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine_for(url),
                                                 tablename="apscheduler_jobs")})
    scheduler.start(paused=True)
    try:
        scheduler.add_job("builtins:print", "interval", hours=1, id="probe")
        assert [job.id for job in scheduler.get_jobs()] == ["probe"]
        scheduler.remove_job("probe")
    finally:
        scheduler.shutdown(wait=False)


def test_db_upgrade_connects_as_migration_database_url(monkeypatch, tmp_path) -> None:
    """Migrations go to MIGRATION_DATABASE_URL when set, never through the bot's own URL."""
    from sqlalchemy import create_engine, inspect

    owners, bots = tmp_path / "owner.db", tmp_path / "bot.db"
    result = run_bot(monkeypatch, f"sqlite:///{bots}", "db", "upgrade",
                     migration_url=f"sqlite:///{owners}")
    assert result.exit_code == 0, result.output
    migrated = create_engine(f"sqlite:///{owners}")
    assert "audit_chain_head" in inspect(migrated).get_table_names()
    migrated.dispose()
    assert not bots.exists()
