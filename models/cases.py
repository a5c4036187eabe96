"""Cases (by reference only: no child's name, birth date or address is ever stored)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, func
from sqlmodel import Field, SQLModel

CASE_TYPES: tuple[str, ...] = ("CP", "CIN", "LAC", "CL", "EH", "OTHER")

#: A looked-after child's placement, where reg 28 of the Care Planning, Placement and Case Review
#: (England) Regulations 2010 sets other visits than its general rule (queries.visits):
#: the stored code, and the words a cases file or Annex A may use for it.
PLACEMENT_TYPES: dict[str, tuple[str, ...]] = {
    "standard": ("standard", "general"),
    # reg 28(3): placed with a parent before their assessment is completed (reg 19)
    "parent_before_assessment": ("parent_before_assessment", "reg19", "reg_19", "regulation19"),
    # reg 28(4): living with a parent under an interim care order (Children Act 1989 s.38)
    "parent_interim_care_order": ("parent_interim_care_order", "ico_with_parent",
                                  "parent_ico", "interim_care_order"),
    # reg 28(4): a connected person temporarily approved as foster parent (reg 24)
    "connected_person": ("connected_person", "reg24", "reg_24", "regulation24",
                         "connected_person_temporary"),
    # reg 28(5): living with a parent under a care order (s.31)
    "parent_care_order": ("parent_care_order", "care_order_with_parent", "placed_with_parent"),
}


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
    # Indexed so the staffing figures find the history's last change in two lookups
    # (queries.staffing: from that day on, the case table holds each case's lead).
    from_date: date = Field(index=True)
    to_date: date | None = Field(default=None, index=True)


# A case reference is one key whatever its case (`CR-9000010` = `cr-9000010`; migration 0006).
Index("ix_cases_lower_case_ref", func.lower(Case.case_ref), unique=True)
