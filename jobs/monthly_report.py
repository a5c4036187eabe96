"""The monthly performance report: each head of service, by Slack DM, on the first working day
of the month (REPORT_MONTHLY, off by default; SPEC section 11).

The job runs on weekdays at REPORT_MONTHLY_TIME (08:00 Europe/London) and does nothing unless the
day is the month's first working day (England and Wales bank holidays excluded, from the
`holidays` package: 1 January 2027 is a bank holiday, so January's report goes on Monday 4th).
The report covers the REPORT_MONTHS month ends up to the last day of the month just finished.

Exactly once per head of service and month through the digests' delivery record
(jobs.delivery): the key is ("report", service, "YYYY-MM", "slack:dm:USER"), claimed before the
upload and marked sent after, so restarts, a second scheduler or a manual re-run never send it
twice, and a failed upload is retried by the next run within the grace. Heads of service with
no Slack user id are skipped, and said so in the log: Teams users ask `/staffing report` (a
proactive Teams link is not built yet).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from jobs.delivery import DeliveryKey, claim, mark_failed, mark_sent, safe_error
from jobs.report_delivery import send_report_to_slack_user
from jobs.schedule import last_fire_time, local_day, parse_digest_cron
from models import Service, Staff
from queries.calendar import is_working_day
from queries.caseload import in_post_on

log = logging.getLogger(__name__)

MONTHLY_REPORT_JOB_ID = "monthly-performance-report"
MONTHLY_REPORT_REF = "jobs.monthly_report:run_scheduled_monthly_report"
KIND = "report"


@dataclass(frozen=True)
class MonthlyRun:
    day: date
    sent: int = 0
    already: int = 0
    failed: int = 0
    skipped: int = 0  # heads of service with no Slack user id
    not_first_working_day: bool = False


def first_working_day(day: date) -> date:
    """The first working day of ``day``'s month."""
    first = day.replace(day=1)
    while not is_working_day(first):
        first += timedelta(days=1)
    return first


def monthly_trigger(settings: Settings) -> CronTrigger:
    """Weekdays at REPORT_MONTHLY_TIME; the job itself keeps only the first working day."""
    try:
        return parse_digest_cron(f"mon-fri {settings.report_monthly_time}",
                                 ZoneInfo(settings.bot_timezone))
    except ValueError:
        raise ValueError(f"REPORT_MONTHLY_TIME={settings.report_monthly_time!r} is not a time of "
                         "day (HH:MM)") from None


def heads_of_service(session: Session, day: date) -> list[tuple[Staff, Service]]:
    return list(session.exec(
        select(Staff, Service).join(Service, Service.id == Staff.service_id)
        .where(Staff.role == "head_of_service", in_post_on(day))
        .order_by(Service.name, Staff.name)
    ).all())


def run_monthly_reports(engine: Engine, settings: Settings, client: WebClient, day: date, *,
                        now: datetime | None = None, late: bool = False) -> MonthlyRun:
    """Send each head of service their report, once, if ``day`` is the first working day."""
    if day != first_working_day(day):
        return MonthlyRun(day, not_first_working_day=True)
    as_of = day.replace(day=1) - timedelta(days=1)  # the month just finished
    period = day.strftime("%Y-%m")
    sent = already = failed = skipped = 0
    with Session(engine, expire_on_commit=False) as session:
        heads = heads_of_service(session, day)
    for head, service in heads:
        if not head.slack_user_id:
            log.info("monthly report: %s has no Slack user id; skipped", head.staff_id)
            skipped += 1
            continue
        key = DeliveryKey(KIND, service.id, period, f"slack:dm:{head.slack_user_id}")  # type: ignore[arg-type]
        held = claim(engine, key, now=now or datetime.now(timezone.utc), late=late)
        if held is None:
            already += 1
            continue
        try:
            channel = send_report_to_slack_user(
                engine, settings, client, head.slack_user_id, service_id=service.id,
                as_of=as_of, today=day, months=settings.report_months)
        except Exception as failure:  # noqa: BLE001 - recorded and retried, never raised
            mark_failed(engine, held, error=safe_error(failure), message_ref=None)
            log.warning("monthly report for %s failed: %s", service.name, safe_error(failure))
            failed += 1
            continue
        mark_sent(engine, held, now=now or datetime.now(timezone.utc), message_ref=channel)
        sent += 1
    return MonthlyRun(day, sent, already, failed, skipped)


def run_scheduled_monthly_report() -> None:
    """The job (referenced by name from the job store): the day it was due for."""
    from jobs.scheduler import LATE_AFTER, grace, runtime
    from jobs.slack_poster import slack_client

    settings, engine = runtime()
    if not settings.slack_enabled:
        log.warning("monthly report: Slack is not configured, nothing sent")
        return
    now = datetime.now(timezone.utc)
    due = last_fire_time(monthly_trigger(settings), now, grace(settings) + timedelta(minutes=1))
    if due is None or now - due > grace(settings):
        return
    run_monthly_reports(engine, settings, slack_client(settings), local_day(due, settings),
                        now=now, late=now - due > LATE_AFTER)


__all__ = ["MONTHLY_REPORT_JOB_ID", "MONTHLY_REPORT_REF", "MonthlyRun", "first_working_day",
           "monthly_trigger", "run_monthly_reports", "run_scheduled_monthly_report"]
