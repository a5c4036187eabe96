"""Each person's own reminder choice, and the breach episodes that alerts are sent for once.

A person with no ReminderPreference row gets reminders at REMIND_CRON (on by default, SPEC
section 10); the row exists once they have used `/remind off`, `on` or `at HH:MM`.

An AlertEpisode is one spell of one breach (an NQSW leading a CP case, a worker over cap, a case
unallocated too long, …): opened when an import first finds it, cleared when an import no
longer does. At most one open episode per (kind, subject) — the partial unique index below — so
two imports finishing at once cannot open the same breach twice; a breach that clears and comes
back is a new episode, and so a new alert.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel


class ReminderPreference(SQLModel, table=True):
    __tablename__ = "reminder_preference"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", unique=True)
    enabled: bool = True
    #: "HH:MM" local time, or None for the council's REMIND_CRON time.
    at_time: str | None = Field(default=None, max_length=5)
    updated_at: datetime


class AlertEpisode(SQLModel, table=True):
    __tablename__ = "alert_episode"
    __table_args__ = (
        Index("uq_alert_episode_open", "kind", "subject", unique=True,
              sqlite_where=text("cleared_on IS NULL"),
              postgresql_where=text("cleared_on IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    #: The case reference or the worker's staff id the breach is about.
    subject: str = Field(max_length=100)
    service_id: int | None = Field(default=None, foreign_key="service.id")
    opened_on: date
    cleared_on: date | None = None
    detail: str = Field(default="", max_length=500)
