"""Malformed input is a 4xx, never a 500: a correctly signed body Slack could never have sent
(not UTF-8, `payload=` that is not JSON, a JSON array or null) gets 400 and no listener runs; an
unsigned one is still refused for its signature first."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.engine import Engine

from tests.handlers.slack.harness import SETTLE_SECONDS, ServedSlack, audit_entries, web_api_calls

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MALFORMED = [
    (b"\xff\xfe\x00command=%2Fcaseload", FORM),
    (b"payload=not-json", FORM),
    (b"payload=%5B1%2C2%5D", FORM),  # payload=[1,2]
    (b"[1, 2]", JSON),
    (b"null", JSON),
    (b"{\"type\": ", JSON),
]
IDS = ["not utf-8", "payload not json", "payload an array", "json array", "json null",
       "json cut short"]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED, ids=IDS)
def test_a_signed_malformed_body_is_a_400(slack: ServedSlack, engine: Engine, body: bytes,
                                          content_type: str) -> None:
    response = slack.post(body, content_type)
    assert response.status_code == 400
    time.sleep(SETTLE_SECONDS)
    assert audit_entries(engine) == [] and web_api_calls(slack.fake) == []


def test_an_unsigned_malformed_body_is_refused_for_its_signature(slack: ServedSlack) -> None:
    assert slack.post(b"\xff\xfe", FORM, secret="forged").status_code == 401


def test_the_server_keeps_answering_after_malformed_bodies(slack: ServedSlack) -> None:
    for body, content_type in MALFORMED:
        slack.post(body, content_type)
    assert slack.ask("UTM1", "/caseload").body["text"].startswith("Caseload")
