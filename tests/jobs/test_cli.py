"""`python bot.py digest KIND [--date D] [--dry-run]` (SPEC section 6): the same path as the
scheduler, so a manual run and a scheduled one for the same week post once between them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from jobs.cli import run_digest_command
from jobs.scheduler import run_due_digest
from models import Delivery
from tests.builders import COUNCIL_DAY as AS_OF, COUNCIL_WEEK as PERIOD

#: 30 seconds after the scheduled Monday 08:00 of the council's week.
SCHEDULED_RUN = datetime(2026, 11, 23, 8, 0, 30, tzinfo=ZoneInfo("Europe/London"))


def delivery_rows(engine) -> list[Delivery]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(Delivery)).all())


def test_dry_run_prints_every_service_and_posts_and_records_nothing(
    engine, council, slack, slack_settings, capsys
) -> None:
    assert run_digest_command("staffing", AS_OF, True, slack_settings) == 0
    out = capsys.readouterr().out
    assert "Weekly staffing digest — Children in Care (week 2026-W48" in out
    assert "Weekly staffing digest — Safeguarding (week 2026-W48" in out
    assert "Vacancy rate" in out and "18.8%" in out
    assert "Sw1 Person" in out  # the dry run shows what the head of service's DM would
    assert "nothing was posted or recorded" in out
    assert slack.calls == []
    assert delivery_rows(engine) == []


def test_a_manual_run_then_the_scheduled_run_posts_once(engine, council, slack, slack_settings,
                                                        capsys) -> None:
    assert run_digest_command("actions", AS_OF, False, slack_settings) == 0
    assert len(slack.calls_to("chat.postMessage")) == 4
    out = capsys.readouterr().out
    assert "Safeguarding → slack-dm:UHS1: sent" in out
    assert "Safeguarding → slack-channel:#sg-digest: sent" in out

    report = run_due_digest("actions", slack_settings, engine, SCHEDULED_RUN)
    assert report is not None and report.period == PERIOD
    assert all("already sent" in service.note for service in report.services)
    assert len(slack.calls_to("chat.postMessage")) == 4


def test_the_scheduled_run_then_a_manual_run_posts_once(engine, council, slack, slack_settings,
                                                        capsys) -> None:
    report = run_due_digest("supervision", slack_settings, engine, SCHEDULED_RUN)
    assert report is not None and report.ok
    digests = lambda: [call for call in slack.calls_to("chat.postMessage")  # noqa: E731
                       if not call.body.get("thread_ts")]  # not the charts in their threads
    assert len(digests()) == 4
    assert run_digest_command("supervision", AS_OF, False, slack_settings) == 0
    assert "already sent to all 2 destinations" in capsys.readouterr().out
    assert len(digests()) == 4
    assert {row.late for row in delivery_rows(engine)} == {False}  # 30 s after 08:00 is on time


def test_a_failed_post_exits_non_zero_and_a_rerun_retries_it(engine, council, slack,
                                                             slack_settings, capsys) -> None:
    slack.fail_next("chat.postMessage", 400, times=1)  # Slack refuses one post outright
    assert run_digest_command("actions", AS_OF, False, slack_settings) == 1
    captured = capsys.readouterr()
    assert "failed — Slack API error (HTTP 400): fatal_error" in captured.out
    assert "Run the same command again" in captured.err
    assert run_digest_command("actions", AS_OF, False, slack_settings) == 0
    assert len(slack.calls_to("chat.postMessage")) == 4
    assert {row.status for row in delivery_rows(engine)} == {"sent"}


def test_an_unknown_kind_is_refused_with_the_kinds(slack_settings, capsys) -> None:
    assert run_digest_command("budget", AS_OF, False, slack_settings) == 2
    assert "Use one of: staffing, supervision, actions" in capsys.readouterr().err


def test_without_a_slack_token_nothing_is_posted_and_it_says_why(engine, council, slack,
                                                                 slack_settings, capsys) -> None:
    settings = replace(slack_settings, slack_bot_token="")
    assert run_digest_command("staffing", AS_OF, False, settings) == 1
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err
    assert slack.calls == [] and delivery_rows(engine) == []


def test_the_bot_digest_command_is_wired(engine, council, database_url, monkeypatch) -> None:
    from typer.testing import CliRunner

    import bot
    from config import reset_settings_cache

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    reset_settings_cache()
    try:
        result = CliRunner().invoke(bot.app, ["digest", "actions", "--dry-run"])
    finally:
        reset_settings_cache()
    assert result.exit_code == 0, result.output
    assert "Weekly actions digest — Safeguarding" in result.output
