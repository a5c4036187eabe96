"""The daily performance snapshot: exactly once per service and day (SPEC section 11).

What the store keeps no history of — overdue visits, supervision on time, NQSW breaches — is
recorded every day at SNAPSHOT_TIME (23:30 Europe/London by default, so a month end's snapshot
is that day's close) from the day the bot is installed; the performance report reads it back for
past months (queries.figures_history). The figures are queries.performance's, the same the
digests use.

Exactly once: a row's unique key (day, service) lets one INSERT win whichever scheduler, retry or
manual run tries; the losers skip. A run missed while the bot was down is made up on return within
DIGEST_MISFIRE_GRACE_HOURS, for the day it was due (not the day it ran), as digests are; a day
missed for longer stays missing and the report shows "no data", never an invented figure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from config import Settings
from jobs.schedule import last_fire_time, local_day, parse_digest_cron
from models import PerformanceSnapshot, Service
from queries.performance import daily_figures

log = logging.getLogger(__name__)

SNAPSHOT_JOB_ID = "performance-snapshot"
SNAPSHOT_REF = "jobs.snapshots:run_scheduled_snapshot"


@dataclass(frozen=True)
class SnapshotRun:
    day: date
    recorded: int  # services recorded by this run
    already: int  # services some other run had recorded for the day


def snapshot_trigger(settings: Settings) -> CronTrigger:
    """Every day at SNAPSHOT_TIME in BOT_TIMEZONE."""
    try:
        return parse_digest_cron(settings.snapshot_time, ZoneInfo(settings.bot_timezone))
    except ValueError:
        raise ValueError(f"SNAPSHOT_TIME={settings.snapshot_time!r} is not a time of day "
                         "(HH:MM)") from None


def record_snapshots(engine: Engine, day: date, settings: Settings,
                     now: datetime | None = None) -> SnapshotRun:
    """Record each service's figures for ``day``, unless already recorded (see the docstring)."""
    with Session(engine) as session:
        services = list(session.exec(select(Service.id).order_by(Service.name)).all())
        done = set(session.exec(select(PerformanceSnapshot.service_id)
                                .where(PerformanceSnapshot.day == day)).all())
    recorded = already = 0
    for service_id in services:
        if service_id in done:
            already += 1
            continue
        with Session(engine) as session:
            figures = daily_figures(session, service_id, day, settings)  # type: ignore[arg-type]
            session.add(PerformanceSnapshot(
                day=day, service_id=service_id, overdue_visits=figures.overdue_visits,
                supervision_people=figures.supervision_people,
                supervision_on_time=figures.supervision_on_time,
                nqsw_breaches=figures.nqsw_breaches,
                recorded_at=now or datetime.now(timezone.utc),
            ))
            try:
                session.commit()
            except IntegrityError:  # another run recorded it between our read and our insert
                session.rollback()
                already += 1
                continue
        recorded += 1
    log.info("performance snapshot for %s: %d service(s) recorded, %d already", day, recorded,
             already)
    return SnapshotRun(day, recorded, already)


def run_scheduled_snapshot() -> None:
    """The daily job (referenced by name from the job store): the day it was due for."""
    from jobs.scheduler import grace, runtime

    settings, engine = runtime()
    now = datetime.now(timezone.utc)
    due = last_fire_time(snapshot_trigger(settings), now, grace(settings) + timedelta(minutes=1))
    if due is None or now - due > grace(settings):
        log.warning("performance snapshot: no scheduled time within the last %s", grace(settings))
        return
    record_snapshots(engine, local_day(due, settings), settings, now)


__all__ = ["SNAPSHOT_JOB_ID", "SNAPSHOT_REF", "SnapshotRun", "record_snapshots",
           "run_scheduled_snapshot", "snapshot_trigger"]
