"""SPEC section 8, "Never logged": tokens, request bodies, response_url, a chat message's text —
whatever level the root logger or the chat libraries are set to.

The captured log (root at DEBUG, and the Slack libraries set to DEBUG after the app is built, as
someone chasing a fault would) is searched after every kind of request that used to leak:
a bad signature and a stale one (Bolt logged their bodies), a response_url rate-limited and one
failing (slack_sdk's retry handler logged the URL), a listener failing, a message to the bot.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.engine import Engine

from handlers.log_safety import REQUEST_SEEING_LOGGERS
from tests.builders import Council
from tests.fakes.slack_api import RESPONSE_URL_METHOD, FakeSlackApi
from tests.handlers.slack.harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    TODAY,
    answer_text,
    served_slack,
)

#: Words only the requests carry: if any reaches the log, a body or a message's text did.
EVIDENCE = "Evidence-7f3a: case N-CP-001 chronology"
DM_TEXT = "caseload Secret-dm-9c2e"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, "legacy-verification-token", "trigger.", "Evidence-7f3a",
           "N-CP-001", "Secret-dm-9c2e", "/response/")


@pytest.fixture
def libraries_at_debug() -> Iterator[None]:
    """After the app is built (which holds them at INFO), turn the chat libraries up to DEBUG;
    put every level back afterwards."""
    loggers = [logging.getLogger(name) for name in REQUEST_SEEING_LOGGERS]
    levels = [logger.level for logger in loggers]

    def turn_up() -> None:
        for logger in loggers:
            logger.setLevel(logging.DEBUG)

    yield turn_up  # type: ignore[misc]
    for logger, level in zip(loggers, levels):
        logger.setLevel(level)


def assert_nothing_secret(caplog: pytest.LogCaptureFixture) -> None:
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    for secret in SECRETS:
        assert secret not in logged, secret


def test_no_token_body_response_url_or_chat_text_reaches_the_log(
    engine: Engine, fake_slack: FakeSlackApi, council: Council,
    caplog: pytest.LogCaptureFixture, libraries_at_debug,
) -> None:
    caplog.set_level(logging.DEBUG)
    failures = iter([RuntimeError("first answer fails")])

    def today() -> date:
        for failure in failures:
            raise failure
        return TODAY

    with served_slack(engine, fake_slack, today=today) as slack:
        libraries_at_debug()
        fields, _path = slack.command_body("UTM1", "/actions", f"done A1 {EVIDENCE}")
        assert slack.post_form(fields, secret="forged").status_code == 401
        stale = str(int(time.time()) - 10 * 60)
        assert slack.post_form(fields, timestamp=stale).status_code == 401

        # A listener fails (the user gets "try again shortly"; the fault is logged).
        assert "try again shortly" in answer_text(slack.ask("UTM1", "/caseload", EVIDENCE))
        # Slack rate-limits the response_url once (retried), then fails it outright.
        fake_slack.fail_next(RESPONSE_URL_METHOD, 429, times=1, retry_after=1)
        assert "Outstanding actions" in answer_text(slack.ask("UTM1", "/actions"))
        fake_slack.fail_next(RESPONSE_URL_METHOD, 500, times=10)
        response, path = slack.send_command("UTM1", "/actions", f"update A1 {EVIDENCE}")
        assert response.status_code == 200
        # A message to the bot, answered in its DM.
        slack.send_dm("UTM1", DM_TEXT, channel="D0LOGS")
        fake_slack.wait_for("chat.postMessage",
                            where=lambda call: call.body["channel"] == "D0LOGS")
        wait_until_failed(fake_slack, path)

    assert_nothing_secret(caplog)
    assert any("withheld" in record.getMessage() for record in caplog.records)
    assert any(record.levelno >= logging.INFO and record.name.startswith("slack_sdk")
               for record in caplog.records)  # the retry handler did speak, scrubbed
    assert "RuntimeError" in caplog.text  # the fault itself is still there for the operator


def wait_until_failed(fake: FakeSlackApi, path: str) -> None:
    """Until the failing response_url post has been tried (and refused) at least once."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if any(call.path.endswith(path) and not call.ok
               for call in fake.calls_to(RESPONSE_URL_METHOD, ok_only=False)):
            return
        time.sleep(0.05)
    raise AssertionError("the failing response_url was never tried")
