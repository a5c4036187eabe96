"""The reminder jobs under real APScheduler triggers: two schedulers on one store, then a restart,
and each person still gets one reminder for the day.

"Now" for the job is a fixed working-day morning (jobs.reminders.CLOCK), so the test does not
depend on the day it runs; the triggers, job store, executor threads, Slack client and delivery
record are all real.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

import jobs.reminders as reminders_module
from jobs.scheduler import JOB_TABLE, REMIND_CHECK_JOB_ID, REMIND_JOB_ID, start_scheduler
from tests.jobs.test_reminders import AT_0830, people, reminder_rows  # noqa: F401
from tests.jobs.test_scheduler import LONDON, schedulers, wait_until  # noqa: F401


@pytest.fixture
def thursday_morning():  # type: ignore[no-untyped-def]
    reminders_module.CLOCK = lambda: AT_0830 + timedelta(minutes=20)
    yield
    reminders_module.CLOCK = reminders_module.utc_now


def runs(caplog) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for record in list(caplog.records)
               if record.getMessage().startswith('Running job "reminder check'))


def fire_now(scheduler) -> None:  # type: ignore[no-untyped-def]
    scheduler.modify_job(REMIND_CHECK_JOB_ID, next_run_time=datetime.now(LONDON)
                         + timedelta(seconds=1))


def test_reminders_are_scheduled_at_remind_cron_and_checked_every_15_minutes(
        engine, slack_settings, schedulers) -> None:  # noqa: F811
    running = start_scheduler(slack_settings, engine)
    schedulers.append(running)
    daily = running.get_job(REMIND_JOB_ID).next_run_time.astimezone(LONDON)
    assert daily.strftime("%H:%M") == "08:30" and daily.weekday() < 5
    check = running.get_job(REMIND_CHECK_JOB_ID)
    assert check.trigger.interval == timedelta(minutes=15)


def test_exactly_once_across_two_schedulers_and_a_restart(
        engine, people, slack, slack_settings, schedulers, thursday_morning,  # noqa: F811
        caplog) -> None:
    caplog.set_level(logging.INFO, logger="apscheduler")
    settings = replace(slack_settings, remind_sends_per_second=0)
    first = start_scheduler(settings, engine)
    schedulers.append(first)
    second = start_scheduler(settings, engine)
    schedulers.append(second)
    fire_now(first)

    # Hold the job table (reads allowed, writes wait) so neither scheduler can move the job on
    # before the other has read it as due: both run it.
    connection = engine.connect()
    transaction = connection.begin()
    try:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"LOCK TABLE {JOB_TABLE} IN EXCLUSIVE MODE"))
        else:
            connection.execute(text(f"DELETE FROM {JOB_TABLE} WHERE 1 = 0"))
        first.wakeup()
        second.wakeup()
        wait_until(lambda: runs(caplog) == 2, timeout=15)
    finally:
        transaction.rollback()
        connection.close()
    slack.wait_for("chat.postMessage", count=3, timeout=20)
    first.shutdown(wait=True)
    second.shutdown(wait=True)
    assert len(slack.calls_to("chat.postMessage")) == 3

    restarted = start_scheduler(settings, engine)  # the bot comes back the same morning
    schedulers.append(restarted)
    fire_now(restarted)
    wait_until(lambda: runs(caplog) == 3, timeout=15)
    restarted.shutdown(wait=True)
    assert sorted(call.body["channel"] for call in slack.calls_to("chat.postMessage")) == [
        "UNQ1", "USW1", "UTM1"]
    assert {(row.status, row.attempts) for row in reminder_rows(engine)} == {("sent", 1)}
