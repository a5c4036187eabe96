"""SPEC section 8 over Slack: ack within 3 s; store or Slack down → "try again shortly", nothing
lost, the process keeps serving and recovers; junk never breaks it; no token is ever logged."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import Team
from models.migrate import upgrade
from models.store import make_engine
from tests.builders import Builder, small_council
from tests.fakes.slack_api import RESPONSE_URL_METHOD, FakeSlackApi
from tests.handlers.slack.harness import (
    BOT_TOKEN,
    SETTLE_SECONDS,
    SIGNING_SECRET,
    TODAY,
    ServedSlack,
    answer_text,
    served_slack,
)

TRY_AGAIN = "try again shortly"
SLASH_COMMANDS = ("/caseload", "/protected", "/actions", "/supervision")
TRICKY_TEXT = st.sampled_from([
    "<!channel>", "<!here|here>", "<@U0NOBODY|ghost>", "<#C0123|general>", "<mailto:a@b|a@b>",
    "team <!everyone>", "done <A1> <!channel>", "update A1 \u202eevil\u202c", "log @ 2026-13-45",
    "capacity \u00a0cp", "team \u0000\u0007", "plan " + "x" * 2500, "😀 " * 50, "ｃａｐａｃｉｔｙ",
    "done A1 " + "e" * 1990, "&amp;&lt;&gt;", "%00%0d%0a", "\r\n\t", "'; DROP TABLE staff; --",
])


def assert_nothing_can_ping(call_body: dict) -> None:
    """Whatever the user typed, no mrkdwn in the answer contains Slack's control characters."""
    texts = [call_body.get("text", "")]
    for block in call_body.get("blocks", []):
        for part in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(part, dict) and part.get("type") == "mrkdwn":
                texts.append(part["text"])
    for text in texts:
        assert "<" not in text and ">" not in text, text


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(SLASH_COMMANDS),
       text=st.one_of(st.text(max_size=120), TRICKY_TEXT),
       user=st.sampled_from(["UTM1", "USW1", "UHOS1", "UADM1", "UNOBODY"]))
def test_junk_and_unicode_arguments_never_fail_and_always_answer(
    slack: ServedSlack, command: str, text: str, user: str,
) -> None:
    response, path = slack.send_command(user, command, text)
    assert response.status_code == 200
    answer = slack.answer_at(path)
    assert answer.body["text"] and answer.body["blocks"]
    assert len(answer.body["blocks"]) <= 50
    assert TRY_AGAIN not in answer_text(answer)  # a real answer, not a hidden fault
    assert_nothing_can_ping(answer.body)


def test_the_ack_arrives_before_the_answer(engine: Engine, fake_slack: FakeSlackApi,
                                           council: object) -> None:
    gate = threading.Event()

    def slow_today() -> date:  # the question cannot start until the test opens the gate
        gate.wait(10)
        return TODAY

    with served_slack(engine, fake_slack, today=slow_today) as slack:
        started = time.monotonic()
        response, path = slack.send_command("UTM1", "/caseload")
        acked_in = time.monotonic() - started
        assert response.status_code == 200 and acked_in < 3
        time.sleep(SETTLE_SECONDS)
        assert fake_slack.calls_to(RESPONSE_URL_METHOD) == []
        gate.set()
        assert "Caseload — Assessment North" in answer_text(slack.answer_at(path))


def test_store_down_says_try_again_keeps_serving_and_recovers(
    tmp_path: Path, fake_slack: FakeSlackApi, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store_file = tmp_path / "not-there-yet" / "caseload.db"  # SQLite cannot open it
    engine = make_engine(f"sqlite:///{store_file}")
    try:
        with served_slack(engine, fake_slack) as slack:
            assert TRY_AGAIN in answer_text(slack.ask("UTM1", "/caseload"))
            assert TRY_AGAIN in answer_text(slack.ask("USW1", "/actions", "mine"))
            health = slack.http.get(f"{slack.base_url}/healthz")
            assert health.status_code == 503 and health.json()["store"] == "unreachable"

            store_file.parent.mkdir()  # the store comes back
            upgrade(engine)
            with Session(engine, expire_on_commit=False) as session:
                small_council(session, TODAY)
            assert "Caseload — Assessment North" in answer_text(slack.ask("UTM1", "/caseload"))
            health = slack.http.get(f"{slack.base_url}/healthz")
            assert health.status_code == 200 and health.json()["store"] == "ok"
    finally:
        engine.dispose()
    assert_no_secrets_logged(caplog)


def test_unreachable_postgresql_says_try_again(fake_slack: FakeSlackApi) -> None:
    closed_port = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/caseload")
    try:
        with served_slack(closed_port, fake_slack) as slack:
            assert TRY_AGAIN in answer_text(slack.ask("UTM1", "/caseload"))
            assert TRY_AGAIN in answer_text(slack.ask("UTM1", "/supervision"))
    finally:
        closed_port.dispose()


def test_a_failing_listener_answers_plainly_and_the_next_request_is_served(
    engine: Engine, fake_slack: FakeSlackApi, council: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    attempts = itertools.count()

    def flaky_today() -> date:
        if next(attempts) == 0:
            raise RuntimeError("a bug nobody expected")
        return TODAY

    with served_slack(engine, fake_slack, today=flaky_today) as slack:
        assert TRY_AGAIN in answer_text(slack.ask("UTM1", "/caseload"))
        assert "Caseload — Assessment North" in answer_text(slack.ask("UTM1", "/caseload"))
    assert "RuntimeError" in caplog.text  # logged, for whoever runs the bot
    assert_no_secrets_logged(caplog)


def assert_no_secrets_logged(caplog: pytest.LogCaptureFixture) -> None:
    for secret in (BOT_TOKEN, SIGNING_SECRET, "legacy-verification-token", "trigger."):
        assert secret not in caplog.text


def test_a_rate_limited_web_api_call_is_retried_after_retry_after(
    seeded_slack: ServedSlack,
) -> None:
    seeded_slack.fake.fail_next("chat.postMessage", 429, times=1, retry_after=1)
    seeded_slack.send_dm("UTM1", "caseload", channel="D0LIMITED")
    posted = seeded_slack.fake.wait_for(
        "chat.postMessage", where=lambda call: call.body["channel"] == "D0LIMITED")
    assert "Caseload — Assessment North" in answer_text(posted[0])
    attempts = [call for call in seeded_slack.fake.calls_to("chat.postMessage", ok_only=False)
                if call.body["channel"] == "D0LIMITED"]
    assert [call.status for call in attempts] == [429, 200]


def test_a_rate_limited_response_url_is_retried(seeded_slack: ServedSlack) -> None:
    seeded_slack.fake.fail_next(RESPONSE_URL_METHOD, 429, times=1, retry_after=1)
    answer = seeded_slack.ask("USW1", "/caseload")
    assert "Your caseload" in answer_text(answer)


def test_slack_down_for_users_info_still_refuses_politely(seeded_slack: ServedSlack) -> None:
    seeded_slack.fake.fail_next("users.info", 500, times=5)
    shown = answer_text(seeded_slack.ask("UNOBODY2", "/caseload"))
    assert "don't know who you are yet" in shown


def test_listing_answers_never_exceed_slacks_limits(seeded_slack: ServedSlack,
                                                    engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        north = session.exec(select(Team).where(Team.name == "Assessment North")).one()
        Builder(session, TODAY).cases("BULK", 120, "CIN", north, None)
        session.commit()
    answer = seeded_slack.ask("UTM1", "/caseload", "unallocated")
    blocks = answer.body["blocks"]
    assert len(blocks) <= 50
    assert "… and" in json.dumps(blocks[-2], ensure_ascii=False)
    assert blocks[-1]["elements"][0]["action_id"] == "more_rows"
    for block in blocks:
        if "text" in block and block["text"]["type"] == "mrkdwn":
            assert len(block["text"]["text"]) <= 3000
