"""SPEC section 11: the daily performance snapshot, exactly once per service and day, run by the
real APScheduler trigger from the bot's job store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import Session, select

from jobs.schedule import local_day
from jobs.scheduler import JOB_TABLE, start_scheduler
from jobs.snapshots import SNAPSHOT_JOB_ID, SNAPSHOT_REF, record_snapshots, snapshot_trigger
from models import PerformanceSnapshot, Service
from queries.performance import daily_figures
from tests.builders import small_council
from tests.jobs.test_scheduler import schedulers, wait_until  # noqa: F401  (fixture)

LONDON = ZoneInfo("Europe/London")


def snapshot_rows(engine) -> list[PerformanceSnapshot]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(PerformanceSnapshot)).all())


def leave_snapshot_job_due(engine, settings, due: datetime) -> None:  # type: ignore[no-untyped-def]
    """The job as a stopped process leaves it: in the store, due at ``due`` (see test_scheduler)."""
    owner = BackgroundScheduler(timezone=LONDON)
    store = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
    store.start(owner, "default")
    store.remove_all_jobs()
    store.add_job(Job(owner, id=SNAPSHOT_JOB_ID, func=SNAPSHOT_REF, args=(), kwargs={},
                      trigger=snapshot_trigger(settings), executor="default",
                      name="daily performance snapshot", coalesce=True, max_instances=1,
                      misfire_grace_time=settings.digest_misfire_grace_hours * 3600,
                      next_run_time=due))


def test_the_snapshot_job_records_each_service_once_a_day(engine, settings, database_url,
                                                          schedulers) -> None:  # noqa: F811
    due = datetime.now(LONDON).replace(second=0, microsecond=0) - timedelta(hours=1)
    settings = replace(settings, database_url=database_url,
                       snapshot_time=f"{due.hour:02d}:{due.minute:02d}")
    day = local_day(due, settings)
    with Session(engine) as session:
        small_council(session, day)
        services = {service.id: service.name for service in session.exec(select(Service))}
    leave_snapshot_job_due(engine, settings, due)

    first = start_scheduler(settings, engine)  # finds the missed run and makes it up
    schedulers.append(first)
    wait_until(lambda: len(snapshot_rows(engine)) == len(services))
    wait_until(lambda: first.get_job(SNAPSHOT_JOB_ID).next_run_time > datetime.now(LONDON))
    second = start_scheduler(settings, engine)  # a second scheduler by mistake
    schedulers.append(second)
    again = record_snapshots(engine, day, settings)  # and a manual run
    assert (again.recorded, again.already) == (0, len(services))

    rows = snapshot_rows(engine)
    assert sorted((row.day, row.service_id) for row in rows) == sorted(
        (day, service) for service in services)
    with Session(engine) as session:  # what was recorded is what the figures say that day
        for row in rows:
            live = daily_figures(session, row.service_id, day, settings)
            assert (row.overdue_visits, row.supervision_people, row.supervision_on_time,
                    row.nqsw_breaches) == (live.overdue_visits, live.supervision_people,
                                           live.supervision_on_time, live.nqsw_breaches)
    next_run = first.get_job(SNAPSHOT_JOB_ID).next_run_time.astimezone(LONDON)
    assert next_run == due + timedelta(days=1)
