"""SPEC section 11 in Teams: `staffing report` answers, then sends the asker a short-lived link to
the PDF on the bot's own web server (a Teams bot cannot simply upload a file to a 1:1 chat)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from models import AuditEntry
from reports.links import create_report_link
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.handlers.teams.conftest import Chat, LiveServer, build_web_app
from tests.builders import COUNCIL_DAY as TODAY

PUBLIC_URL = "https://caseload-bot.council.example"


@pytest.fixture(scope="module")
def report_server(migrated_engine: Engine) -> Iterator[LiveServer]:
    app = build_web_app(Settings(public_base_url=PUBLIC_URL, report_months=2), migrated_engine,
                        lambda: TODAY)
    with LiveServer(app) as live:
        yield live


@pytest.fixture
def report_chat(report_server: LiveServer, connector: FakeTeamsConnector, engine: Engine
                ) -> Chat:
    connector.reset()
    report_server.app.state.teams_bot.forget_caches()
    return Chat(report_server.url, connector)


def link_in(chat: Chat, conversation: str) -> str:
    cards = [sent.card for sent in chat.connector.activities(conversation) if sent.card]
    return next(action["url"] for card in cards for action in card.get("actions", [])
                if action.get("type") == "Action.OpenUrl")


def test_staffing_report_in_teams_sends_a_link_to_the_pdf(report_chat, report_server, council,
                                                          engine) -> None:
    conversation = report_chat.send("HS1", "staffing report")
    said = " ".join(report_chat.replies(conversation))
    assert "performance report for Safeguarding" in said and "works for 15 minutes" in said
    link = link_in(report_chat, conversation)
    assert link.startswith(f"{PUBLIC_URL}/reports/")
    response = httpx.get(report_server.url + urlsplit(link).path, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Performance report — Safeguarding" in text
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()  # type: ignore[union-attr]
    assert (entry.front_end, entry.actor, entry.outcome) == ("teams", "HS1", "answered")


def test_an_expired_or_made_up_report_link_serves_nothing(report_server, engine) -> None:
    settings = Settings(public_base_url=PUBLIC_URL, report_link_minutes=15)
    made = datetime.now(timezone.utc) - timedelta(minutes=16)
    stale = create_report_link(engine, settings, pdf=b"%PDF-1.4 old", filename="old.pdf",
                               staff_id="HS1", now=made)
    for path in (urlsplit(stale).path, "/reports/not-a-real-token"):
        response = httpx.get(report_server.url + path, timeout=10)
        assert response.status_code == 404 and b"%PDF" not in response.content


def test_staffing_report_in_teams_is_refused_for_a_practitioner(report_chat, council) -> None:
    reply = report_chat.ask("SW1", "staffing report")
    assert "for heads of service and admins" in reply and "/reports/" not in reply
