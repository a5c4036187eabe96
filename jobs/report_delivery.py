"""Sending the performance report to a person: built here, uploaded to their Slack DM, or linked
from their 1:1 Teams chat.

Used by `/staffing report` (after the chat answer says it is coming) and by the monthly job. The
report is the one `bot.py report performance` writes (reports.performance, reports.pdf); the DM
is opened with conversations.open and the PDF uploaded with files_upload_v2 (Slack's
files.getUploadURLExternal, the upload, then files.completeUploadExternal into the DM), so only
the asker sees it. The file lists no child and no worker by name: figures only.

Teams (the monthly job; `/staffing report` in Teams answers in its own turn, handlers.teams.bot):
the PDF is kept behind a link to the bot's own web server (reports.links), working for
REPORT_MONTHLY_LINK_DAYS, and a card with that link is posted proactively to the person's stored
1:1 chat (handlers.teams.proactive.post_messages, as the digests and reminders are).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings
from reports.pdf import render_pdf
from reports.performance import build_report

log = logging.getLogger(__name__)


def report_filename(scope: str, as_of: date) -> str:
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in scope).lower().split())
    return f"performance-report-{slug}-{as_of.isoformat()}.pdf"


def report_pdf(engine: Engine, settings: Settings, *, service_id: int | None, as_of: date,
               today: date, months: int) -> tuple[str, bytes]:
    """(scope name, PDF bytes) of the report for a service (None: all services)."""
    with Session(engine) as session:
        report = build_report(session, as_of=as_of, today=today, settings=settings,
                              months=months, service_id=service_id)
    return report.scope, render_pdf(report)


def upload_to_slack_dm(client: WebClient, user_id: str, scope: str, as_of: date, pdf: bytes,
                       comment: str) -> str:
    """Open the DM with the user and upload the PDF into it; returns the DM channel id."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=channel, file=pdf, filename=report_filename(scope, as_of),
        title=f"Performance report — {scope}, {as_of:%-d %B %Y}", initial_comment=comment,
    )
    return channel


def send_report_to_slack_user(
    engine: Engine, settings: Settings, client: WebClient, user_id: str, *,
    service_id: int | None, as_of: date, today: date, months: int,
) -> str:
    scope, pdf = report_pdf(engine, settings, service_id=service_id, as_of=as_of, today=today,
                            months=months)
    return upload_to_slack_dm(
        client, user_id, scope, as_of, pdf,
        f"Your performance report for {scope}: {months} month ends to {as_of:%-d %B %Y}.")


def send_report_link_to_teams(
    engine: Engine, settings: Settings, destination: str, staff_id: str, *,
    service_id: int | None, as_of: date, today: date, months: int, now: datetime,
) -> str:
    """Build the report, store it behind a REPORT_MONTHLY_LINK_DAYS link and post the link to the
    Teams destination (``teams-dm:<Teams user id>``); returns the posted activity's id.

    LookupError when PUBLIC_BASE_URL is unset (no address to link to); the proactive post's own
    errors (handlers.teams.proactive.DestinationUnknown: no stored 1:1 chat) pass through."""
    from handlers.teams.bot import monthly_report_link_message
    from handlers.teams.proactive import post_messages
    from reports.links import create_report_link

    if not settings.public_base_url:
        raise LookupError("PUBLIC_BASE_URL is not set, so there is no address to link to")
    scope, pdf = report_pdf(engine, settings, service_id=service_id, as_of=as_of, today=today,
                            months=months)
    valid_for = timedelta(days=settings.report_monthly_link_days)
    url = create_report_link(engine, settings, pdf=pdf, filename=report_filename(scope, as_of),
                             staff_id=staff_id, now=now, valid_for=valid_for)
    until = (now + valid_for).astimezone(ZoneInfo(settings.bot_timezone))
    message = monthly_report_link_message(scope, months, as_of, url, until)
    return asyncio.run(post_messages(settings, engine, destination, [message]))[0]


__all__ = ["report_filename", "report_pdf", "send_report_link_to_teams",
           "send_report_to_slack_user", "upload_to_slack_dm"]
