"""Recorded supervision sessions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint, false
from sqlmodel import Field, SQLModel


class Supervision(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("staff_id", "date", name="uq_supervision_staff_date"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    date: date
    supervisor_id: int | None = Field(default=None, foreign_key="staff.id")
    kind: str | None = Field(default=None, max_length=40)
    #: Recorded by `/supervision log`: an import never changes its supervisor or kind.
    logged_in_chat: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
