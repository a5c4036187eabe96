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
3. **Post**, then **mark sent** (``sent_at``, ``message_ref``). A post that fails is marked
   ``failed`` with the error (tokens scrubbed) and retried by the next run for that period. A
   post that got the message out but failed after it (a chart upload) keeps its ``message_ref``,
   so the retry finishes the job without posting the message twice.

What this cannot close: if a process dies in the instant between Slack accepting a message and
the row being marked sent, the lease expires and the message is posted again. Slack has no
idempotency key for chat.postMessage, so the window is kept as small as we can (nothing happens
between the two but the HTTP reply).

Adding a chat platform: write a class with the ``Poster`` methods below — name its destinations
with a prefix of its own, return them from ``destinations`` for each service, render the digest
in ``post`` and return a reference to the message — and add it in ``jobs.posters.posters_for``.
The claim, retry and late rules here then apply to it unchanged. jobs.slack_poster.SlackPoster
and handlers.teams.TeamsPoster are the two there are.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Protocol

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from jobs.digest_results import Digest
from models import Delivery

log = logging.getLogger(__name__)

#: A claim older than this with no result is taken to belong to a process that died mid-post.
LEASE = timedelta(minutes=10)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class PostFailed(Exception):
    """A post that did not complete; ``message_ref`` is set when the message itself went out."""

    def __init__(self, error: str, message_ref: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.message_ref = message_ref


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

    def post(self, destination: str, digest: Digest, message_ref: str | None = None) -> str:
        """Post the digest; return a reference to the message. Raise PostFailed (or anything).

        ``message_ref`` is given when an earlier attempt posted the message but not what follows
        it (charts): finish from there, do not post the message again.
        """
        ...


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
class Claim:
    id: int
    attempt: int  # the fencing token: our value of `attempts`
    message_ref: str | None


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
                       attempts=1, late=late)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        else:
            return Claim(id=row.id, attempt=1, message_ref=None)  # type: ignore[arg-type]

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
        row_id, attempts, message_ref = connection.execute(
            select(Delivery.id, Delivery.attempts, Delivery.message_ref).where(key.matches())
        ).one()
    return Claim(id=row_id, attempt=attempts, message_ref=message_ref)


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
    clock: Clock = utc_now, max_attempts: int | None = None,
) -> DeliveryOutcome:
    """Post one digest to one destination at most once (see the module docstring)."""
    head = digest.header
    key = DeliveryKey(head.kind, head.service_id, head.period, destination)
    held = claim(engine, key, now=clock(), late=late, max_attempts=max_attempts)
    if held is None:
        status = current_status(engine, key)
        word = {"sent": "already sent", "claimed": "in progress elsewhere"}.get(
            status or "", "not retried"
        )
        return DeliveryOutcome(destination, word, late=late)
    try:
        message_ref = poster.post(destination, digest, message_ref=held.message_ref)
    except Exception as failure:  # noqa: BLE001 - any failure is recorded and retried, not raised
        error = failure.error if isinstance(failure, PostFailed) else safe_error(failure)
        partial = failure.message_ref if isinstance(failure, PostFailed) else None
        mark_failed(engine, held, error=error, message_ref=partial or held.message_ref)
        log.warning("digest %s for service %s (%s) to %s failed on attempt %d: %s; "
                    "it will be retried on the next run", head.kind, head.service, head.period,
                    destination, held.attempt, error)
        return DeliveryOutcome(destination, "failed", error=error, attempt=held.attempt,
                               late=late)
    if not mark_sent(engine, held, now=clock(), message_ref=message_ref):
        log.warning("digest %s for service %s (%s) to %s was posted (%s) but its claim had been "
                    "taken over (lease %s expired)", head.kind, head.service, head.period,
                    destination, message_ref, LEASE)
    log.info("digest %s for service %s (%s) sent to %s%s", head.kind, head.service, head.period,
             destination, " (late)" if late else "")
    return DeliveryOutcome(destination, "sent", attempt=held.attempt, late=late)


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
    "LEASE", "Claim", "DeliveryKey", "DeliveryOutcome", "PostFailed", "Poster", "claim",
    "current_status", "deliver", "mark_failed", "mark_sent", "safe_error", "sent_destinations",
]
