"""The append-only audit log: every answer and every refusal, from every front end.

Append-only is enforced by the database itself (triggers created in the migration), not by
convention, so no code path can rewrite history.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


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
