"""SPEC section 8: nothing lost while the store is down. An audit entry that could not be
written waits in the spool and is written once, with its own time, when the store is back; one
that cannot be kept is logged without the words the person typed."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
from sqlmodel import Session, select

from models import AuditEntry
from queries.audit_spool import AuditSpool, PendingEntry

ASKED_AT = datetime(2026, 3, 16, 9, 30, tzinfo=timezone.utc)


def entry(actor: str, command: str = "/caseload team Assessment North") -> PendingEntry:
    return PendingEntry(at=ASKED_AT, front_end="slack", actor=actor, command=command, scope="",
                        outcome="error", detail="")


def test_spooled_entries_are_written_once_with_their_own_time(engine) -> None:
    spool = AuditSpool(max_entries=10)
    spool.add(entry("U1"))
    spool.add(entry("U2"))
    assert spool.flush(engine) == 2
    assert spool.flush(engine) == 0  # nothing written twice
    with Session(engine) as session:
        written = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(row.actor, row.outcome, row.command) for row in written] == [
        ("U1", "error", "/caseload team Assessment North"),
        ("U2", "error", "/caseload team Assessment North")]
    assert all(row.at.replace(tzinfo=timezone.utc) == ASKED_AT for row in written)


def test_an_entry_the_spool_cannot_keep_is_logged_without_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    spool = AuditSpool(max_entries=1)
    spool.add(entry("U1", "/caseload person Jo Bloggs"))
    spool.add(entry("U2"))
    assert len(spool) == 1
    assert "actor=U1" in caplog.text and "outcome=error" in caplog.text
    assert "Jo Bloggs" not in caplog.text
    spool.log_and_clear()  # the process stops before the store is back
    assert "actor=U2" in caplog.text and "Assessment North" not in caplog.text
    assert len(spool) == 0
