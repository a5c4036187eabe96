"""Services, teams and staff: who works where, for whom, and how they are reached in chat."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, ForeignKey, Index, Integer, func
from sqlmodel import Field, SQLModel

#: Job roles as written in HR extracts, mapped to the access role of SPEC section 2.
ACCESS_ROLE_BY_JOB_ROLE: dict[str, str] = {
    "practitioner": "practitioner",
    "social_worker": "practitioner",
    "senior_practitioner": "practitioner",
    "nqsw": "practitioner",
    "advanced_practitioner": "practitioner",
    "personal_advisor": "practitioner",
    "family_help_practitioner": "practitioner",
    "team_manager": "team_manager",
    "head_of_service": "head_of_service",
    "admin": "admin",
}


#: Working Together to Safeguard Children 2023: a family help lead practitioner need not be a
#: social worker, and may lead child in need, early help and other family help cases, never a
#: child protection case or a looked-after child's. They are not social workers in the census.
FAMILY_HELP_ROLE = "family_help_practitioner"
FAMILY_HELP_LEAD_CASE_TYPES: tuple[str, ...] = ("CIN", "EH", "OTHER")


def may_lead_case_type(role: str, case_type: str) -> bool:
    """Whether a worker of this role may be lead on a case of this type (family help rule)."""
    return role != FAMILY_HELP_ROLE or case_type.upper() in FAMILY_HELP_LEAD_CASE_TYPES


class Service(SQLModel, table=True):
    """A service area (e.g. Safeguarding), the unit a head of service and a digest cover."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    service_id: int = Field(foreign_key="service.id", index=True)
    # use_alter: team and staff refer to each other, so this key is added after both tables exist.
    manager_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("staff.id", use_alter=True, name="fk_team_manager"), index=True
        ),
    )
    establishment_fte: float = 0.0
    digest_channel: str | None = Field(default=None, max_length=120)
    teams_channel: str | None = Field(default=None, max_length=200)


class Staff(SQLModel, table=True):
    """One member of staff. `staff_id` is the council's own id and the import's natural key."""

    id: int | None = Field(default=None, primary_key=True)
    staff_id: str = Field(unique=True, max_length=60)
    name: str = Field(max_length=200)
    email: str = Field(unique=True, max_length=254)
    role: str = Field(max_length=40)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    service_id: int | None = Field(default=None, foreign_key="service.id", index=True)
    manager_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    fte: float = 1.0
    agency: bool = False
    start_date: date
    end_date: date | None = None
    leaving_reason: str | None = Field(default=None, max_length=200)
    asye_start: date | None = None
    asye_end: date | None = None
    academy_modules_passed: int | None = None
    academy_modules_required: int | None = None
    slack_user_id: str | None = Field(default=None, unique=True, max_length=40)
    teams_user_id: str | None = Field(default=None, unique=True, max_length=80)
    swe_no: str | None = Field(default=None, unique=True, max_length=40)
    annex_a_name: str | None = Field(default=None, max_length=200)
    # Early career programme: "asye" or "ecdp"; None = judged from the start date (SPEC 4).
    early_career_programme: str | None = Field(default=None, max_length=10)
    qualified_date: date | None = None
    # The DfE agency rules (SPEC 4): None where the council has not recorded the fact.
    agency_reference: bool | None = None
    agency_notice_weeks: int | None = None
    agency_hourly_rate: float | None = None
    left_permanent_post: date | None = None
    agency_exception_approved_by: str | None = Field(default=None, max_length=200)
    # Social Work England CPD in the current registration year (1 December to 30 November).
    cpd_records: int | None = None
    cpd_peer_reflection: bool | None = None

    @property
    def access_role(self) -> str:
        return ACCESS_ROLE_BY_JOB_ROLE.get(self.role, "practitioner")

    def in_post_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


# Case-insensitive lookups (a person named by e-mail, staff id or name; a team by its name) use
# lower(column): these expression indexes let them find the row without scanning the table. Those
# on keys are unique (migration 0006): `SW0001` and `sw0001` are one staff id, whatever the path.
Index("ix_staff_lower_email", func.lower(Staff.email), unique=True)
Index("ix_staff_lower_staff_id", func.lower(Staff.staff_id), unique=True)
Index("ix_staff_lower_name", func.lower(Staff.name))
Index("ix_team_lower_name", func.lower(Team.name), unique=True)
Index("ix_service_lower_name", func.lower(Service.name), unique=True)
