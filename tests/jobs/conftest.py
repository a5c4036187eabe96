"""Fixtures for the digest tests: the hand-checked council and the recording Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlmodel import Session

from config import Settings
from tests.fakes.slack_api import FakeSlackApi
from tests.builders import digest_council

TEST_TOKEN = "xoxb-test-digest-token"


@pytest.fixture
def council(engine) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        return digest_council(session)


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as server:
        yield server


@pytest.fixture
def slack_settings(settings: Settings, slack: FakeSlackApi, database_url: str) -> Settings:
    """The SPEC defaults, pointed at the recording Slack API and the test store."""
    return replace(settings, slack_api_url=slack.url, slack_bot_token=TEST_TOKEN,
                   database_url=database_url)
