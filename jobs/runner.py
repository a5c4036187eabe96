"""One digest run: every service's digest of one kind, for one day, to every destination once.

The scheduler, its catch-up sweep and `bot.py digest` all come through here, so a manual run and
a scheduled one share the exactly-once record: whichever posts first, the other finds the rows
sent and posts nothing.

Digests are built inside one short session and posted after it is closed: a post can wait on a
Slack rate limit, and must not hold a database connection or transaction while it does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings
from jobs.delivery import Clock, DeliveryOutcome, Poster, deliver, sent_destinations, utc_now
from jobs.digest_results import Digest
from queries.results import count_of
from jobs.digests import all_services, build_digests, iso_period
from models import Service

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceRun:
    service: str
    outcomes: tuple[DeliveryOutcome, ...] = ()
    note: str = ""  # why nothing was posted (no destination, all sent, build failed)
    failed_to_build: bool = False

    @property
    def failed(self) -> bool:
        return self.failed_to_build or any(outcome.failed for outcome in self.outcomes)


@dataclass(frozen=True)
class RunReport:
    kind: str
    period: str
    as_of: date
    services: tuple[ServiceRun, ...]

    @property
    def ok(self) -> bool:
        return not any(service.failed for service in self.services)

    def lines(self) -> list[str]:
        """What happened, one line per destination, for the CLI and the log."""
        lines = [f"{self.kind} digest, week {self.period} (as of {self.as_of.isoformat()}):"]
        if not self.services:
            lines.append("  no services: import teams first")
        for service in self.services:
            if service.note:
                lines.append(f"  {service.service}: {service.note}")
            for outcome in service.outcomes:
                detail = f" — {outcome.error}" if outcome.error else ""
                late = " (late)" if outcome.late and outcome.status == "sent" else ""
                lines.append(f"  {service.service} → {outcome.destination}: "
                             f"{outcome.status}{late}{detail}")
        return lines


def mark_late(digest: Digest, late_for: datetime | None) -> Digest:
    if late_for is None:
        return digest
    return replace(digest, header=replace(digest.header, late_for=late_for))  # type: ignore[arg-type]


def run_digests(
    engine: Engine, settings: Settings, kind: str, as_of: date, posters: Sequence[Poster], *,
    late_for: datetime | None = None, clock: Clock = utc_now, max_attempts: int | None = None,
) -> RunReport:
    """Build and deliver this kind of digest for every service, skipping what is already sent.

    ``late_for`` is the scheduled time when the run is late (it is shown on the post and kept on
    the delivery record); ``max_attempts`` caps automatic retries (None for a manual run).
    """
    period = iso_period(as_of)
    planned: list[tuple[str, Digest, list[tuple[Poster, str]]]] = []
    services: list[ServiceRun] = []
    to_build: list[tuple[Service, list[tuple[Poster, str]]]] = []
    with Session(engine, expire_on_commit=False) as session:
        every_service = all_services(session)
        ids = [service.id for service in every_service]
        wanted: dict[int, list[tuple[Poster, str]]] = {service_id: [] for service_id in ids}  # type: ignore[misc]
        for poster in posters:
            for service_id, destinations in poster.destinations(session, ids, as_of).items():  # type: ignore[arg-type]
                wanted[service_id].extend((poster, destination) for destination in destinations)
        done = sent_destinations(engine, kind, period, ids)  # type: ignore[arg-type]
        for service in every_service:
            pending = [(poster, destination) for poster, destination in wanted[service.id]  # type: ignore[index]
                       if (service.id, destination) not in done]
            if not wanted[service.id]:  # type: ignore[index]
                services.append(ServiceRun(service.name, note=(
                    "no destination (no head of service with a chat account, no digest channel)"
                    if posters else "no chat platform configured")))
                continue
            if not pending:
                sent_to = count_of(len(wanted[service.id]), "destination")  # type: ignore[index]
                services.append(ServiceRun(service.name, note=f"already sent to all {sent_to}"))
                continue
            to_build.append((service, pending))
        # Every pending service's digest at once (staffing: one pass over the council).
        built = build_digests(session, kind, [service for service, _ in to_build], as_of,
                              settings)
        for service, pending in to_build:
            digest = built[service.id]  # type: ignore[index]
            if isinstance(digest, Exception):
                services.append(ServiceRun(service.name, note=f"digest not built: {digest}",
                                           failed_to_build=True))
                continue
            planned.append((service.name, mark_late(digest, late_for), pending))
    for service_name, digest, pending in planned:
        outcomes = tuple(
            deliver(engine, digest, destination, poster, late=late_for is not None, clock=clock,
                    lease=timedelta(minutes=settings.digest_delivery_lease_minutes),
                    max_attempts=max_attempts)
            for poster, destination in pending
        )
        services.append(ServiceRun(service_name, outcomes))
    services.sort(key=lambda run: run.service)
    report = RunReport(kind=kind, period=period, as_of=as_of, services=tuple(services))
    # Quiet when nothing was attempted: the catch-up job runs every 15 minutes.
    level = logging.INFO if planned or not report.ok else logging.DEBUG
    for line in report.lines():
        log.log(level, "%s", line)
    return report


__all__ = ["RunReport", "ServiceRun", "run_digests"]
