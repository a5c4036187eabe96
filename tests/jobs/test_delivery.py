"""Exactly once (SPEC section 7): claim before posting, mark sent after, retry what failed.

These use a recording poster, so they are about the store's part of the promise; the Slack
path is tested against the recording Web API server in test_slack_delivery.py.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlmodel import Session, select

from jobs.delivery import (
    LEASE,
    DeliveryKey,
    PostFailed,
    claim,
    mark_sent,
    safe_error,
)
from jobs.runner import run_digests
from models import Delivery
from tests.builders import COUNCIL_DAY as AS_OF, COUNCIL_WEEK as PERIOD
from tests.jobs.posters import RecordingPoster

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


def deliveries(engine) -> list[Delivery]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(Delivery).order_by(Delivery.destination)).all())


def test_concurrent_runs_post_each_destination_once(engine, council, settings) -> None:
    poster = RecordingPoster(per_service=2, delay_s=0.05)
    start = threading.Barrier(4)
    reports = []

    def run() -> None:
        start.wait()
        reports.append(run_digests(engine, settings, "actions", AS_OF, [poster]))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # 2 services × 2 destinations, each posted once whatever the four runs did.
    assert sorted(post[0] for post in poster.posts) == sorted(
        f"test:{service.id}:{n}" for service in (council["sg"], council["cic"]) for n in (0, 1))
    rows = deliveries(engine)
    assert len(rows) == 4
    assert {(row.status, row.attempts, row.period) for row in rows} == {("sent", 1, PERIOD)}
    assert all(report.ok for report in reports)


def test_a_second_run_for_the_same_week_posts_nothing(engine, council, settings) -> None:
    poster = RecordingPoster()
    run_digests(engine, settings, "staffing", AS_OF, [poster])
    again = run_digests(engine, settings, "staffing", AS_OF.replace(day=26), [poster])  # Thursday
    assert len(poster.posts) == 4
    assert again.ok
    assert all("already sent" in service.note for service in again.services)


def test_a_failed_destination_is_retried_on_the_next_run(engine, council, settings) -> None:
    poster = RecordingPoster()
    broken = f"test:{council['sg'].id}:1"  # type: ignore[attr-defined]
    poster.fail(broken, RuntimeError("channel_not_found"))
    first = run_digests(engine, settings, "supervision", AS_OF, [poster])
    assert not first.ok
    failed = [row for row in deliveries(engine) if row.status == "failed"]
    assert [(row.destination, row.error) for row in failed] == [
        (broken, "RuntimeError: channel_not_found")]
    assert poster.posted_to(broken) == 0

    second = run_digests(engine, settings, "supervision", AS_OF, [poster])
    assert second.ok
    assert poster.posted_to(broken) == 1
    assert len(poster.posts) == 4  # the other three were not posted again
    row = next(row for row in deliveries(engine) if row.destination == broken)
    assert (row.status, row.attempts, row.error) == ("sent", 2, None)


def test_a_claim_left_by_a_dead_process_is_retried_only_after_the_lease(
    engine, council, settings
) -> None:
    poster = RecordingPoster(per_service=1)
    sg = council["sg"]
    destination = f"test:{sg.id}:0"  # type: ignore[attr-defined]
    now = datetime.now(timezone.utc)
    with Session(engine) as session:
        session.add(Delivery(digest="actions", service_id=sg.id, period=PERIOD,  # type: ignore[attr-defined]
                             destination=destination, status="claimed",
                             claimed_at=now - LEASE + timedelta(minutes=2), attempts=1))
        session.commit()
    run_digests(engine, settings, "actions", AS_OF, [poster])
    assert poster.posted_to(destination) == 0  # someone may still be posting it

    with Session(engine) as session:
        row = session.exec(select(Delivery).where(Delivery.destination == destination)).one()
        row.claimed_at = now - LEASE - timedelta(minutes=1)
        session.add(row)
        session.commit()
    run_digests(engine, settings, "actions", AS_OF, [poster])
    assert poster.posted_to(destination) == 1
    row = next(row for row in deliveries(engine) if row.destination == destination)
    assert (row.status, row.attempts) == ("sent", 2)


def test_only_one_of_two_processes_re_claims_a_failed_row(engine, council) -> None:
    key = DeliveryKey("staffing", council["sg"].id, PERIOD, "test:x")  # type: ignore[attr-defined]
    with Session(engine) as session:
        session.add(Delivery(digest=key.digest, service_id=key.service_id, period=key.period,
                             destination=key.destination, status="failed", claimed_at=NOW,
                             attempts=1, error="boom"))
        session.commit()
    start = threading.Barrier(6)
    claims = []

    def reclaim() -> None:
        start.wait()
        claims.append(claim(engine, key, now=NOW + timedelta(minutes=1), late=False))

    threads = [threading.Thread(target=reclaim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    won = [held for held in claims if held is not None]
    assert len(won) == 1 and won[0].attempt == 2


def test_a_claim_taken_over_after_its_lease_cannot_be_marked_sent(engine, council) -> None:
    key = DeliveryKey("staffing", council["sg"].id, PERIOD, "test:y")  # type: ignore[attr-defined]
    slow = claim(engine, key, now=NOW, late=False)
    fresh = claim(engine, key, now=NOW + LEASE + timedelta(seconds=1), late=False)
    assert slow is not None and fresh is not None and fresh.attempt == 2
    assert mark_sent(engine, slow, now=NOW, message_ref="C:1") is False
    assert mark_sent(engine, fresh, now=NOW, message_ref="C:2") is True
    (row,) = deliveries(engine)
    assert (row.status, row.message_ref) == ("sent", "C:2")


def test_a_message_posted_before_a_failure_is_not_posted_again(engine, council, settings) -> None:
    poster = RecordingPoster(per_service=1)
    destination = f"test:{council['sg'].id}:0"  # type: ignore[attr-defined]
    poster.fail(destination, PostFailed("chart upload failed: HTTP 500", message_ref="C42:171.5"))
    run_digests(engine, settings, "staffing", AS_OF, [poster])
    row = next(row for row in deliveries(engine) if row.destination == destination)
    assert (row.status, row.message_ref) == ("failed", "C42:171.5")

    run_digests(engine, settings, "staffing", AS_OF, [poster])
    # The retry was handed the message already posted: it finishes, it does not post anew.
    assert [post for post in poster.posts if post[0] == destination] == [
        (destination, "staffing", PERIOD, "C42:171.5")]
    row = next(row for row in deliveries(engine) if row.destination == destination)
    assert (row.status, row.message_ref, row.attempts) == ("sent", "C42:171.5", 2)


def test_automatic_retries_stop_after_max_attempts(engine, council, settings) -> None:
    poster = RecordingPoster(per_service=1)
    destination = f"test:{council['sg'].id}:0"  # type: ignore[attr-defined]
    poster.fail(destination, *(RuntimeError("not_in_channel") for _ in range(5)))
    for _ in range(4):
        report = run_digests(engine, settings, "actions", AS_OF, [poster], max_attempts=2)
    outcomes = [outcome for service in report.services for outcome in service.outcomes
                if outcome.destination == destination]
    assert [outcome.status for outcome in outcomes] == ["not retried"]
    row = next(row for row in deliveries(engine) if row.destination == destination)
    assert (row.status, row.attempts) == ("failed", 2)
    # A manual run (no cap) still tries again.
    run_digests(engine, settings, "actions", AS_OF, [poster])
    assert next(row for row in deliveries(engine) if row.destination == destination).attempts == 3


def test_a_late_run_is_recorded_and_shown_as_late(engine, council, settings) -> None:
    seen = []

    class Spy(RecordingPoster):
        def post(self, destination, digest, message_ref=None):  # type: ignore[no-untyped-def]
            seen.append(digest.header.late_for)
            return super().post(destination, digest, message_ref)

    due = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
    run_digests(engine, settings, "actions", AS_OF, [Spy(per_service=1)], late_for=due)
    assert seen == [due, due]
    assert {row.late for row in deliveries(engine)} == {True}


def test_errors_are_stored_without_tokens() -> None:
    error = RuntimeError("POST failed for token xoxb-1234-5678-abcdef (Bearer xoxb-9)")
    text = safe_error(error)
    assert "xoxb" not in text and "[redacted]" in text
