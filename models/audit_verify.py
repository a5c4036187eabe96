"""`bot.py audit verify`: walk the audit chain and name the first entry that breaks it.

What each finding means, in the order they are checked for every entry (by `seq`):
- **missing before it** — its `seq` skips numbers: entries were deleted;
- **inserted** — it lies past the chain head (added with the triggers switched off), or its
  `seq` is not after the previous one's;
- **edited** — its content no longer hashes to its `hash`;
- **does not follow the entry before** — its `prev_hash` is not the previous entry's hash: the
  previous entry was edited and re-hashed, or this one was inserted or re-linked;
- at the end, **missing at the end** — the chain head records a later entry than the last one
  found: entries were deleted from the end.
Someone who can rewrite every hash after the change and the head too is not caught by a chain
alone; README (Operations) says how to keep the head's hash somewhere else to catch that.
Rows are streamed in batches, so memory stays flat however long the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from models.audit import GENESIS_HASH, AuditChainHead, AuditEntry
from models.audit_chain import entry_hash, utc_iso

STREAM_BATCH = 2000


@dataclass(frozen=True)
class Verdict:
    """The outcome of one walk: sound (`problem` empty) or the first break found."""

    entries: int
    last_seq: int
    last_hash: str
    problem: str = ""

    @property
    def sound(self) -> bool:
        return not self.problem

    def summary(self) -> str:
        if self.sound and not self.entries:
            return "Audit log sound: no entries yet."
        if self.sound:
            entries = f"{self.entries} entr{'y' if self.entries == 1 else 'ies'}"
            return (f"Audit log sound: {entries}, chained from #1 to "
                    f"#{self.last_seq}; last hash {self.last_hash}.")
        return f"Audit log BROKEN after checking {self.entries} entries: {self.problem}"


def _one_snapshot(connection: Connection) -> None:
    """Read the head and every entry as of one moment, so appends made meanwhile by the
    running bot cannot look like tampering."""
    if connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ")
    else:  # the SQLite driver begins transactions only for writes: begin this read ourselves
        connection.exec_driver_sql("BEGIN")


def _span(first: int, last: int) -> str:
    return f"#{first}" if first == last else f"#{first}–#{last}"


def _name(row) -> str:  # type: ignore[no-untyped-def]
    return f"entry #{row.seq} (id {row.id}, at {utc_iso(row.at)})"


def verify_chain(engine: Engine, recorded: tuple[int, str] | None = None) -> Verdict:
    """Check every entry's hash, link and number, then the head (module docstring).

    `recorded` is an entry's number and hash noted outside the database earlier (`--expect`):
    a chain rewritten from before that entry onwards is sound in itself, but not that entry.
    """
    log = AuditEntry.__table__.c
    head_table = AuditChainHead.__table__.c
    query = select(log.id, log.seq, log.at, log.front_end, log.actor, log.command, log.scope,
                   log.outcome, log.detail, log.prev_hash, log.hash).order_by(log.seq)
    count, expected_seq, prev_hash = 0, 1, GENESIS_HASH
    with engine.connect() as connection:
        _one_snapshot(connection)
        head = connection.execute(
            select(head_table.last_seq, head_table.last_hash).where(head_table.id == 1)
        ).one_or_none()
        rows = connection.execution_options(stream_results=True, yield_per=STREAM_BATCH)
        head_seq = head.last_seq if head is not None else None
        for row in rows.execute(query):
            problem = _problem(row, expected_seq, prev_hash, head_seq)
            if not problem and recorded and row.seq == recorded[0] and row.hash != recorded[1]:
                problem = (f"{_name(row)}: edited — its hash is not the one recorded for it "
                           f"outside the database: the chain was rewritten")
            if problem:
                return Verdict(count, expected_seq - 1, prev_hash, problem)
            count += 1
            expected_seq, prev_hash = row.seq + 1, row.hash
    last_seq = expected_seq - 1
    if head is None:
        problem = "the chain head (table audit_chain_head) has no row: it was deleted"
    elif head.last_seq > last_seq:
        problem = (f"missing at the end: the chain head records entry #{head.last_seq}, the "
                   f"log ends at #{last_seq} — entry {_span(last_seq + 1, head.last_seq)} "
                   f"deleted")
    elif recorded and recorded[0] > last_seq:
        problem = (f"missing at the end: entry #{recorded[0]} was recorded outside the "
                   f"database, the log ends at #{last_seq}")
    elif head.last_hash != prev_hash:
        problem = (f"edited: entry #{last_seq}'s hash is not the one the chain head recorded "
                   f"(the entry was re-hashed, or the head rewritten)")
    else:
        problem = ""
    return Verdict(count, last_seq, prev_hash, problem)


def _problem(row, expected_seq: int, prev_hash: str,  # type: ignore[no-untyped-def]
             head_seq: int | None) -> str:
    """What is wrong with one entry given the one before it and the chain head, or ''."""
    if head_seq is not None and row.seq > head_seq:
        return (f"{_name(row)}: inserted — it is past the chain head's #{head_seq}, so it was "
                f"added around the chain (its trigger switched off)")
    if row.seq > expected_seq:
        return (f"{_name(row)}: missing before it — entry {_span(expected_seq, row.seq - 1)} "
                f"deleted")
    if row.seq < expected_seq:
        return f"{_name(row)}: inserted — numbered #{row.seq} where #{expected_seq} was due"
    if entry_hash(row.seq, row.at, row.front_end, row.actor, row.command, row.scope,
                  row.outcome, row.detail, row.prev_hash) != row.hash:
        return f"{_name(row)}: edited — its content no longer matches its hash"
    if row.prev_hash != prev_hash:
        return (f"{_name(row)}: does not follow the entry before — entry #{row.seq - 1} was "
                f"edited and re-hashed, or this entry was inserted")
    return ""
