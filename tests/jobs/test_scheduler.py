"""The scheduler for real: APScheduler 3 BackgroundSchedulers on the SQLAlchemy job store.

Nothing is mocked. A run "missed while the bot was down" is a job left in the store with a next
run time in the past, exactly what a stopped process leaves behind; the digest time
(DIGEST_CRON) is set a little before now so the tests run in seconds, not on Mondays.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text
from sqlmodel import Session, select

import jobs.scheduler as scheduler_module
from jobs.snapshots import SNAPSHOT_JOB_ID
from jobs.digests import iso_period
from jobs.schedule import digest_trigger, local_day
from jobs.scheduler import (
    CATCH_UP_JOB_ID,
    JOB_IDS,
    REMIND_CHECK_JOB_ID,
    REMIND_JOB_ID,
    JOB_TABLE,
    RUN_DIGEST_REF,
    start_scheduler,
)
from models import Delivery

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def schedulers() -> Iterator[list[BackgroundScheduler]]:
    """Schedulers started by a test, shut down (waiting for their jobs) however it ends."""
    started: list[BackgroundScheduler] = []
    yield started
    for running in started:
        if running.running:
            running.shutdown(wait=True)
    scheduler_module._runtime = None


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def daily_at(moment: datetime) -> str:
    """A crontab that fires every day at this local minute."""
    local = moment.astimezone(LONDON)
    return f"{local.minute} {local.hour} * * *"


def leave_job_in_store(engine, settings, kind: str, next_run_time: datetime) -> None:  # type: ignore[no-untyped-def]
    """What a process that stopped leaves behind: the job in the store, due at `next_run_time`.

    Written through the job store itself, with no scheduler thread: a scheduler shut down
    while paused can still process its jobs once (an APScheduler 3 race), which would move the
    job on before the test starts.
    """
    owner = BackgroundScheduler(timezone=LONDON)  # never started: only names the job's owner
    store = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
    store.start(owner, "default")
    store.remove_all_jobs()
    store.add_job(Job(owner, id=JOB_IDS[kind], func=RUN_DIGEST_REF, args=(),
                      kwargs={"kind": kind}, trigger=digest_trigger(settings),
                      executor="default", name=f"weekly {kind} digest",
                      misfire_grace_time=settings.digest_misfire_grace_hours * 3600,
                      coalesce=True, max_instances=1, next_run_time=next_run_time))


def deliveries(engine) -> list[Delivery]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(Delivery)).all())


def running_logs(caplog, kind: str) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for record in list(caplog.records)
               if record.getMessage().startswith(f'Running job "weekly {kind} digest'))


def test_start_stores_the_weekly_jobs_the_catch_up_the_snapshot_and_the_reminders(
    engine, slack_settings, schedulers
) -> None:
    running = start_scheduler(slack_settings, engine)
    schedulers.append(running)
    jobs = {job.id: job for job in running.get_jobs()}
    assert set(jobs) == {*JOB_IDS.values(), CATCH_UP_JOB_ID, SNAPSHOT_JOB_ID, REMIND_JOB_ID,
                         REMIND_CHECK_JOB_ID}
    now = datetime.now(LONDON)
    for kind, job_id in JOB_IDS.items():
        job = jobs[job_id]
        assert job.kwargs == {"kind": kind} and job.args == ()
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 12 * 3600)
        local = job.next_run_time.astimezone(LONDON)
        assert (local.strftime("%a %H:%M"), local > now) == ("Mon 08:00", True)
        assert local - now <= timedelta(days=7)
    with engine.connect() as connection:  # persisted in the bot's own database
        stored = connection.execute(text(f"SELECT id FROM {JOB_TABLE}")).scalars().all()
    assert set(stored) == set(jobs)


def test_a_restart_keeps_a_missed_run_and_a_new_cron_replaces_it(
    engine, slack_settings, schedulers
) -> None:
    settings = replace(slack_settings, slack_bot_token="")  # build nothing, post nothing
    missed = datetime.now(LONDON).replace(microsecond=0) + timedelta(days=3)
    leave_job_in_store(engine, settings, "staffing", missed)
    running = start_scheduler(settings, engine)
    schedulers.append(running)
    assert running.get_job(JOB_IDS["staffing"]).next_run_time == missed
    running.shutdown(wait=True)

    changed = replace(settings, digest_cron="tue 09:30")
    running = start_scheduler(changed, engine)
    schedulers.append(running)
    local = running.get_job(JOB_IDS["staffing"]).next_run_time.astimezone(LONDON)
    assert local.strftime("%a %H:%M") == "Tue 09:30"


def test_a_run_missed_while_down_is_posted_on_return_once_marked_late(
    engine, council, slack, slack_settings, schedulers
) -> None:
    due = datetime.now(LONDON).replace(second=0, microsecond=0) - timedelta(hours=2)
    settings = replace(slack_settings, digest_cron=daily_at(due))
    leave_job_in_store(engine, settings, "actions", due)

    running = start_scheduler(settings, engine)
    schedulers.append(running)
    slack.wait_for("chat.postMessage", count=4, timeout=20)
    wait_until(lambda: len([row for row in deliveries(engine) if row.status == "sent"]) == 4)
    rows = deliveries(engine)
    assert {(row.digest, row.period, row.late, row.attempts) for row in rows} == {
        ("actions", iso_period(local_day(due, settings)), True, 1)}
    posted = slack.calls_to("chat.postMessage")
    assert all("Posted late: this digest was due" in str(call.body["blocks"]) for call in posted)
    # Once: the job moved on to tomorrow, and nothing more is posted.
    next_run = running.get_job(JOB_IDS["actions"]).next_run_time
    assert next_run.astimezone(LONDON) == due + timedelta(days=1)
    time.sleep(0.5)
    assert len(slack.calls_to("chat.postMessage")) == 4


def test_a_run_missed_by_more_than_12_hours_is_skipped(
    engine, council, slack, slack_settings, schedulers, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="apscheduler")
    due = datetime.now(LONDON).replace(second=0, microsecond=0) - timedelta(hours=13)
    settings = replace(slack_settings, digest_cron=daily_at(due))
    leave_job_in_store(engine, settings, "actions", due)

    running = start_scheduler(settings, engine)
    schedulers.append(running)
    wait_until(lambda: any("was missed by" in record.getMessage()
                           for record in list(caplog.records)))
    wait_until(lambda: running.get_job(JOB_IDS["actions"]).next_run_time
               > datetime.now(LONDON))
    running.shutdown(wait=True)
    assert slack.calls_to("chat.postMessage") == []
    assert deliveries(engine) == []


def test_two_schedulers_on_one_store_post_once(
    engine, council, slack, slack_settings, schedulers, caplog
) -> None:
    """Both schedulers run the job (the store is held so neither can move it on first); the
    delivery record lets one post each digest."""
    caplog.set_level(logging.INFO, logger="apscheduler")
    now = datetime.now(LONDON)
    if now.second > 50:  # keep the digest's minute and its run in the same minute
        time.sleep(61 - now.second)
        now = datetime.now(LONDON)
    settings = replace(slack_settings, digest_cron=daily_at(now))
    leave_job_in_store(engine, settings, "actions", now + timedelta(seconds=3))

    first = start_scheduler(settings, engine)
    schedulers.append(first)
    second = start_scheduler(settings, engine)
    schedulers.append(second)
    assert first.get_job(JOB_IDS["actions"]).next_run_time == second.get_job(
        JOB_IDS["actions"]).next_run_time

    # Hold the job table (reads allowed, writes wait) so that neither scheduler can record the
    # job's next run before the other has read it as due.
    connection = engine.connect()
    transaction = connection.begin()
    try:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"LOCK TABLE {JOB_TABLE} IN EXCLUSIVE MODE"))
        else:
            connection.execute(text(f"DELETE FROM {JOB_TABLE} WHERE 1 = 0"))
        wait_until(lambda: running_logs(caplog, "actions") == 2, timeout=15)
    finally:
        transaction.rollback()
        connection.close()

    slack.wait_for("chat.postMessage", count=4, timeout=20)
    first.shutdown(wait=True)
    second.shutdown(wait=True)
    assert running_logs(caplog, "actions") == 2  # both ran it …
    assert len(slack.calls_to("chat.postMessage")) == 4  # … and each destination got one post
    rows = deliveries(engine)
    assert len(rows) == 4
    assert {(row.status, row.attempts, row.late) for row in rows} == {("sent", 1, False)}


def test_the_catch_up_posts_what_the_weekly_run_could_not_once(
    engine, council, slack, slack_settings, schedulers
) -> None:
    """The weekly run found Slack refusing one post; 20 minutes on, the catch-up job posts it
    (marked late) and posts nothing else, however often it runs."""
    due = datetime.now(LONDON).replace(second=0, microsecond=0) - timedelta(minutes=20)
    settings = replace(slack_settings, digest_cron=daily_at(due))
    slack.fail_next("chat.postMessage", 400, times=1)
    first = scheduler_module.run_due_digest("actions", settings, engine, due + timedelta(seconds=5))
    assert first is not None and not first.ok
    assert first.period == iso_period(local_day(due, settings))
    assert len(slack.calls_to("chat.postMessage")) == 3

    scheduler_module._runtime = (settings, engine)
    scheduler_module.catch_up_digests()  # all three kinds: actions' failed one, and the others
    scheduler_module.catch_up_digests()
    posted = [call for call in slack.calls_to("chat.postMessage")
              if not call.body.get("thread_ts")]  # the digests, not the charts in their threads
    assert len(posted) == 4 + 4 + 4
    rows = deliveries(engine)
    assert {(row.status, row.digest) for row in rows} == {
        ("sent", kind) for kind in ("actions", "staffing", "supervision")}
    retried = [row for row in rows if row.attempts == 2]
    assert len(retried) == 1 and retried[0].late and retried[0].digest == "actions"


def test_the_catch_up_does_nothing_outside_the_grace(engine, council, slack, slack_settings,
                                                      schedulers) -> None:
    due = datetime.now(LONDON).replace(second=0, microsecond=0) - timedelta(hours=13)
    scheduler_module._runtime = (replace(slack_settings, digest_cron=daily_at(due)), engine)
    scheduler_module.catch_up_digests()
    assert slack.calls == [] and deliveries(engine) == []
