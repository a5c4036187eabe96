"""Cases (by reference only: no child's name, birth date or address is ever stored)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel

CASE_TYPES: tuple[str, ...] = ("CP", "CIN", "LAC", "CL", "EH", "OTHER")


class Case(SQLModel, table=True):
    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    case_ref: str = Field(unique=True, max_length=60)
    case_type: str = Field(max_length=10)
    team_id: int = Field(foreign_key="team.id", index=True)
    start_date: date
    end_date: date | None = Field(default=None, index=True)
    allocated_worker_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    co_worker_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    last_visit: date | None = None
    next_review: date | None = None
    placement_start: date | None = None
    long_term_placement: bool = False
    family_id: str | None = Field(default=None, max_length=60)
    placement_type: str | None = Field(default=None, max_length=40)

    def open_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date > day)


class CaseAllocation(SQLModel, table=True):
    """Who held a case when: one row per worker per spell, lead or co-worker."""

    __tablename__ = "case_allocation"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    worker_id: int = Field(foreign_key="staff.id", index=True)
    role: str = Field(max_length=10)  # "lead" or "co"
    from_date: date
    to_date: date | None = None
