"""Keeping the audit log's hash chain: one canonical hash, computed inside the INSERT itself.

Each entry's `hash` is SHA-256 over a version tag, its `seq`, its time (UTC, ISO 8601, to the
microsecond), a SHA-256 of each text column (front end, actor, command, scope, outcome, detail:
fixed-length, so no separator or escaping can make two entries serialise alike) and `prev_hash`,
joined by "|". `id` is left out: it is the storage key the database assigns, `seq` the chain's
order. Python (`entry_hash`, used by `audit verify` and the migration) and SQL compute the same.

The chain must stay linear with many writers (two serving replicas and the scheduler), so the
next `seq` and `prev_hash` are read from the one-row `audit_chain_head` inside the INSERT, under
the database's own serialisation, and without an extra statement per answer:

- PostgreSQL: the BEFORE INSERT trigger `audit_log_chain` locks the head row (`FOR UPDATE`, held to
  commit), fills in `seq`, `prev_hash` and `hash` with the SQL function `audit_entry_hash`, and
  moves the head on. Whatever the inserting role sends for those columns is overwritten. It runs
  as the tables' owner (SECURITY DEFINER), so the bot's role needs no write on the head at all.
- SQLite: triggers cannot change the row being inserted, so the flush below sets the three columns
  to SQL expressions — sub-selects on the head and a call to `audit_entry_hash`, which
  `models.store` registers on every connection. An INSERT takes SQLite's write lock before it
  reads, so no two writers see the same head; the triggers check the entry follows the head
  (and is not a REPLACE) and move the head on.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from typing import Any

from sqlalchemy import Connection, bindparam, event, func, insert, select
from sqlalchemy.orm import Session

from models.audit import AuditChainHead, AuditEntry

#: Changing the serialisation means a new tag, so old entries still verify under the old one.
HASH_VERSION = "caseload-audit-v1"


def utc_iso(moment: datetime) -> str:
    """The time as the hash sees it: UTC, ISO 8601, always microseconds and `+00:00`."""
    if moment.utcoffset() is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _sha256(text_value: str) -> str:
    return hashlib.sha256(text_value.encode("utf-8")).hexdigest()


def hash_from_iso(seq: int, at_iso: str, front_end: str, actor: str, command: str, scope: str,
                  outcome: str, detail: str, prev_hash: str) -> str:
    """The canonical hash (module docstring), the time already in `utc_iso` form."""
    texts = (front_end, actor, command, scope, outcome, detail)
    parts = [HASH_VERSION, str(seq), at_iso, *(_sha256(value or "") for value in texts), prev_hash]
    return _sha256("|".join(parts))


def entry_hash(seq: int, at: datetime, front_end: str, actor: str, command: str, scope: str,
               outcome: str, detail: str, prev_hash: str) -> str:
    return hash_from_iso(seq, utc_iso(at), front_end, actor, command, scope, outcome, detail,
                         prev_hash)


def hash_of(entry: AuditEntry) -> str:
    return entry_hash(entry.seq, entry.at, entry.front_end, entry.actor, entry.command,
                      entry.scope, entry.outcome, entry.detail, entry.prev_hash)


#: The SQL twin of `hash_from_iso` on PostgreSQL (created by migration 0004).
POSTGRES_HASH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_entry_hash(
    seq bigint, at timestamptz, front_end text, actor text, command text, scope text,
    outcome text, detail text, prev_hash text) RETURNS text AS $$
  SELECT encode(sha256(convert_to(concat_ws('|',
    '{HASH_VERSION}', seq::text,
    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00',
    encode(sha256(convert_to(coalesce(front_end, ''), 'UTF8')), 'hex'),
    encode(sha256(convert_to(coalesce(actor, ''), 'UTF8')), 'hex'),
    encode(sha256(convert_to(coalesce(command, ''), 'UTF8')), 'hex'),
    encode(sha256(convert_to(coalesce(scope, ''), 'UTF8')), 'hex'),
    encode(sha256(convert_to(coalesce(outcome, ''), 'UTF8')), 'hex'),
    encode(sha256(convert_to(coalesce(detail, ''), 'UTF8')), 'hex'),
    prev_hash), 'UTF8')), 'hex')
$$ LANGUAGE sql STABLE"""


def register_sqlite_hash(dbapi_connection) -> None:  # type: ignore[no-untyped-def]
    """Make `audit_entry_hash(seq, at_iso, …, prev_hash)` callable in this SQLite connection."""
    dbapi_connection.create_function("audit_entry_hash", 9, hash_from_iso, deterministic=True)


def _chain_columns(at_iso: Any, front_end: Any, actor: Any, command: Any, scope: Any,
                   outcome: Any, detail: Any) -> dict[str, Any]:
    """On SQLite, the chain's three columns as SQL that reads the head inside the INSERT (module
    docstring); the arguments are values or bound parameters."""
    head = AuditChainHead.__table__.c  # type: ignore[attr-defined]
    next_seq = select(head.last_seq + 1).where(head.id == 1).scalar_subquery()
    last_hash = select(head.last_hash).where(head.id == 1).scalar_subquery()
    return {"seq": next_seq, "prev_hash": last_hash,
            "hash": func.audit_entry_hash(next_seq, at_iso, front_end, actor, command, scope,
                                          outcome, detail, last_hash)}


@event.listens_for(Session, "before_flush")
def chain_new_entries(session: Session, _flush_context: object, _instances: object) -> None:
    """On SQLite, make each new entry's INSERT read its place in the chain (module docstring)."""
    entries = [item for item in session.new if isinstance(item, AuditEntry)]
    if not entries or session.get_bind(AuditEntry).dialect.name != "sqlite":
        return
    for entry in entries:
        entry.at = datetime.fromisoformat(utc_iso(entry.at))  # stored to the microsecond, in UTC
        for column, value in _chain_columns(
                utc_iso(entry.at), entry.front_end, entry.actor, entry.command, entry.scope or "",
                entry.outcome, entry.detail or "").items():
            setattr(entry, column, value)


_TEXTS = ("front_end", "actor", "command", "scope", "outcome", "detail")
_audit_log = AuditEntry.__table__  # type: ignore[attr-defined]
#: One entry, appended without the ORM's unit of work (an answer writes one entry, and the
#: flush cost more than the INSERT): built once per dialect. PostgreSQL's trigger fills in the
#: chain; on SQLite the INSERT computes it, as the flush above has it do.
_APPEND = {
    "postgresql": insert(_audit_log),
    "sqlite": insert(_audit_log).values(
        at=bindparam("at"), **{name: bindparam(name) for name in _TEXTS},
        **_chain_columns(bindparam("at_iso"), *(bindparam(name) for name in _TEXTS))),
}


def append_entry(connection: Connection, fields: dict[str, Any]) -> None:
    """Append one audit entry (`fields`: at and the text columns) in one INSERT, chained."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        at_iso = utc_iso(fields["at"])
        parameters = {**fields, "at": datetime.fromisoformat(at_iso), "at_iso": at_iso}
        connection.execute(_APPEND["sqlite"], parameters)
        return
    connection.execute(_APPEND.get(dialect, _APPEND["postgresql"]), fields)
