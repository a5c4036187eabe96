"""Replies to the Teams connector reuse kept-alive connections (issue #11, item 2).

The Agents SDK makes (and closes) an aiohttp session per turn, so every answer used to open a
new connection to the connector, with a full TLS handshake against the real one. Here the fake
connector speaks HTTPS with a certificate from a throw-away CA (trusted through SSL_CERT_FILE)
and counts the handshakes it completed across a run of messages. Counting, never timing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from aiohttp import connector as aiohttp_connector
from sqlalchemy.engine import Engine

from config import Settings
from handlers import transport
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.fakes.tls import ThrowAwayCA
from tests.handlers.teams.conftest import USERS, Chat, LiveServer, build_web_app
from tests.builders import COUNCIL_DAY as TODAY

MESSAGES = 10
#: One connection for a run of turns one after another, one spare. Before: one per turn.
AT_MOST_HANDSHAKES = 2


@pytest.fixture(scope="module")
def trusted_ca() -> Iterator[ThrowAwayCA]:
    """A CA trusted the standard way for this module, with a transport made after that."""
    ca = ThrowAwayCA()
    before = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(ca.ca_file)
    transport.close_shared_transport()
    # Sessions the SDK makes itself use aiohttp's context, made at import (before this fixture
    # set SSL_CERT_FILE): trust the CA there too, so without the pool the turns still get
    # through, and the count compares like with like.
    aiohttp_connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=str(ca.ca_file))
    yield ca
    if before is None:
        os.environ.pop("SSL_CERT_FILE", None)
    else:
        os.environ["SSL_CERT_FILE"] = before
    transport.close_shared_transport()
    ca.cleanup()


@pytest.fixture(scope="module")
def connector(trusted_ca: ThrowAwayCA) -> Iterator[FakeTeamsConnector]:
    with FakeTeamsConnector(tls=trusted_ca) as fake:
        fake.members.update({user.id: user.member() for user in USERS.values()})
        yield fake


@pytest.fixture(scope="module")
def server(trusted_ca: ThrowAwayCA, migrated_engine: Engine) -> Iterator[LiveServer]:
    app = build_web_app(Settings(), migrated_engine, lambda: TODAY)
    with LiveServer(app) as live:
        yield live


def test_the_fake_connector_speaks_https(connector: FakeTeamsConnector) -> None:
    assert connector.url.startswith("https://127.0.0.1:")


def test_answers_to_the_connector_share_one_tls_connection(
        chat: Chat, council: dict[str, object], connector: FakeTeamsConnector) -> None:
    chat.ask("TM1", "caseload")  # the first turn opens the connection (and reads the roster)
    before = connector.handshakes
    for _message in range(MESSAGES):
        assert "Caseload — Assessment North" in chat.ask("TM1", "caseload")
    assert connector.handshakes - before <= AT_MOST_HANDSHAKES
