"""Exactly once across a crash (SPEC section 7): a digest run in a real child process is killed
with SIGKILL at chosen points of a Slack post, and the restarted run posts nothing twice.

The windows: during the chart upload (the message is out and Slack has said so); after Slack
accepted chat.postMessage but before its answer reached the process (nothing recorded at all);
and before anything was posted. The restart comes after the claim lease, as it would.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from config import Settings
from jobs.delivery import METADATA_EVENT_TYPE, DeliveryKey, InFlight, utc_now
from jobs.runner import run_digests
from jobs.slack_poster import SlackPoster, slack_client
from models import Delivery
from tests.fakes.slack_api import Call, FakeSlackApi
from tests.jobs.conftest import TEST_TOKEN
from tests.builders import COUNCIL_DAY as AS_OF, COUNCIL_WEEK as PERIOD

ROOT = Path(__file__).resolve().parents[2]
#: How long the child may take to start and reach the point where it is killed.
REACH_SECONDS = 60.0


@dataclass
class Trap:
    """Holds the first call to a method at the fake Slack, after Slack acted on it."""

    reached: threading.Event
    release: threading.Event
    call: Call | None = None


@pytest.fixture
def trap(slack: FakeSlackApi) -> Iterator[callable]:  # type: ignore[valid-type]
    traps: list[tuple[str, Trap]] = []

    def set_trap(method: str) -> Trap:
        held = Trap(threading.Event(), threading.Event())

        def hook(call: Call) -> None:
            if held.reached.is_set():
                return
            held.call = call
            held.reached.set()
            held.release.wait(REACH_SECONDS)

        slack.after_accepting(method, hook)
        traps.append((method, held))
        return held

    yield set_trap
    for method, held in traps:
        slack.after_accepting(method, None)
        held.release.set()


def crash_at(trap_for: Trap, slack_settings: Settings, kind: str) -> None:
    """Run the digest in a child process and SIGKILL it when it reaches the trap."""
    env = {**os.environ, "DATABASE_URL": slack_settings.database_url,
           "SLACK_API_URL": slack_settings.slack_api_url, "SLACK_BOT_TOKEN": TEST_TOKEN,
           "PYTHONPATH": str(ROOT),
           # charts as uploaded pictures: the upload is the window these tests kill in
           "SLACK_CHART_BLOCKS": "false"}
    child = subprocess.Popen([sys.executable, "-m", "tests.jobs.digest_child", kind,
                              AS_OF.isoformat()], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not trap_for.reached.wait(REACH_SECONDS):
            child.kill()
            raise AssertionError(f"the child never got there: {child.communicate()[1][-2000:]!r}")
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(REACH_SECONDS) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        trap_for.release.set()


def restart(engine, slack_settings: Settings, kind: str):  # type: ignore[no-untyped-def]
    """The process restarted after the dead one's claim lease expired."""
    slack_settings = replace(slack_settings, slack_chart_blocks=False)  # as the child's
    later = utc_now() + timedelta(minutes=slack_settings.digest_delivery_lease_minutes + 1)
    poster = SlackPoster(slack_settings, client=slack_client(slack_settings, backoff_s=0.05))
    return run_digests(engine, slack_settings, kind, AS_OF, [poster], clock=lambda: later)


def rows(engine) -> dict[str, Delivery]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {row.destination: row for row in session.exec(select(Delivery)).all()}


def digests_per_channel(slack: FakeSlackApi) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in slack.calls_to("chat.postMessage"):
        channel = str(call.body["channel"])
        counts[channel] = counts.get(channel, 0) + 1
    return counts


def test_killed_during_the_chart_upload_the_restart_finishes_the_chart_and_posts_nothing_new(
    engine, council, slack, slack_settings, trap,
) -> None:
    held = trap("files.getUploadURLExternal")
    crash_at(held, slack_settings, "staffing")
    assert len(slack.calls_to("chat.postMessage")) == 1  # the message was out when it died

    report = restart(engine, slack_settings, "staffing")
    assert report.ok
    assert set(digests_per_channel(slack).values()) == {1}  # four destinations, once each
    assert len(slack.calls_to("chat.postMessage")) == 4
    assert len(slack.calls_to("files.completeUploadExternal")) == 4  # each chart once
    killed = [row for row in rows(engine).values() if row.attempts == 2]
    assert len(killed) == 1 and killed[0].status == "sent"
    first = slack.calls_to("chat.postMessage")[0]
    completed = {call.body["thread_ts"] for call in slack.calls_to("files.completeUploadExternal")}
    assert killed[0].message_ref.split(":")[1] in completed  # the chart went under the old post
    assert first.body["metadata"]["event_type"] == METADATA_EVENT_TYPE


def test_killed_after_slack_accepted_the_post_the_restart_finds_it_and_posts_nothing_new(
    engine, council, slack, slack_settings, trap,
) -> None:
    held = trap("chat.postMessage")  # Slack has stored the message; its answer never arrives
    crash_at(held, slack_settings, "staffing")
    assert held.call is not None
    with Session(engine) as session:
        (orphan,) = session.exec(select(Delivery)).all()
    assert (orphan.status, orphan.message_ref) == ("claimed", None)  # nothing recorded

    report = restart(engine, slack_settings, "staffing")
    assert report.ok
    assert len(slack.calls_to("chat.postMessage")) == 4
    assert set(digests_per_channel(slack).values()) == {1}
    assert len(slack.calls_to("files.completeUploadExternal")) == 4
    adopted = rows(engine)[orphan.destination]
    assert (adopted.status, adopted.attempts) == ("sent", 2)
    channel, ts = adopted.message_ref.split(":")
    [message] = slack.messages_in(channel)
    assert message["ts"] == ts and message["metadata"]["event_payload"]["delivery_id"] == \
        orphan.id
    assert any(call.body["channel"] == channel for call in slack.calls_to("conversations.history"))


def test_killed_before_anything_was_posted_the_restart_posts_it_once(
    engine, council, slack, slack_settings, trap,
) -> None:
    held = trap("conversations.open")  # the first destination's DM, before its post
    crash_at(held, slack_settings, "supervision")
    assert slack.calls_to("chat.postMessage") == []

    report = restart(engine, slack_settings, "supervision")
    assert report.ok
    assert len(slack.calls_to("chat.postMessage")) == 4
    assert set(digests_per_channel(slack).values()) == {1}
    assert {(row.status, row.attempts) for row in rows(engine).values()} == {
        ("sent", 1), ("sent", 2)}


def test_the_manifest_grants_the_history_a_retry_reads() -> None:
    manifest = json.loads((ROOT / "manifest.json").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"channels:history", "groups:history", "im:history", "channels:read",
            "groups:read"} <= scopes


def test_a_retry_that_may_not_read_the_history_posts_once_and_says_why(
    engine, council, slack, slack_settings, caplog,
) -> None:
    """An app installed before the history scopes: the claim left by a dead process is retried
    by posting (a digest is not lost), and the log says how to close the gap."""
    stale = utc_now() - timedelta(minutes=slack_settings.digest_delivery_lease_minutes + 1)
    sg = council["sg"]
    with Session(engine) as session:
        session.add(Delivery(digest="actions", service_id=sg.id, period=PERIOD,  # type: ignore[attr-defined]
                             destination="slack-dm:UHS1", status="claimed",
                             claimed_at=stale, first_claimed_at=stale, attempts=1))
        session.commit()
    slack.respond_with("conversations.history", {"ok": False, "error": "missing_scope"})
    report = run_digests(engine, slack_settings, "actions", AS_OF,
                         [SlackPoster(slack_settings, client=slack_client(slack_settings,
                                                                          backoff_s=0.05))])
    assert report.ok
    [dm] = {call.body["channel"] for call in slack.calls_to("conversations.history")}
    assert digests_per_channel(slack)[dm] == 1
    assert rows(engine)["slack-dm:UHS1"].status == "sent"
    assert "history scopes" in caplog.text


def test_a_channel_named_by_name_is_looked_up_before_its_history_is_read(
    engine, council, slack, slack_settings,
) -> None:
    """History is read by channel id: a digest channel given as "#sg-digest" is found with
    conversations.list, and the dead attempt's post there is adopted."""
    stale = utc_now() - timedelta(minutes=slack_settings.digest_delivery_lease_minutes + 1)
    key = DeliveryKey("actions", council["sg"].id, PERIOD, "slack-channel:#sg-digest")  # type: ignore[attr-defined]
    with Session(engine, expire_on_commit=False) as session:
        orphan = Delivery(digest=key.digest, service_id=key.service_id, period=key.period,
                          destination=key.destination, status="claimed", claimed_at=stale,
                          first_claimed_at=stale, attempts=1)
        session.add(orphan)
        session.commit()
    posted = slack_client(slack_settings).chat_postMessage(  # what the dead process got out
        channel="#sg-digest", text="Weekly actions digest",
        metadata=InFlight(orphan.id, key, stale).metadata())  # type: ignore[arg-type]

    report = run_digests(engine, slack_settings, "actions", AS_OF,
                         [SlackPoster(slack_settings, client=slack_client(slack_settings,
                                                                          backoff_s=0.05))])
    assert report.ok
    assert digests_per_channel(slack)["#sg-digest"] == 1  # only the dead attempt's
    assert slack.calls_to("conversations.list")
    assert rows(engine)[key.destination].message_ref == f"{posted['channel']}:{posted['ts']}"
