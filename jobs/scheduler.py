"""The weekly digest scheduler: APScheduler 3, its jobs kept in the bot's own database.

Jobs live in the SQLAlchemy job store (table ``apscheduler_jobs``) so a restart knows what was
due while it was down. Each digest kind is one job with a fixed id, replaced on every start
(so a changed DIGEST_CRON or grace takes effect) but keeping its stored next run time when the
trigger is unchanged: replacing it outright would recompute the next run from "now" and silently
drop a run missed during downtime. With ``coalesce`` and a misfire grace of
DIGEST_MISFIRE_GRACE_HOURS (12), a missed Monday 08:00 run is posted when the bot comes back
within 12 hours, once, and marked late; after that it is skipped.

A catch-up job runs every 15 minutes: within the grace window after each scheduled time it goes
through the same run again, which posts nothing already sent but retries a destination that
failed (a Slack outage) or a claim whose process died, and a run whose digest could not be built
(the database was down). Automatic retries stop after ``CATCH_UP_MAX_ATTEMPTS`` attempts.

Exactly one process should run the scheduler (``serve``; ``serve --no-scheduler`` on other
replicas). If two do by mistake, both may fire, and jobs.delivery still posts each digest once.

When IMPORT_DIR is set, the nightly import (jobs.ingest) is one more job here, at IMPORT_CRON.

Job functions are referenced by name and take only the digest kind, so nothing but plain text is
pickled into the store (never an engine or a token). The process that starts the scheduler
registers its settings and engine here for the jobs to use; a process that finds none (a job
store shared with a process started differently) builds them from the environment.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from config import Settings, get_settings
from jobs import DIGEST_KINDS
from jobs.posters import posters_for
from jobs.runner import RunReport, run_digests
from jobs.ingest import JOB_ID as INGEST_JOB_ID
from jobs.ingest import JOB_REF as INGEST_JOB_REF
from jobs.ingest import ingest_trigger
from jobs.ingest import misfire_grace as ingest_grace
from jobs.schedule import digest_trigger, last_fire_time, local_day

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
JOB_IDS: dict[str, str] = {kind: f"digest-{kind}" for kind in DIGEST_KINDS}
CATCH_UP_JOB_ID = "digest-catch-up"
RUN_DIGEST_REF = "jobs.scheduler:run_scheduled_digest"
CATCH_UP_REF = "jobs.scheduler:catch_up_digests"
REMIND_JOB_ID = "reminders-daily"
REMIND_CHECK_JOB_ID = "reminders-check"
REMIND_REF = "jobs.reminders:run_scheduled_reminders"

#: A run starting this long after its scheduled time is "late" (after downtime, or a retry).
LATE_AFTER = timedelta(minutes=5)
CATCH_UP_EVERY = timedelta(minutes=15)
CATCH_UP_MAX_ATTEMPTS = 5

_runtime: tuple[Settings, Engine] | None = None


def runtime() -> tuple[Settings, Engine]:
    """The settings and engine of the process running the scheduler (see the module docstring)."""
    if _runtime is not None:
        return _runtime
    from models.store import engine_for

    settings = get_settings()
    return settings, engine_for(settings.database_url)


def grace(settings: Settings) -> timedelta:
    return timedelta(hours=settings.digest_misfire_grace_hours)


def run_due_digest(
    kind: str, settings: Settings, engine: Engine, now: datetime, *,
    max_attempts: int | None = None,
) -> RunReport | None:
    """Run the digest for its latest scheduled time, if that was within the grace; else None.

    The period and the digest's date come from the scheduled time, not from when the run
    happens, so a late run posts the week it was due for.
    """
    due = last_fire_time(digest_trigger(settings), now, grace(settings) + timedelta(minutes=1))
    if due is None or now - due > grace(settings):
        log.warning("%s digest: no scheduled time within the last %s; nothing to run", kind,
                    grace(settings))
        return None
    late_for = due if now - due > LATE_AFTER else None
    return run_digests(engine, settings, kind, local_day(due, settings),
                       posters_for(settings, engine), late_for=late_for, max_attempts=max_attempts)


def run_scheduled_digest(kind: str) -> None:
    """The weekly job (referenced by name from the job store)."""
    settings, engine = runtime()
    report = run_due_digest(kind, settings, engine, datetime.now(timezone.utc))
    if report is not None and not report.ok:
        log.warning("%s digest for %s: some deliveries failed; the catch-up job retries them",
                    kind, report.period)


def catch_up_digests() -> None:
    """Every 15 minutes: retry what is unsent from the latest run of each kind, within the grace.

    Skips the first few minutes after a scheduled time, when the weekly job itself is running.
    """
    settings, engine = runtime()
    now = datetime.now(timezone.utc)
    due = last_fire_time(digest_trigger(settings), now, grace(settings) + timedelta(minutes=1))
    if due is None or now - due <= LATE_AFTER or now - due > grace(settings):
        return
    for kind in DIGEST_KINDS:
        try:
            run_due_digest(kind, settings, engine, now, max_attempts=CATCH_UP_MAX_ATTEMPTS)
        except Exception:  # noqa: BLE001 - one kind failing must not stop the others
            log.exception("catch-up of the %s digest failed; trying again in %s", kind,
                          CATCH_UP_EVERY)


def _stored_run_time(scheduler: BackgroundScheduler, job_id: str,
                     trigger: BaseTrigger) -> datetime | None:
    """The stored next run time of a job whose trigger is unchanged (it may be in the past)."""
    try:
        existing = scheduler.get_job(job_id)
    except Exception:  # noqa: BLE001 - a job stored by an older version that no longer loads
        log.warning("stored job %s could not be read; it is replaced", job_id)
        return None
    if existing is None or repr(existing.trigger) != repr(trigger):
        return None
    return existing.next_run_time


def extra_jobs(settings: Settings) -> list[tuple[str, str, BaseTrigger, str]]:
    """The jobs beside the digests: (id, function reference, trigger, name).

    The daily performance snapshot always; the monthly performance report when REPORT_MONTHLY.
    Each keeps its exactly-once record of its own (jobs.snapshots, jobs.monthly_report).
    """
    from jobs.snapshots import SNAPSHOT_JOB_ID, SNAPSHOT_REF, snapshot_trigger

    found: list[tuple[str, str, BaseTrigger, str]] = [
        (SNAPSHOT_JOB_ID, SNAPSHOT_REF, snapshot_trigger(settings), "daily performance snapshot"),
    ]
    if settings.report_monthly:
        from jobs.monthly_report import MONTHLY_REPORT_JOB_ID, MONTHLY_REPORT_REF, monthly_trigger

        found.append((MONTHLY_REPORT_JOB_ID, MONTHLY_REPORT_REF, monthly_trigger(settings),
                      "monthly performance report"))
    return found


def add_reminder_jobs(scheduler: BackgroundScheduler, settings: Settings, zone: ZoneInfo) -> None:
    """The daily reminders (jobs.reminders): at REMIND_CRON, and a check every
    REMIND_CHECK_MINUTES, which also picks up, after a restart, whatever was due meanwhile."""
    from jobs.schedule import reminder_trigger

    every = timedelta(minutes=settings.remind_check_minutes)
    scheduler.add_job(
        REMIND_REF, reminder_trigger(settings), id=REMIND_JOB_ID, name="daily reminders",
        replace_existing=True, coalesce=True, max_instances=1,
        misfire_grace_time=int(every.total_seconds()),
    )
    scheduler.add_job(
        REMIND_REF, IntervalTrigger(seconds=int(every.total_seconds()), timezone=zone),
        id=REMIND_CHECK_JOB_ID, name="reminder check", replace_existing=True, coalesce=True,
        max_instances=1, misfire_grace_time=int(every.total_seconds()),
    )


def start_scheduler(settings: Settings, engine: Engine) -> BackgroundScheduler:
    """Start the digest scheduler on the bot's database; the caller shuts it down on exit."""
    global _runtime
    _runtime = (settings, engine)
    zone = ZoneInfo(settings.bot_timezone)
    trigger = digest_trigger(settings)  # fails fast on a bad DIGEST_CRON, before anything runs
    nightly = ingest_trigger(settings) if settings.import_dir else None  # and IMPORT_CRON
    grace_seconds = int(grace(settings).total_seconds())
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace_seconds},
        timezone=zone,
    )
    scheduler.start(paused=True)
    for kind in DIGEST_KINDS:
        kept = _stored_run_time(scheduler, JOB_IDS[kind], trigger)
        scheduler.add_job(
            RUN_DIGEST_REF, trigger, id=JOB_IDS[kind], name=f"weekly {kind} digest",
            kwargs={"kind": kind}, replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=grace_seconds, **({"next_run_time": kept} if kept else {}),
        )
    wanted = extra_jobs(settings)
    from jobs.monthly_report import MONTHLY_REPORT_JOB_ID

    if MONTHLY_REPORT_JOB_ID not in {job_id for job_id, *_ in wanted}:
        try:  # REPORT_MONTHLY switched off since the last start: the stored job goes
            scheduler.remove_job(MONTHLY_REPORT_JOB_ID)
        except Exception:  # noqa: BLE001 - JobLookupError: it was never there
            pass
    for job_id, ref, job_trigger, name in wanted:
        kept = _stored_run_time(scheduler, job_id, job_trigger)
        scheduler.add_job(
            ref, job_trigger, id=job_id, name=name, replace_existing=True, coalesce=True,
            max_instances=1, misfire_grace_time=grace_seconds,
            **({"next_run_time": kept} if kept else {}),
        )
    scheduler.add_job(
        CATCH_UP_REF, IntervalTrigger(seconds=int(CATCH_UP_EVERY.total_seconds()), timezone=zone),
        id=CATCH_UP_JOB_ID, name="digest catch-up", replace_existing=True, coalesce=True,
        max_instances=1, misfire_grace_time=int(CATCH_UP_EVERY.total_seconds()),
    )
    _schedule_ingest(scheduler, settings, nightly)
    add_reminder_jobs(scheduler, settings, zone)
    scheduler.resume()
    for job in scheduler.get_jobs():
        log.info("scheduled %s: next run %s", job.name, job.next_run_time)
    if not posters_for(settings, engine):
        log.warning("no chat platform is configured: digests will be built but not posted")
    return scheduler


def _schedule_ingest(scheduler: BackgroundScheduler, settings: Settings,
                     trigger: BaseTrigger | None) -> None:
    """The nightly import of IMPORT_DIR (jobs.ingest), kept like the digests' jobs; removed
    when IMPORT_DIR is unset."""
    if trigger is None:
        if scheduler.get_job(INGEST_JOB_ID) is not None:
            scheduler.remove_job(INGEST_JOB_ID)
        return
    kept = _stored_run_time(scheduler, INGEST_JOB_ID, trigger)
    grace_seconds = int(ingest_grace(settings).total_seconds())
    scheduler.add_job(
        INGEST_JOB_REF, trigger, id=INGEST_JOB_ID, name="nightly import", replace_existing=True,
        coalesce=True, max_instances=1, misfire_grace_time=grace_seconds,
        **({"next_run_time": kept} if kept else {}),
    )


__all__ = ["CATCH_UP_JOB_ID", "JOB_IDS", "REMIND_CHECK_JOB_ID", "REMIND_JOB_ID", "LATE_AFTER",
           "add_reminder_jobs", "catch_up_digests", "run_due_digest",
           "run_scheduled_digest", "start_scheduler"]
