"""Exactly-once delivery: claim a Delivery row, post, mark it sent.

The store decides, not the process. A post happens only after its row
(digest, service, period, destination) has been claimed:

1. **Claim by insert.** The unique constraint ``uq_delivery_once`` lets exactly one INSERT win,
   whichever process, thread or scheduler tries; the losers get an IntegrityError and do not post.
2. **Re-claim by conditional UPDATE** when the row exists and is ``failed``, or ``claimed`` but
   older than the lease (its process died mid-post): ``UPDATE … WHERE status = 'failed' OR
   (status = 'claimed' AND claimed_at < now − lease)``. The database re-evaluates the condition
   under its row lock, so of two processes re-claiming at once one updates a row and the other
   none. ``attempts`` goes up by one and doubles as a fencing token: marking sent or failed only
   touches the row if it still carries our attempt number.
3. **Post**, recording the message's reference **the moment the platform returns it** (the
   ``InFlight.record`` callback: an UPDATE fenced by the attempt), then the charts, then **mark
   sent**. A post that fails is marked ``failed`` with the error (tokens scrubbed) and retried by
   the next run for that period. A retry that finds a ``message_ref`` finishes the job (the
   charts) without posting the message again — whether the last attempt failed or its process
   died during the chart upload.
4. **Look before reposting.** One gap is left by 3: the process dies after the platform accepted
   the message but before its reference was written (or the reply was lost on the way). So every
   message carries its delivery's key (``InFlight.metadata``: Slack message metadata), and a
   re-claim with no ``message_ref`` first asks the poster to ``find_posted`` — on Slack,
   conversations.history of the destination since the first claim, with metadata — and adopts
   what it finds instead of posting again. Teams has no history a bot can read: there the
   recorded activity id is all there is (the gap is one UPDATE wide), and a re-claim with none
   posts again.

Adding a chat platform: write a class with the ``Poster`` methods below — name its destinations
with a prefix of its own, return them from ``destinations`` for each service, render the digest
in ``post`` and return a reference to the message — and add it in ``jobs.posters.posters_for``.
The claim, retry and late rules here then apply to it unchanged. jobs.slack_poster.SlackPoster
and handlers.teams.TeamsPoster are the two there are.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from jobs.digest_results import Digest
from models import Delivery

log = logging.getLogger(__name__)

#: A claim older than this with no result is taken to belong to a process that died mid-post
#: (the default of DIGEST_DELIVERY_LEASE_MINUTES; run_digests passes the setting).
LEASE = timedelta(minutes=10)
#: Slack message metadata event type that marks a digest post with its delivery key.
METADATA_EVENT_TYPE = "caseload_digest_delivery"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class PostFailed(Exception):
    """A post that did not complete; ``message_ref`` is set when the message itself went out."""

    def __init__(self, error: str, message_ref: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.message_ref = message_ref


@dataclass(frozen=True)
class DeliveryKey:
    digest: str
    service_id: int
    period: str
    destination: str

    def matches(self):  # type: ignore[no-untyped-def]
        return and_(Delivery.digest == self.digest, Delivery.service_id == self.service_id,
                    Delivery.period == self.period, Delivery.destination == self.destination)


@dataclass(frozen=True)
class InFlight:
    """What a poster needs to make one delivery findable and its progress durable."""

    delivery_id: int
    key: DeliveryKey
    #: When the first attempt claimed it: any earlier post of this delivery is newer.
    since: datetime
    #: Called with the message's reference as soon as the platform returns it.
    record: Callable[[str], None] = field(compare=False, default=lambda _ref: None)

    def metadata(self) -> dict[str, Any]:
        """Slack message metadata naming this delivery (kept by Slack with the message)."""
        return {"event_type": METADATA_EVENT_TYPE, "event_payload": self.payload()}

    def payload(self) -> dict[str, Any]:
        return {"delivery_id": self.delivery_id, "digest": self.key.digest,
                "service_id": self.key.service_id, "period": self.key.period}

    def is_mine(self, metadata: object) -> bool:
        """Whether a message's metadata names this delivery."""
        if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT_TYPE:
            return False
        return metadata.get("event_payload") == self.payload()


class Poster(Protocol):
    """One chat platform's way of delivering digests (see the module docstring)."""

    def destinations(
        self, session: Session, service_ids: list[int], as_of: date
    ) -> dict[int, list[str]]:
        """Where each service's digest goes, as destination strings with this poster's prefix."""
        ...

    def handles(self, destination: str) -> bool:
        """True for destinations this poster named."""
        ...

    def post(self, destination: str, digest: Digest, message_ref: str | None = None,
             in_flight: InFlight | None = None) -> str:
        """Post the digest; return a reference to the message. Raise PostFailed (or anything).

        ``message_ref`` is given when an earlier attempt posted the message but not what follows
        it (charts): finish from there, do not post the message again. ``in_flight``: put its
        metadata on the message where the platform keeps it, and call its ``record`` with the
        message's reference as soon as the platform returns it, before anything else.
        """
        ...

    def find_posted(self, destination: str, in_flight: InFlight) -> str | None:
        """The reference of a message an earlier attempt posted for this delivery, found at the
        destination; None if there is none (or the platform cannot tell)."""
        ...


@dataclass(frozen=True)
class Claim:
    id: int
    attempt: int  # the fencing token: our value of `attempts`
    message_ref: str | None
    first_claimed_at: datetime | None = None


@dataclass(frozen=True)
class DeliveryOutcome:
    destination: str
    status: str  # sent, already sent, in progress elsewhere, failed, not retried
    error: str | None = None
    attempt: int = 0
    late: bool = False

    @property
    def failed(self) -> bool:
        return self.status == "failed"


_TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|Bearer\s+\S+", re.IGNORECASE)


def safe_error(error: BaseException | str) -> str:
    """An error worth storing and logging: Slack's error code where there is one, never a token."""
    response = getattr(error, "response", None)
    if response is not None and hasattr(response, "status_code"):
        code = response.get("error") if hasattr(response, "get") else None
        text = f"Slack API error (HTTP {response.status_code}): {code or 'no error code'}"
    elif isinstance(error, BaseException):
        text = f"{type(error).__name__}: {error}"
    else:
        text = error
    return _TOKEN.sub("[redacted]", text)[:1000]


def claim(
    engine: Engine, key: DeliveryKey, *, now: datetime, late: bool, lease: timedelta = LEASE,
    max_attempts: int | None = None,
) -> Claim | None:
    """Claim the right to post to one destination; None when someone else has it (or it is sent).

    ``max_attempts`` stops automatic retries of a destination that keeps failing (a channel the
    bot was removed from); a manual run passes None and always retries.
    """
    with Session(engine, expire_on_commit=False) as session:
        row = Delivery(digest=key.digest, service_id=key.service_id, period=key.period,
                       destination=key.destination, status="claimed", claimed_at=now,
                       first_claimed_at=now, attempts=1, late=late)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        else:
            return Claim(id=row.id, attempt=1, message_ref=None,  # type: ignore[arg-type]
                         first_claimed_at=now)

    retryable = or_(Delivery.status == "failed",
                    and_(Delivery.status == "claimed", Delivery.claimed_at < now - lease))
    conditions = [key.matches(), retryable]
    if max_attempts is not None:
        conditions.append(Delivery.attempts < max_attempts)
    with engine.begin() as connection:
        result = connection.execute(
            update(Delivery).where(*conditions)
            .values(status="claimed", claimed_at=now, attempts=Delivery.attempts + 1, late=late)
        )
        if result.rowcount != 1:
            return None
        row_id, attempts, message_ref, first_claimed_at, claimed_at = connection.execute(
            select(Delivery.id, Delivery.attempts, Delivery.message_ref,
                   Delivery.first_claimed_at, Delivery.claimed_at).where(key.matches())
        ).one()
    return Claim(id=row_id, attempt=attempts, message_ref=message_ref,
                 first_claimed_at=first_claimed_at or claimed_at)


def _finish(engine: Engine, held: Claim, **values: object) -> bool:
    """Update our claimed row (only if still ours), retrying briefly if the store blips."""
    statement = (
        update(Delivery)
        .where(Delivery.id == held.id, Delivery.status == "claimed",
               Delivery.attempts == held.attempt)
        .values(**values)
    )
    for pause in (0.5, 2.0, None):
        try:
            with engine.begin() as connection:
                return connection.execute(statement).rowcount == 1
        except OperationalError:
            if pause is None:
                raise
            time.sleep(pause)
    return False


def record_posted(engine: Engine, held: Claim, message_ref: str) -> bool:
    """Write the message's reference the moment the platform returned it, so a process that
    dies during the charts leaves a retry that finishes them instead of posting again."""
    return _finish(engine, held, message_ref=message_ref[:200])


def mark_sent(engine: Engine, held: Claim, *, now: datetime, message_ref: str) -> bool:
    return _finish(engine, held, status="sent", sent_at=now, message_ref=message_ref[:200],
                   error=None)


def mark_failed(engine: Engine, held: Claim, *, error: str, message_ref: str | None) -> bool:
    values: dict[str, object] = {"status": "failed", "error": error[:1000]}
    if message_ref:
        values["message_ref"] = message_ref[:200]
    return _finish(engine, held, **values)


def current_status(engine: Engine, key: DeliveryKey) -> str | None:
    with Session(engine) as session:
        return session.exec(select(Delivery.status).where(key.matches())).first()


def deliver(
    engine: Engine, digest: Digest, destination: str, poster: Poster, *, late: bool,
    clock: Clock = utc_now, max_attempts: int | None = None, lease: timedelta = LEASE,
) -> DeliveryOutcome:
    """Post one digest to one destination at most once (see the module docstring)."""
    head = digest.header
    key = DeliveryKey(head.kind, head.service_id, head.period, destination)
    held = claim(engine, key, now=clock(), late=late, lease=lease, max_attempts=max_attempts)
    if held is None:
        status = current_status(engine, key)
        word = {"sent": "already sent", "claimed": "in progress elsewhere"}.get(
            status or "", "not retried"
        )
        return DeliveryOutcome(destination, word, late=late)
    in_flight = InFlight(held.id, key, held.first_claimed_at or clock(),
                         record=lambda ref: _record_quietly(engine, held, ref))
    message_ref = held.message_ref
    try:
        finder = getattr(poster, "find_posted", None)
        if message_ref is None and held.attempt > 1 and callable(finder):
            # An earlier attempt may have posted and died before recording it: look first.
            message_ref = finder(destination, in_flight)
            if message_ref is not None:
                log.info("digest %s for service %s (%s) to %s: found the message attempt %d "
                         "could not record (%s); finishing it, not posting again", head.kind,
                         head.service, head.period, destination, held.attempt - 1, message_ref)
                in_flight.record(message_ref)
        if takes_in_flight(poster):
            message_ref = poster.post(destination, digest, message_ref=message_ref,
                                      in_flight=in_flight)
        else:  # a poster written before InFlight: exactly once up to the lease, as it was
            message_ref = poster.post(destination, digest, message_ref=message_ref)
    except Exception as failure:  # noqa: BLE001 - any failure is recorded and retried, not raised
        error = failure.error if isinstance(failure, PostFailed) else safe_error(failure)
        partial = failure.message_ref if isinstance(failure, PostFailed) else None
        mark_failed(engine, held, error=error, message_ref=partial or message_ref)
        log.warning("digest %s for service %s (%s) to %s failed on attempt %d: %s; "
                    "it will be retried on the next run", head.kind, head.service, head.period,
                    destination, held.attempt, error)
        return DeliveryOutcome(destination, "failed", error=error, attempt=held.attempt,
                               late=late)
    if not mark_sent(engine, held, now=clock(), message_ref=message_ref):
        log.warning("digest %s for service %s (%s) to %s was posted (%s) but its claim had been "
                    "taken over (lease %s expired)", head.kind, head.service, head.period,
                    destination, message_ref, lease)
    log.info("digest %s for service %s (%s) sent to %s%s", head.kind, head.service, head.period,
             destination, " (late)" if late else "")
    return DeliveryOutcome(destination, "sent", attempt=held.attempt, late=late)


def takes_in_flight(poster: Poster) -> bool:
    try:
        parameters = inspect.signature(poster.post).parameters
    except (TypeError, ValueError):
        return False
    return "in_flight" in parameters or any(
        parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters.values())


def _record_quietly(engine: Engine, held: Claim, message_ref: str) -> None:
    """record_posted, never raising: the message is out, so the post carries on whatever the
    store says; if this write is lost, the next attempt finds the message by its metadata."""
    try:
        record_posted(engine, held, message_ref)
    except Exception as error:  # noqa: BLE001
        log.warning("could not record a posted digest message at once (%s); a retry will look "
                    "for it at the destination", type(error).__name__)


def sent_destinations(
    engine: Engine, kind: str, period: str, service_ids: Iterable[int]
) -> set[tuple[int, str]]:
    """(service_id, destination) pairs already sent for this digest and period: one statement."""
    ids = list(service_ids)
    if not ids:
        return set()
    with Session(engine) as session:
        rows = session.exec(
            select(Delivery.service_id, Delivery.destination).where(
                Delivery.digest == kind, Delivery.period == period, Delivery.status == "sent",
                Delivery.service_id.in_(ids),  # type: ignore[attr-defined]
            )
        ).all()
    return {(service_id, destination) for service_id, destination in rows}


__all__ = [
    "LEASE", "METADATA_EVENT_TYPE", "Claim", "DeliveryKey", "DeliveryOutcome", "InFlight",
    "PostFailed", "Poster", "claim", "current_status", "deliver", "mark_failed", "mark_sent",
    "record_posted", "safe_error", "sent_destinations",
]
