"""The monthly performance report: each head of service, by Slack DM or in their 1:1 Teams chat,
on the first working day of the month (REPORT_MONTHLY, off by default; SPEC section 11).

The job runs on weekdays at REPORT_MONTHLY_TIME (08:00 Europe/London) and does nothing unless the
day is the month's first working day (England and Wales bank holidays excluded, from the
`holidays` package: 1 January 2027 is a bank holiday, so January's report goes on Monday 4th).
The report covers the REPORT_MONTHS month ends up to the last day of the month just finished.

Where: one DM per head of service, by the reminders' rule (jobs.notes.destination_for): Slack
when they have a Slack user id and Slack is configured (the PDF uploaded into the DM), else
Teams when they have a Teams user id and Teams is configured — a card posted proactively to
their stored 1:1 chat with a link to the PDF on the bot's web server (reports.links), working
for REPORT_MONTHLY_LINK_DAYS (7): an unattended message is read when they get to it. The link
needs PUBLIC_BASE_URL; without it the Teams delivery is recorded as failed with that reason and
the log says so (the job carries on). A head reachable on neither is skipped, and logged.

Exactly once per head of service and month through the digests' delivery record
(jobs.delivery): the key is ("report", service, "YYYY-MM", destination), the destination being
"slack:dm:USER" or "teams-dm:TEAMS_USER_ID" (the digests' Teams DM name), claimed before the
upload or post and marked sent after, so restarts, a second scheduler or a manual re-run never
send it twice, and a failed one is retried by the next run within the grace.
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
from jobs.report_delivery import send_report_link_to_teams, send_report_to_slack_user
from jobs.schedule import last_fire_time, local_day, parse_digest_cron
from models import Service, Staff
from queries.calendar import add_working_days
from queries.caseload import in_post_on

log = logging.getLogger(__name__)

MONTHLY_REPORT_JOB_ID = "monthly-performance-report"
MONTHLY_REPORT_REF = "jobs.monthly_report:run_scheduled_monthly_report"
KIND = "report"
#: This job's Slack destination name since it was first written (kept, so a month already sent
#: is never sent again under a new name).
SLACK_DM = "slack:dm:"
#: handlers.teams.proactive.DM: the head of service's 1:1 chat, as the digests name it.
TEAMS_DM = "teams-dm:"
NO_PUBLIC_URL = ("PUBLIC_BASE_URL is not set: a Teams report link needs the bot's public "
                 "address")


@dataclass(frozen=True)
class MonthlyRun:
    day: date
    sent: int = 0
    already: int = 0
    failed: int = 0
    skipped: int = 0  # heads of service reachable on no configured platform
    not_first_working_day: bool = False


def first_working_day(day: date) -> date:
    """The first working day of ``day``'s month: the first after the previous month's last."""
    return add_working_days(day.replace(day=1) - timedelta(days=1), 1)


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


def destination_for(head: Staff, *, slack: bool, teams: bool) -> str | None:
    """The one DM a head of service gets (jobs.notes.destination_for's rule): Slack when they
    have a Slack user id and Slack is configured, else Teams likewise; None when neither."""
    if slack and head.slack_user_id:
        return f"{SLACK_DM}{head.slack_user_id}"
    if teams and head.teams_user_id:
        return f"{TEAMS_DM}{head.teams_user_id}"
    return None


def run_monthly_reports(engine: Engine, settings: Settings, client: WebClient | None, day: date,
                        *, now: datetime | None = None, late: bool = False,
                        teams: bool = False) -> MonthlyRun:
    """Send each head of service their report, once, if ``day`` is the first working day.

    ``client``: Slack's (None: Slack is not configured); ``teams``: Teams is configured.
    ``now`` is the claim's time and the Teams link's start (its expiry counts from it)."""
    if day != first_working_day(day):
        return MonthlyRun(day, not_first_working_day=True)
    as_of = day.replace(day=1) - timedelta(days=1)  # the month just finished
    period = day.strftime("%Y-%m")
    sent = already = failed = skipped = 0
    with Session(engine, expire_on_commit=False) as session:
        heads = heads_of_service(session, day)
    for head, service in heads:
        destination = destination_for(head, slack=client is not None, teams=teams)
        if destination is None:
            log.info("monthly report: %s has no user id on a configured chat platform "
                     "(Slack: %s, Teams: %s); skipped", head.staff_id,
                     "on" if client is not None else "off", "on" if teams else "off")
            skipped += 1
            continue
        key = DeliveryKey(KIND, service.id, period, destination)  # type: ignore[arg-type]
        started = now or datetime.now(timezone.utc)
        held = claim(engine, key, now=started, late=late)
        if held is None:
            already += 1
            continue
        try:
            if destination.startswith(SLACK_DM):
                assert client is not None
                message_ref = send_report_to_slack_user(
                    engine, settings, client, head.slack_user_id,  # type: ignore[arg-type]
                    service_id=service.id, as_of=as_of, today=day, months=settings.report_months)
            elif not settings.public_base_url:
                log.warning("monthly report for %s (%s) not sent in Teams: %s; recorded as "
                            "failed", service.name, head.staff_id, NO_PUBLIC_URL)
                mark_failed(engine, held, error=NO_PUBLIC_URL, message_ref=None)
                failed += 1
                continue
            else:
                message_ref = send_report_link_to_teams(
                    engine, settings, destination, head.staff_id, service_id=service.id,
                    as_of=as_of, today=day, months=settings.report_months, now=started)
        except Exception as failure:  # noqa: BLE001 - recorded and retried, never raised
            mark_failed(engine, held, error=safe_error(failure), message_ref=None)
            log.warning("monthly report for %s (%s) failed: %s", service.name, destination,
                        safe_error(failure))
            failed += 1
            continue
        mark_sent(engine, held, now=now or datetime.now(timezone.utc), message_ref=message_ref)
        sent += 1
    return MonthlyRun(day, sent, already, failed, skipped)


def run_scheduled_monthly_report() -> None:
    """The job (referenced by name from the job store): the day it was due for."""
    from jobs.scheduler import LATE_AFTER, grace, runtime
    from jobs.slack_poster import slack_client

    settings, engine = runtime()
    if not (settings.slack_enabled or settings.teams_enabled):
        log.warning("monthly report: neither Slack nor Teams is configured, nothing sent")
        return
    now = datetime.now(timezone.utc)
    due = last_fire_time(monthly_trigger(settings), now, grace(settings) + timedelta(minutes=1))
    if due is None or now - due > grace(settings):
        return
    client = slack_client(settings) if settings.slack_enabled else None
    run_monthly_reports(engine, settings, client, local_day(due, settings),
                        now=now, late=now - due > LATE_AFTER, teams=settings.teams_enabled)


__all__ = ["MONTHLY_REPORT_JOB_ID", "MONTHLY_REPORT_REF", "MonthlyRun", "destination_for",
           "first_working_day", "monthly_trigger", "run_monthly_reports",
           "run_scheduled_monthly_report"]
