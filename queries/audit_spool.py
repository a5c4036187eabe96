"""Audit entries that could not be written because the store was down, kept until it is back.

SPEC section 8: the audit log records who asked what, and nothing is lost when the store is down.
A request that failed because the store hung or was locked cannot be audited at the time, so its
entry waits here, in memory, and is written — with its original time — by the first unit of work
that finds the store answering again (the next answer, or /healthz). One spool per engine, so an
entry is only ever written to the store it was meant for.

If it cannot be written at all (the spool overflows, or the process stops first), the entry is
logged instead, without the command's text: only the audit log may hold what people typed.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from models import AuditEntry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingEntry:
    at: datetime
    front_end: str
    actor: str
    command: str
    scope: str
    outcome: str
    detail: str

    def row(self) -> AuditEntry:
        return AuditEntry(at=self.at, front_end=self.front_end, actor=self.actor,
                          command=self.command, scope=self.scope, outcome=self.outcome,
                          detail=self.detail)

    def without_text(self) -> str:
        """What the fallback log may say: who, when, where, how it ended — never the words."""
        return (f"at={self.at.isoformat()} front_end={self.front_end} actor={self.actor} "
                f"outcome={self.outcome}")


class AuditSpool:
    """A bounded, thread-safe queue of entries for one store."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._pending: deque[PendingEntry] = deque()
        self._lock = threading.Lock()
        self._flushing = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def add(self, entry: PendingEntry) -> None:
        with self._lock:
            self._pending.append(entry)
            dropped = [self._pending.popleft()
                       for _ in range(max(0, len(self._pending) - self.max_entries))]
        for lost in dropped:
            log.error("audit spool full: entry not audited: %s", lost.without_text())

    def flush(self, engine: Engine) -> int:
        """Write what is waiting in one transaction; the number written (0 if the store is
        still down, when the entries stay). One flush at a time, so none is written twice."""
        if not self._flushing.acquire(blocking=False):
            return 0
        try:
            with self._lock:
                batch = list(self._pending)
            if not batch:
                return 0
            try:
                with Session(engine) as session:
                    session.add_all([entry.row() for entry in batch])
                    session.commit()
            except SQLAlchemyError as error:
                log.warning("audit spool: store still unavailable (%s); %d entries wait",
                            type(error).__name__, len(batch))
                return 0
            with self._lock:
                for _ in batch:
                    self._pending.popleft()
            log.info("audit spool: %d entries written now the store is back", len(batch))
            return len(batch)
        finally:
            self._flushing.release()

    def log_and_clear(self) -> None:
        """At exit: what never reached the store goes to the log, without its text."""
        with self._lock:
            left = list(self._pending)
            self._pending.clear()
        for entry in left:
            log.error("process stopping: entry not audited: %s", entry.without_text())


_spools: weakref.WeakKeyDictionary[Engine, AuditSpool] = weakref.WeakKeyDictionary()
_spools_lock = threading.Lock()


def spool_for(engine: Engine, max_entries: int = 10_000) -> AuditSpool:
    with _spools_lock:
        found = _spools.get(engine)
        if found is None:
            found = _spools[engine] = AuditSpool(max_entries)
        return found


def pending(engine: Engine) -> int:
    """Entries waiting for this store (cheap: no lock taken beyond the spool's own)."""
    with _spools_lock:
        found = _spools.get(engine)
    return len(found) if found is not None else 0


def flush(engine: Engine) -> int:
    with _spools_lock:
        found = _spools.get(engine)
    return found.flush(engine) if found is not None and len(found) else 0


@atexit.register
def _log_unwritten() -> None:
    with _spools_lock:
        spools = list(_spools.values())
    for spool in spools:
        spool.log_and_clear()


__all__ = ["AuditSpool", "PendingEntry", "flush", "pending", "spool_for"]
