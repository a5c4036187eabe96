"""SPEC section 8: Slack requests with a bad or stale signature are refused before any handler runs.

"No handler ran" is checked where it would show: no audit entry (every answer is audited), no
response_url post and no Web API call.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine

from tests.handlers.slack.harness import (
    SETTLE_SECONDS,
    ServedSlack,
    audit_entries,
    signature,
    web_api_calls,
)


def assert_no_listener_ran(slack: ServedSlack, engine: Engine) -> None:
    time.sleep(SETTLE_SECONDS)
    assert audit_entries(engine) == []
    assert web_api_calls(slack.fake) == []


def test_forged_signature_is_refused_before_any_handler_runs(slack: ServedSlack,
                                                              engine: Engine) -> None:
    fields, _path = slack.command_body("UTM1", "/caseload")
    response = slack.post_form(fields, secret="not-the-signing-secret")
    assert response.status_code == 401
    assert_no_listener_ran(slack, engine)


def test_stale_timestamp_is_refused_before_any_handler_runs(slack: ServedSlack,
                                                             engine: Engine) -> None:
    fields, _path = slack.command_body("UTM1", "/caseload")
    five_minutes_and_a_bit_ago = str(int(time.time()) - 5 * 60 - 30)
    response = slack.post_form(fields, timestamp=five_minutes_and_a_bit_ago)
    assert response.status_code == 401
    assert_no_listener_ran(slack, engine)


def test_a_signature_for_another_body_is_refused(slack: ServedSlack, engine: Engine) -> None:
    fields, _path = slack.command_body("UTM1", "/caseload", "team Assessment North")
    stamp = str(int(time.time()))
    signed_for = urlencode({**fields, "user_id": "UADM1"}).encode()
    response = slack.post(urlencode(fields).encode(), "application/x-www-form-urlencoded",
                          sign=False, headers={"X-Slack-Request-Timestamp": stamp,
                                               "X-Slack-Signature": signature(signed_for, stamp)})
    assert response.status_code == 401
    assert_no_listener_ran(slack, engine)


@pytest.mark.parametrize("headers", [
    {},
    {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=00"},
])
def test_unsigned_or_malformed_requests_are_refused(slack: ServedSlack, engine: Engine,
                                                    headers: dict[str, str]) -> None:
    fields, _path = slack.command_body("UTM1", "/caseload")
    response = slack.post(urlencode(fields).encode(), "application/x-www-form-urlencoded",
                          sign=False, headers=headers)
    assert response.status_code == 401
    assert_no_listener_ran(slack, engine)


def test_forged_interactions_and_events_are_refused_too(slack: ServedSlack,
                                                        engine: Engine) -> None:
    payload = {"payload": '{"type": "block_actions", "user": {"id": "UTM1"}}'}
    assert slack.post_form(payload, secret="forged").status_code == 401
    body = b'{"type": "event_callback", "event": {"type": "app_home_opened", "user": "UTM1"}}'
    assert slack.post(body, "application/json", secret="forged").status_code == 401
    assert_no_listener_ran(slack, engine)


def test_a_correctly_signed_request_is_answered(slack: ServedSlack, engine: Engine) -> None:
    answer = slack.ask("UTM1", "/caseload")
    assert answer.body["text"].startswith("Caseload")
    assert len(audit_entries(engine)) == 1
