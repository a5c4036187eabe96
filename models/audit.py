"""The append-only, tamper-evident audit log: every answer and every refusal, from every front end.

Append-only is enforced by the database itself (triggers created in the migrations), not by
convention, so no code path can rewrite history. Tamper-evident (SPEC section 8) because the
triggers only stop the bot's own connection: the owner of the tables, or anyone with the SQLite
file, can switch them off. So every entry also carries its place in a chain (`seq`, contiguous
from 1), the hash of the entry before it (`prev_hash`) and a SHA-256 over its own content and that
link (`hash`); `bot.py audit verify` walks the chain (models/audit_chain.py says how it is kept).
`id` stays the storage key the database assigns; `seq` is the chain's order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, FetchedValue
from sqlmodel import Field, SQLModel

#: The `prev_hash` of the first entry: there is nothing before it.
GENESIS_HASH = "0" * 64


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    front_end: str = Field(max_length=20)  # slack, teams, cli, console, job, import
    actor: str = Field(max_length=254, index=True)  # staff id, or the chat id of an unknown user
    command: str = Field(max_length=2000)
    scope: str = Field(default="", max_length=300)
    outcome: str = Field(max_length=20)  # answered, refused, invalid, error, changed
    detail: str = Field(default="", max_length=2000)
    # The chain: filled in by the INSERT itself (models/audit_chain.py), never by callers.
    seq: int = Field(default=None, sa_type=BigInteger, index=True, unique=True,
                     sa_column_kwargs={"server_default": FetchedValue()})
    prev_hash: str = Field(default=None, max_length=64,
                           sa_column_kwargs={"server_default": FetchedValue()})
    hash: str = Field(default=None, max_length=64,
                      sa_column_kwargs={"server_default": FetchedValue()})


class AuditChainHead(SQLModel, table=True):
    """One row: the chain's last entry, kept by a trigger on every insert into audit_log.

    Appends lock this row, so two writers can never both extend the chain from the same entry;
    and `audit verify` compares it with the last entry, so deleting entries from the end of the
    log shows too (unless whoever deleted them rewrote this row as well — README says so).
    """

    __tablename__ = "audit_chain_head"

    id: int = Field(default=1, primary_key=True)
    last_seq: int = Field(sa_type=BigInteger)
    last_hash: str = Field(max_length=64)
