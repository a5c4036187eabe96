"""How fresh the store's data is, and the admins' `/caseload status` (SPEC sections 3 and 9).

An answer is only as good as the last import behind it, so every answer and digest says when
its data was loaded, and warns once that is more than STALE_AFTER_HOURS ago. "Loaded" is the
latest accepted load of any kind (a folder load covers them all); refused loads change nothing,
so they do not count. A store with no load recorded (built before loads were recorded) says
nothing rather than guess.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import false, func
from sqlmodel import Session, select

from config import Settings
from models import AuditEntry, ImportRun
from queries.results import Freshness, LoadLine, StatusAnswer, UnmatchedUser

#: The audit log's scope for a chat user no staff record matched (queries.answer).
UNKNOWN_USER_SCOPE = "unknown user"


def freshness_of(loaded_at: datetime | None, now: datetime, settings: Settings
                 ) -> Freshness | None:
    """The freshness of data last loaded at `loaded_at` (UTC), seen at `now`."""
    if loaded_at is None:
        return None
    if loaded_at.tzinfo is None:
        loaded_at = loaded_at.replace(tzinfo=timezone.utc)
    zone = ZoneInfo(settings.bot_timezone)
    return Freshness(
        loaded_at=loaded_at.astimezone(zone), today=now.astimezone(zone).date(),
        age_hours=(now - loaded_at).total_seconds() / 3600,
        stale_after_hours=settings.stale_after_hours,
    )


def last_loaded_at(session: Session) -> datetime | None:
    """When the latest accepted load finished (UTC); None if none is recorded."""
    return session.exec(select(func.max(ImportRun.at))
                        .where(ImportRun.refused == false())).one()


def data_freshness(session: Session, now: datetime, settings: Settings) -> Freshness | None:
    """For callers without an asker (digests): one statement."""
    return freshness_of(last_loaded_at(session), now, settings)


def _line(run: ImportRun, zone: ZoneInfo) -> LoadLine:
    at = run.at if run.at.tzinfo else run.at.replace(tzinfo=timezone.utc)
    return LoadLine(run.kind, at.astimezone(zone), run.actor, run.source, run.rows_read,
                    run.created, run.updated, run.closed, run.refused, run.problems)


def status(session: Session, now: datetime, settings: Settings) -> StatusAnswer:
    """The last load of each kind (accepted or not), the refused loads and the chat users not
    matched to a staff record over the last STATUS_HISTORY_DAYS: three statements."""
    zone = ZoneInfo(settings.bot_timezone)
    since = now - timedelta(days=settings.status_history_days)
    latest = (select(ImportRun.kind, func.max(ImportRun.id).label("id"))
              .group_by(ImportRun.kind).subquery())
    last_loads = session.exec(select(ImportRun).join(latest, latest.c.id == ImportRun.id)
                              .order_by(ImportRun.kind)).all()
    newest_first = ImportRun.at.desc()  # type: ignore[attr-defined]
    refused = session.exec(select(ImportRun).where(ImportRun.refused, ImportRun.at >= since)
                           .order_by(newest_first, ImportRun.id)
                           .limit(settings.max_rows_in_chat)).all()
    unmatched = session.exec(
        select(AuditEntry.front_end, AuditEntry.actor, func.count(), func.max(AuditEntry.at))
        .where(AuditEntry.scope == UNKNOWN_USER_SCOPE, AuditEntry.outcome == "refused",
               AuditEntry.at >= since)
        .group_by(AuditEntry.front_end, AuditEntry.actor)
        .order_by(func.max(AuditEntry.at).desc())
        .limit(settings.max_rows_in_chat)
    ).all()
    return StatusAnswer(
        title="Data status", as_of=now.astimezone(zone).date(),
        last_loads=tuple(_line(run, zone) for run in last_loads),
        refused=tuple(_line(run, zone) for run in refused),
        unmatched=tuple(
            UnmatchedUser(front_end, label, times,
                          (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(zone))
            for front_end, label, times, at in unmatched),
        history_days=settings.status_history_days,
    )


__all__ = ["UNKNOWN_USER_SCOPE", "data_freshness", "freshness_of", "last_loaded_at", "status"]
