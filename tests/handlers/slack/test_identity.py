"""handlers/slack/identity.py: Slack id first; the Slack e-mail when the store lacks the id;
cached per user for a while, and never cached while the store is down."""

from __future__ import annotations

from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from handlers.slack.identity import SlackIdentities
from models.store import make_engine
from tests.builders import Council
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.harness import TODAY


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def identities(engine: Engine, fake: FakeSlackApi, clock: Clock) -> SlackIdentities:
    return SlackIdentities(engine, WebClient(token="xoxb-x", base_url=fake.url),
                           ttl_seconds=60, clock=clock)


def test_a_known_slack_id_needs_no_users_info(engine: Engine, fake_slack: FakeSlackApi,
                                              council: Council) -> None:
    found = identities(engine, fake_slack, Clock()).identity_for("USW1", TODAY)
    assert (found.slack_user_id, found.email) == ("USW1", None)
    assert fake_slack.calls_to("users.info") == []


def test_an_unknown_slack_id_brings_the_slack_email_until_the_ttl_ends(
    engine: Engine, fake_slack: FakeSlackApi, council: Council,
) -> None:
    fake_slack.add_user("UNEW", email=" Sol.Worker@council.example ")
    clock = Clock()
    cache = identities(engine, fake_slack, clock)
    assert cache.identity_for("UNEW", TODAY).email == "Sol.Worker@council.example"
    clock.now += 59
    cache.identity_for("UNEW", TODAY)
    assert len(fake_slack.calls_to("users.info")) == 1
    clock.now += 2
    cache.identity_for("UNEW", TODAY)
    assert len(fake_slack.calls_to("users.info")) == 2


def test_nothing_is_cached_while_the_store_is_down(fake_slack: FakeSlackApi,
                                                   tmp_path: Path) -> None:
    down = make_engine(f"sqlite:///{tmp_path}/missing/dir/store.db")
    try:
        cache = identities(down, fake_slack, Clock())
        assert cache.identity_for("USW1", TODAY).slack_user_id == "USW1"
        assert cache._cached("USW1") is None
    finally:
        down.dispose()
