"""Replies and Web API calls reuse one TLS context and kept-alive connections (issue #11, item 2).

Against HTTPS with a real certificate chain (a throw-away CA, trusted through SSL_CERT_FILE, as
production trusts Slack's), the fake Slack counts the TCP connections it accepted and the TLS
handshakes it completed. Before the shared transport every reply and every Web API call opened
its own connection (urllib sends `Connection: close`), so N replies cost N handshakes; now they
cost a small constant, whatever N. Counting, never timing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from handlers import transport
from handlers.slack.commands import reply
from jobs.slack_poster import slack_client
from tests.builders import Council
from tests.fakes.slack_api import RESPONSE_URL_METHOD, FakeSlackApi
from tests.fakes.tls import ThrowAwayCA, close_connections
from tests.handlers.slack.harness import ServedSlack, served_slack, slack_settings

MANAGER = "UTM1"  # Tara Manager (tests/builders.small_council)
REPLIES = 12
#: One connection for the replies and Web API calls made one after another; one spare in case
#: the server closed an idle one in between. Before: one per request (REPLIES + 1 or more).
AT_MOST_CONNECTIONS = 2


@pytest.fixture(scope="module")
def throw_away_ca() -> Iterator[ThrowAwayCA]:
    ca = ThrowAwayCA()
    yield ca
    ca.cleanup()


@pytest.fixture
def trusted_ca(throw_away_ca: ThrowAwayCA, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[ThrowAwayCA]:
    """Trust the throw-away CA the standard way, with a transport made after that was set."""
    monkeypatch.setenv("SSL_CERT_FILE", str(throw_away_ca.ca_file))
    transport.close_shared_transport()
    yield throw_away_ca
    transport.close_shared_transport()


@pytest.fixture
def https_slack(trusted_ca: ThrowAwayCA) -> Iterator[FakeSlackApi]:
    with FakeSlackApi(tls=trusted_ca) as fake:
        yield fake


@pytest.fixture
def served_https(engine: Engine, https_slack: FakeSlackApi, council: Council
                 ) -> Iterator[ServedSlack]:
    with served_slack(engine, https_slack) as served:
        yield served


def test_the_fake_slack_speaks_https_with_a_chain_from_the_throw_away_ca(
        https_slack: FakeSlackApi) -> None:
    assert https_slack.url.startswith("https://127.0.0.1:")
    assert reply(https_slack.response_url("check/1"), {"text": "hi", "blocks": []})
    assert https_slack.handshakes == 1


def test_a_reply_to_a_server_whose_certificate_is_not_trusted_is_not_sent(
        throw_away_ca: ThrowAwayCA, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared context verifies certificates: without the CA trusted, nothing goes out."""
    other_ca = ThrowAwayCA()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(other_ca.ca_file))
        transport.close_shared_transport()
        with FakeSlackApi(tls=throw_away_ca) as fake:
            assert not reply(fake.response_url("untrusted/1"), {"text": "hi", "blocks": []})
            assert fake.calls_to(RESPONSE_URL_METHOD) == []
    finally:
        transport.close_shared_transport()
        other_ca.cleanup()


def test_replies_to_response_urls_share_one_tls_connection(served_https: ServedSlack) -> None:
    before = served_https.fake.handshakes  # auth.test at start-up
    for _number in range(REPLIES):
        answer = served_https.ask(MANAGER, "/caseload")
        assert "caseload" in str(answer.body.get("text", "")).lower()
    assert served_https.fake.handshakes - before <= AT_MOST_CONNECTIONS
    assert served_https.fake.connections <= AT_MOST_CONNECTIONS + 1


def test_web_api_calls_share_one_tls_connection(served_https: ServedSlack) -> None:
    """Direct messages are answered with chat.postMessage through the Web API client."""
    before = served_https.fake.handshakes
    for number in range(REPLIES):
        response = served_https.send_dm(MANAGER, "caseload")
        assert response.status_code == 200
        served_https.fake.wait_for("chat.postMessage", count=number + 1)
    assert served_https.fake.handshakes - before <= AT_MOST_CONNECTIONS


def test_the_digest_poster_client_shares_the_connection_and_the_context(
        https_slack: FakeSlackApi) -> None:
    client = slack_client(slack_settings(https_slack), backoff_s=0.01)
    other = slack_client(slack_settings(https_slack), backoff_s=0.01)
    assert client.ssl is other.ssl is transport.shared_transport().ssl_context
    for number in range(REPLIES):
        (client if number % 2 else other).chat_postMessage(channel="C1", text="figures")
    assert https_slack.handshakes <= AT_MOST_CONNECTIONS


def test_retries_still_work_over_the_pool(https_slack: FakeSlackApi) -> None:
    """slack_sdk's retry handlers see what urlopen would have raised: a 429 with Retry-After is
    retried for a reply, a 503 for a Web API call."""
    https_slack.fail_next(RESPONSE_URL_METHOD, 429, retry_after=0)
    assert reply(https_slack.response_url("retried/1"), {"text": "hi", "blocks": []})
    assert [call.status for call in https_slack.calls_to(RESPONSE_URL_METHOD, ok_only=False)] \
        == [429, 200]
    https_slack.fail_next("chat.postMessage", 503)
    response = slack_client(slack_settings(https_slack), backoff_s=0.01).chat_postMessage(
        channel="C1", text="figures")
    assert response["ok"]
    assert [call.status for call in https_slack.calls_to("chat.postMessage", ok_only=False)] \
        == [503, 200]


def test_a_kept_alive_connection_the_server_closed_is_reopened(https_slack: FakeSlackApi
                                                               ) -> None:
    assert reply(https_slack.response_url("first/1"), {"text": "one", "blocks": []})
    close_connections(https_slack._counts)  # the server drops its idle kept-alive connection
    assert reply(https_slack.response_url("second/1"), {"text": "two", "blocks": []})
    assert len(https_slack.calls_to(RESPONSE_URL_METHOD)) == 2
    assert https_slack.handshakes == 2


def test_shutdown_closes_the_kept_alive_connections(engine: Engine, https_slack: FakeSlackApi,
                                                    council: Council) -> None:
    with served_slack(engine, https_slack) as served:
        served.ask(MANAGER, "/caseload")
        pool = transport.shared_transport()
    assert pool.closed
    with https_slack._counts.lock:
        still_open = len(https_slack._counts.open)
    assert still_open == 0
