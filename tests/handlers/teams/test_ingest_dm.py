"""The nightly import's result reaches admins in Teams too, once per load (jobs.ingest)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel import Session, select

from config import Settings
from jobs.ingest import Load, notify_admins
from models import Delivery
from tests.handlers.teams.test_install import added_to_personal_chat
from tests.builders import COUNCIL_DAY as TODAY

ADMIN_CHAT = "a:personal-29:ada"


def test_an_admin_gets_the_import_result_in_their_teams_chat_once(chat, council, engine) -> None:
    chat.post(added_to_personal_chat(chat, "AD1"))
    chat.connector.reset()
    load = Load(datetime(2026, 11, 23, 6, 2, tzinfo=timezone.utc), "ab" * 32, False, ())
    for _run in range(2):
        [outcome] = notify_admins(engine, Settings(), load, "Nightly import: loaded.", TODAY,
                                  platforms=("teams",))
    assert outcome.status == "already sent"
    assert "Nightly import: loaded." in chat.reply(ADMIN_CHAT)
    with Session(engine) as session:
        assert [(d.digest, d.destination, d.status) for d in session.exec(select(Delivery))] \
            == [("ingest", "teams-dm:aad-ad1", "sent")]
