"""The Teams front end over real HTTP: the web app under uvicorn on a loopback port, activities
POSTed to /api/messages as the Bot Framework would, and a fake connector (tests/fakes) as the
activities' serviceUrl, recording what the bot sends back.

One server per module (starting uvicorn per test would cost more than the tests); every test
starts from an empty store, an empty recording and a bot with nothing cached.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from models import Staff
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.builders import COUNCIL_DAY as TODAY, query_council

BOT = {"id": "28:caseload-bot", "name": "Caseload bot"}
TENANT = "tenant-1"


def build_web_app(settings: Settings, engine: Engine, today: Callable[[], date]) -> Any:
    """The real web app (handlers.server) when it is there, else a bare one with Teams mounted."""
    try:
        from handlers.server import build_asgi_app
    except ImportError:
        from fastapi import FastAPI

        from handlers.teams import mount_teams

        app = FastAPI()
        mount_teams(app, settings, engine, today=today)
        return app
    return build_asgi_app(settings, engine, today=today)


class LiveServer:
    """uvicorn serving an ASGI app on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, name="teams-test-uvicorn",
                                       daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass(frozen=True)
class TeamsUser:
    """A person as Teams shows them to the bot."""

    id: str  # the Teams user id ("29:…")
    name: str
    aad_object_id: str | None
    email: str | None = None  # what the roster says

    def account(self) -> dict[str, Any]:
        account: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.aad_object_id:
            account["aadObjectId"] = self.aad_object_id
        return account

    def member(self) -> dict[str, Any]:
        member = {**self.account(), "tenantId": TENANT}
        if self.email:
            member.update(email=self.email, userPrincipalName=self.email)
        return member


#: Entra object ids on staff records: Sam, Tess, Helen and Ada; Priya is known only by e-mail.
USERS = {
    "SW1": TeamsUser("29:sam", "Sam Worker", "aad-sw1", "sam@council.gov.uk"),
    "NQ1": TeamsUser("29:nia", "Nia Newly", "aad-nq1", "nia@council.gov.uk"),
    "TM1": TeamsUser("29:tess", "Tess Manager", "aad-tm1", "tess@council.gov.uk"),
    "HS1": TeamsUser("29:helen", "Helen Head", "aad-hs1", "helen@council.gov.uk"),
    "AD1": TeamsUser("29:ada", "Ada Admin", "aad-ad1", "ada@council.gov.uk"),
    "SW2": TeamsUser("29:priya", "Priya Parttime", "aad-not-on-record", "PRIYA@council.gov.uk"),
    "STRANGER": TeamsUser("29:stranger", "Stan Ranger", "aad-stranger", "stan@elsewhere.org"),
}
TEAMS_USER_IDS = {"SW1": "aad-sw1", "NQ1": "aad-nq1", "TM1": "aad-tm1", "HS1": "aad-hs1",
                  "AD1": "aad-ad1"}


@dataclass
class Chat:
    """Posts Bot Framework activities to the bot and reads what it sent to the connector."""

    server_url: str
    connector: FakeTeamsConnector
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None
             ) -> httpx.Response:
        return httpx.post(f"{self.server_url}/api/messages", json=activity, headers=headers,
                          timeout=15)

    def activity(self, kind: str, user: TeamsUser, conversation: dict[str, Any],
                 channel_data: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "id": f"incoming-{next(self.ids)}",
            "timestamp": "2026-11-23T09:00:00Z",
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": user.account(),
            "recipient": BOT,
            "conversation": conversation,
            "channelData": {"tenant": {"id": TENANT}, **(channel_data or {})},
            "locale": "en-GB",
            **fields,
        }

    def send(self, who: str, text: str | None = None, *, value: dict[str, Any] | None = None,
             where: str = "personal") -> str:
        """A message from `who` (a USERS key) in their 1:1 chat, or in a channel or group chat;
        returns the conversation id it was posted in."""
        user = USERS[who]
        conversation, channel_data = self.place(user, where)
        fields: dict[str, Any] = {"textFormat": "plain"}
        if text is not None:
            fields["text"] = text
        if value is not None:
            fields["value"] = value
        if where != "personal" and text is not None:
            fields["text"] = f"<at>Caseload bot</at> {text}"
            fields["entities"] = [{"type": "mention", "text": "<at>Caseload bot</at>",
                                   "mentioned": BOT}]
        response = self.post(self.activity("message", user, conversation, channel_data, **fields))
        assert response.status_code in (200, 202), response.text
        return conversation["id"]

    @staticmethod
    def place(user: TeamsUser, where: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if where == "personal":
            return ({"id": f"a:personal-{user.id}", "conversationType": "personal",
                     "tenantId": TENANT}, {})
        if where == "channel":
            return ({"id": "19:safeguarding-leads@thread.tacv2;messageid=1700000000001",
                     "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
                    {"team": {"id": "19:safeguarding-team@thread.tacv2",
                              "name": "Safeguarding"},
                     "channel": {"id": "19:safeguarding-leads@thread.tacv2",
                                 "name": "Leads"}})
        if where == "group":
            return ({"id": "19:group-chat@thread.v2", "conversationType": "groupChat",
                     "isGroup": True, "name": "Duty managers", "tenantId": TENANT}, {})
        raise ValueError(where)

    def replies(self, conversation_id: str) -> list[str]:
        """What was posted to one conversation, as readable text (card JSON included)."""
        return [sent.text for sent in self.connector.activities(conversation_id)]

    def reply(self, conversation_id: str) -> str:
        found = self.replies(conversation_id)
        assert len(found) == 1, f"expected one reply in {conversation_id}, got {found}"
        return found[0]

    def ask(self, who: str, text: str, where: str = "personal") -> str:
        """Send, and return the one reply in that conversation."""
        self.connector.reset()
        return self.reply(self.send(who, text, where=where))


@pytest.fixture(scope="module")
def connector() -> Iterator[FakeTeamsConnector]:
    with FakeTeamsConnector() as fake:
        fake.members.update({user.id: user.member() for user in USERS.values()})
        yield fake


@pytest.fixture(scope="module")
def server(migrated_engine: Engine) -> Iterator[LiveServer]:
    app = build_web_app(Settings(), migrated_engine, lambda: TODAY)
    with LiveServer(app) as live:
        yield live


@pytest.fixture
def chat(server: LiveServer, connector: FakeTeamsConnector, engine: Engine) -> Chat:
    """An empty store, an empty recording, and a bot that remembers nothing."""
    connector.reset()
    server.app.state.teams_bot.forget_caches()
    return Chat(server.url, connector)


@pytest.fixture
def council(engine: Engine) -> dict[str, object]:
    """The query tests' council, with Entra object ids on most staff records."""
    with Session(engine, expire_on_commit=False) as session:
        rows = query_council(session)
        for staff in session.exec(select(Staff).where(
                Staff.staff_id.in_(TEAMS_USER_IDS))).all():  # type: ignore[attr-defined]
            staff.teams_user_id = TEAMS_USER_IDS[staff.staff_id]
            session.add(staff)
        session.commit()
    return rows
