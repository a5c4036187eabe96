"""SPEC section 11 in Teams: with REPORT_MONTHLY on, a head of service on Teams gets, in their 1:1
chat, a link to the month's report, exactly once, through the same delivery record as Slack's;
the link works for REPORT_MONTHLY_LINK_DAYS and not a moment longer."""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import httpx
from pypdf import PdfReader
from sqlmodel import Session, select

from config import Settings
from handlers.server import build_asgi_app
from jobs.monthly_report import NO_PUBLIC_URL, destination_for, run_monthly_reports
from jobs.slack_poster import slack_client
from models import Delivery, ReportLink, Staff
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.teams.conftest import LiveServer
from tests.handlers.teams.test_install import added_to_personal_chat

PUBLIC_URL = "https://caseload-bot.council.example"
HEAD_CHAT = "a:personal-29:helen"
FIRST_WORKING_DAY = date(2026, 12, 1)  # a Tuesday
SENT_AT = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)  # 08:00 in London (GMT)


def report_settings(**changes: object) -> Settings:
    values: dict = {"public_base_url": PUBLIC_URL, "report_months": 2, **changes}
    return Settings(**values)


def deliveries(engine) -> list[tuple[str, str, str, str, int]]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        rows = session.exec(select(Delivery).order_by(Delivery.id)).all()
    return [(row.digest, row.period, row.destination, row.status, row.attempts) for row in rows]


def link_in(card: dict) -> str:
    return next(action["url"] for action in card.get("actions", [])
                if action.get("type") == "Action.OpenUrl")


def test_the_one_destination_rule_is_the_reminders(council) -> None:
    helen = Staff(staff_id="HS1", name="Helen", slack_user_id="UHS1", teams_user_id="aad-hs1")
    assert destination_for(helen, slack=True, teams=True) == "slack:dm:UHS1"
    assert destination_for(helen, slack=False, teams=True) == "teams-dm:aad-hs1"
    teams_only = Staff(staff_id="HS2", name="Hari", teams_user_id="aad-hs2")
    assert destination_for(teams_only, slack=True, teams=True) == "teams-dm:aad-hs2"
    assert destination_for(teams_only, slack=True, teams=False) is None


def test_a_head_of_service_on_teams_gets_a_link_to_their_report_once(chat, council,
                                                                      engine) -> None:
    chat.post(added_to_personal_chat(chat, "HS1"))
    chat.connector.reset()
    settings = report_settings()

    first = run_monthly_reports(engine, settings, None, FIRST_WORKING_DAY, now=SENT_AT,
                                teams=True)
    again = run_monthly_reports(engine, settings, None, FIRST_WORKING_DAY,
                                now=SENT_AT + timedelta(hours=2), teams=True)
    assert (first.sent, first.failed, again.sent, again.already) == (1, 0, 0, 1)
    [sent] = chat.connector.activities(HEAD_CHAT)
    assert "monthly performance report for Safeguarding" in sent.text
    assert "2 months to 30 November 2026" in sent.text
    assert "works until 08:00 on Tuesday 8 December 2026" in sent.text
    assert deliveries(engine) == [("report", "2026-12", "teams-dm:aad-hs1", "sent", 1)]
    with Session(engine) as session:
        assert session.exec(select(Delivery.message_ref)).one().startswith("activity-")
        [stored] = session.exec(select(ReportLink)).all()
    expires = stored.expires_at
    expires = expires.replace(tzinfo=timezone.utc) if expires.tzinfo is None else expires
    assert (stored.staff_id, expires) == ("HS1", SENT_AT + timedelta(days=7))

    link = link_in(sent.card)
    assert link.startswith(f"{PUBLIC_URL}/reports/")
    clock = [SENT_AT]
    app = build_asgi_app(settings, engine, teams=False, clock=lambda: clock[0])
    with LiveServer(app) as web:
        clock[0] = SENT_AT + timedelta(days=7) - timedelta(seconds=1)  # the link's last second
        response = httpx.get(web.url + urlsplit(link).path, timeout=30)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        cover = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        assert "Performance report — Safeguarding" in cover and "30 November 2026" in cover

        clock[0] = SENT_AT + timedelta(days=7)  # expired
        response = httpx.get(web.url + urlsplit(link).path, timeout=10)
        assert response.status_code == 404 and b"%PDF" not in response.content


def test_without_public_base_url_the_delivery_is_recorded_as_failed(chat, council, engine,
                                                                     caplog) -> None:
    chat.post(added_to_personal_chat(chat, "HS1"))
    chat.connector.reset()
    settings = report_settings(public_base_url="")

    with caplog.at_level(logging.WARNING, logger="jobs.monthly_report"):
        run = run_monthly_reports(engine, settings, None, FIRST_WORKING_DAY, now=SENT_AT,
                                  teams=True)
    assert (run.sent, run.failed) == (0, 1)
    assert "PUBLIC_BASE_URL is not set" in caplog.text
    assert chat.connector.activities(HEAD_CHAT) == []
    with Session(engine) as session:
        row = session.exec(select(Delivery)).one()
        assert session.exec(select(ReportLink)).all() == []
    assert (row.destination, row.status, row.error) == ("teams-dm:aad-hs1", "failed",
                                                        NO_PUBLIC_URL)

    # Once the address is set, the next run within the grace sends it: still one record.
    later = SENT_AT + timedelta(hours=1)
    retry = run_monthly_reports(engine, report_settings(), None, FIRST_WORKING_DAY, now=later,
                                teams=True)
    assert (retry.sent, retry.failed) == (1, 0)
    assert len(chat.connector.activities(HEAD_CHAT)) == 1
    assert deliveries(engine) == [("report", "2026-12", "teams-dm:aad-hs1", "sent", 2)]


def test_a_head_with_no_stored_teams_chat_is_recorded_as_failed_not_raised(chat, council,
                                                                          engine) -> None:
    run = run_monthly_reports(engine, report_settings(), None, FIRST_WORKING_DAY, now=SENT_AT,
                              teams=True)
    assert (run.sent, run.failed) == (0, 1)
    with Session(engine) as session:
        row = session.exec(select(Delivery)).one()
    assert row.status == "failed" and "no 1:1 Teams chat is stored" in (row.error or "")


def test_with_slack_configured_a_head_with_a_slack_id_gets_slack_only(chat, council,
                                                                      engine) -> None:
    chat.post(added_to_personal_chat(chat, "HS1"))
    chat.connector.reset()
    with FakeSlackApi() as slack:
        settings = report_settings(slack_api_url=slack.url, slack_bot_token="xoxb-test-monthly")
        run = run_monthly_reports(engine, settings, slack_client(settings, backoff_s=0.01),
                                  FIRST_WORKING_DAY, now=SENT_AT, teams=True)
        assert [call.body.get("users") for call in slack.calls_to("conversations.open")] == [
            "UHS1"]
    assert run.sent == 1 and chat.connector.activities(HEAD_CHAT) == []
    assert deliveries(engine) == [("report", "2026-12", "slack:dm:UHS1", "sent", 1)]
