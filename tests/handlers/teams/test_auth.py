"""With the Azure Bot's credentials configured, only requests carrying a valid Bot Framework token
reach the bot; with none configured, the endpoint runs in anonymous local mode and says so."""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import socket
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, select

from config import Settings
from handlers.teams.sdk import teams_auth
from models import AuditEntry
from tests.handlers.slack.harness import uvicorn_serving
from tests.handlers.teams.conftest import USERS, Chat, LiveServer, build_web_app
from tests.builders import COUNCIL_DAY as TODAY

REGISTERED = Settings(teams_app_id="00000000-0000-0000-0000-00000000b07a",
                      teams_app_password="not-a-real-secret",
                      teams_tenant_id="11111111-1111-1111-1111-111111111111")


@pytest.fixture(scope="module")
def registered_server(migrated_engine) -> Iterator[LiveServer]:
    with LiveServer(build_web_app(REGISTERED, migrated_engine, lambda: TODAY)) as live:
        yield live


def unsigned_token() -> str:
    """A token of the right shape that nobody signed (alg none, our app id as audience)."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return ".".join([part({"alg": "none", "typ": "JWT"}),
                     part({"aud": REGISTERED.teams_app_id, "iss": "https://api.botframework.com",
                           "serviceurl": "http://127.0.0.1/"}), ""])


@pytest.mark.parametrize("authorization", [
    None, "Bearer not-a-jwt", f"Bearer {unsigned_token()}", "Basic dXNlcjpwYXNz",
], ids=["no token", "garbage", "unsigned token", "wrong scheme"])
def test_a_request_without_a_valid_token_is_refused_before_any_handler_runs(
        registered_server, connector, engine, council, authorization) -> None:
    chat = Chat(registered_server.url, connector)
    connector.reset()
    headers = {"Authorization": authorization} if authorization else None
    user = USERS["TM1"]
    conversation, _ = chat.place(user, "personal")
    response = chat.post(chat.activity("message", user, conversation, text="caseload"),
                         headers=headers)
    assert response.status_code == 401
    assert connector.requests == []  # nothing was sent, not even the roster asked
    with Session(engine) as session:
        assert session.exec(select(AuditEntry)).all() == []  # no handler ran


def test_anonymous_mode_refuses_a_caller_from_another_machine(server, connector, engine,
                                                              council) -> None:
    # Behind a reverse proxy on this host, X-Forwarded-For names the real caller.
    chat = Chat(server.url, connector)
    connector.reset()
    user = USERS["TM1"]
    conversation, _ = chat.place(user, "personal")
    response = chat.post(chat.activity("message", user, conversation, text="caseload"),
                         headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403
    assert connector.requests == []
    with Session(engine) as session:
        assert session.exec(select(AuditEntry)).all() == []


def test_anonymous_mode_never_sends_an_answer_off_this_machine(server, connector, engine,
                                                               council) -> None:
    chat = Chat(server.url, connector)
    user = USERS["TM1"]
    conversation, _ = chat.place(user, "personal")
    activity = chat.activity("message", user, conversation, text="caseload")
    activity["serviceUrl"] = "https://smba.trafficmanager.net/emea/"
    assert chat.post(activity).status_code == 403
    with Session(engine) as session:
        assert session.exec(select(AuditEntry)).all() == []


def test_only_post_is_accepted(registered_server) -> None:
    assert httpx.get(f"{registered_server.url}/api/messages", timeout=5).status_code == 405


def test_with_no_credentials_the_endpoint_says_it_is_in_anonymous_local_mode(
        migrated_engine, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="handlers.teams"):
        build_web_app(Settings(), migrated_engine, lambda: TODAY)
    assert "Teams endpoint in anonymous local mode" in caplog.text


def test_with_credentials_the_log_names_the_app_but_never_the_password(migrated_engine,
                                                                       caplog) -> None:
    with caplog.at_level(logging.DEBUG):
        build_web_app(REGISTERED, migrated_engine, lambda: TODAY)
    assert "anonymous" not in caplog.text
    assert REGISTERED.teams_app_password not in caplog.text


def test_a_password_without_an_app_id_is_a_configuration_error_not_anonymous_mode() -> None:
    with pytest.raises(ValueError, match="TEAMS_APP_ID"):
        teams_auth(Settings(teams_app_password="secret"))


def this_machines_other_address() -> str | None:
    """An address of this machine that is not loopback (the default route's source), if any."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1; a UDP connect sends nothing
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


def test_anonymous_mode_judges_the_socket_peer_not_a_forwarded_header(
        migrated_engine, connector, engine, council) -> None:
    """With uvicorn trusting every proxy (FORWARDED_ALLOW_IPS='*'), a caller from another
    machine that says X-Forwarded-For: 127.0.0.1 is still another machine."""
    address = this_machines_other_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to call from")
    web = build_web_app(Settings(), migrated_engine, lambda: TODAY)
    with uvicorn_serving(web, host=address, forwarded_allow_ips="*") as base_url:
        chat = Chat(base_url, connector)
        connector.reset()
        user = USERS["TM1"]
        conversation, _ = chat.place(user, "personal")
        response = chat.post(chat.activity("message", user, conversation, text="caseload"),
                             headers={"X-Forwarded-For": "127.0.0.1"})
    assert response.status_code == 403
    assert connector.requests == []
    with Session(engine) as session:
        assert session.exec(select(AuditEntry)).all() == []


@pytest.mark.parametrize("body", [
    b"\xff\xfe not utf-8", b"not json", b"[1, 2]", b"null", b'{"type": 5}',
    b'{"type": "message", "conversation": "not an object"}', b"{}",
], ids=["not utf-8", "not json", "json array", "json null", "type not text",
        "conversation not an object", "no type or conversation"])
def test_a_malformed_activity_is_a_400(server, connector, engine, body: bytes) -> None:
    connector.reset()
    response = httpx.post(f"{server.url}/api/messages", content=body,
                          headers={"Content-Type": "application/json"}, timeout=15)
    assert response.status_code == 400
    assert connector.requests == []
