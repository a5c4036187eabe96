"""The daily snapshot of the figures the store's history cannot rebuild (SPEC section 11).

Staffing and caseloads can be worked out again for any past day from start, end and allocation
dates; overdue visits, supervision on time and NQSW breaches cannot (a visit date is overwritten
by the next import; a breach depends on that day's caseload, supervision and academy progress).
So the bot records them once a day per service, from the day it is installed, and the
performance report reads them back. The unique key makes the daily job exactly once per service
and day, however many schedulers or retries run it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class PerformanceSnapshot(SQLModel, table=True):
    __tablename__ = "performance_snapshot"
    __table_args__ = (UniqueConstraint("day", "service_id", name="uq_performance_snapshot_day"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    overdue_visits: int
    supervision_people: int  # the workforce in post whose supervision is counted
    supervision_on_time: int
    nqsw_breaches: int  # NQSWs in the protected year with at least one breach
    recorded_at: datetime


class ReportLink(SQLModel, table=True):
    """A performance report PDF behind a short-lived link (Teams, where a bot cannot simply
    upload a file to a 1:1 chat). Only the SHA-256 of the link's token is stored, so the table
    does not hold working links; rows past ``expires_at`` serve nothing and are cleared."""

    __tablename__ = "report_link"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(unique=True, max_length=64)
    filename: str = Field(max_length=200)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    staff_id: str = Field(max_length=60)  # who asked (the audit log has the question)
    created_at: datetime
    expires_at: datetime = Field(index=True)
