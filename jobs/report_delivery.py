"""Sending the performance report to a person: built here, uploaded to their Slack DM.

Used by `/staffing report` (after the chat answer says it is coming) and by the monthly job. The
report is the one `bot.py report performance` writes (reports.performance, reports.pdf); the DM
is opened with conversations.open and the PDF uploaded with files_upload_v2 (Slack's
files.getUploadURLExternal, the upload, then files.completeUploadExternal into the DM), so only
the asker sees it. The file lists no child and no worker by name: figures only.
"""

from __future__ import annotations

import logging
from datetime import date

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


__all__ = ["report_filename", "report_pdf", "send_report_to_slack_user", "upload_to_slack_dm"]
