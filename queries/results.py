"""The result objects every query returns and every renderer draws.

One object goes to Slack, Teams and the console alike, so the three cannot disagree. Each result
says whether it lists people or cases (`lists_people`), because such answers are shown only to the
asker unless they asked in a direct message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Refusal:
    """A polite no: the asker may not see this, or is not known. Audited like any answer."""

    reason: str
    hint: str = ""
    lists_people: bool = False


@dataclass(frozen=True)
class Invalid:
    """The words could not be understood: what was wrong and what to type instead."""

    message: str
    usage: str
    lists_people: bool = False


@dataclass(frozen=True)
class Unavailable:
    """The store or a chat API failed: nothing was lost, try again shortly."""

    message: str = "The caseload bot can't reach its data right now. Please try again shortly."
    lists_people: bool = False


@dataclass(frozen=True)
class HelpAnswer:
    lines: tuple[tuple[str, str], ...]
    lists_people: bool = False


@dataclass(frozen=True)
class WorkerLoad:
    """One row of a caseload table: a worker's open cases by type against their cap."""

    staff_id: str
    name: str
    team: str
    fte: float
    cp: int
    cin: int
    lac: int
    other: int
    total: int
    cap: float
    is_nqsw: bool
    overdue_visits: int
    overdue_reviews: int
    supervision_overdue_days: int

    @property
    def load_pct(self) -> int:
        return round(100 * self.total / self.cap) if self.cap else 0

    @property
    def over_cap(self) -> bool:
        return self.total > self.cap

    @property
    def flags(self) -> tuple[str, ...]:
        """Short words a manager scans for; renderers decide how loudly to show them."""
        flags: list[str] = []
        if self.over_cap:
            flags.append("over cap")
        if self.is_nqsw:
            flags.append("NQSW")
        if self.overdue_visits:
            flags.append(f"{self.overdue_visits} visit{'s' if self.overdue_visits > 1 else ''} overdue")
        if self.overdue_reviews:
            flags.append(
                f"{self.overdue_reviews} review{'s' if self.overdue_reviews > 1 else ''} overdue"
            )
        if self.supervision_overdue_days:
            flags.append(f"supervision {self.supervision_overdue_days}d overdue")
        return tuple(flags)


@dataclass(frozen=True)
class CaseloadTable:
    title: str
    as_of: date
    rows: tuple[WorkerLoad, ...]
    total_cases: int
    total_fte: float
    unallocated: int
    lists_people: bool = True

    @property
    def over_cap_count(self) -> int:
        return sum(1 for row in self.rows if row.over_cap)


@dataclass(frozen=True)
class CaseRow:
    """A case by reference only: no child's name, birth date or address exists to show."""

    case_ref: str
    case_type: str
    team: str
    lead: str | None
    co_worker: str | None
    start_date: date
    last_visit: date | None
    visit_due: date | None
    visit_days_overdue: int
    next_review: date | None
    review_days_overdue: int

    @property
    def flags(self) -> tuple[str, ...]:
        flags: list[str] = []
        if self.visit_days_overdue:
            flags.append(f"visit {self.visit_days_overdue}d overdue")
        if self.review_days_overdue:
            flags.append(f"review {self.review_days_overdue}d overdue")
        return tuple(flags)


@dataclass(frozen=True)
class CaseList:
    title: str
    as_of: date
    cases: tuple[CaseRow, ...]
    empty_message: str
    summary: str = ""
    lists_people: bool = True


@dataclass(frozen=True)
class CapacityRow:
    staff_id: str
    name: str
    team: str
    fte: float
    open_cases: int
    cap: float
    is_nqsw: bool

    @property
    def headroom(self) -> float:
        return round(self.cap - self.open_cases, 1)


@dataclass(frozen=True)
class CapacityList:
    title: str
    as_of: date
    case_type: str | None
    rows: tuple[CapacityRow, ...]
    note: str
    lists_people: bool = True


@dataclass(frozen=True)
class ProtectionStatus:
    """An NQSW's protected year (ASYE): what is promised and whether it is kept."""

    staff_id: str
    name: str
    team: str
    in_protected_year: bool
    asye_start: date | None
    protection_end: date | None
    month: int | None
    open_cases: int
    protected_cap: float
    cp_lead_cases: tuple[str, ...]
    cp_co_worked: int
    academy_passed: int | None
    academy_required: int | None
    supervision_frequency: str | None
    last_supervision: date | None
    next_supervision_due: date | None
    supervision_overdue_days: int
    next_review: tuple[int, date] | None
    development_time_pct: int

    @property
    def breaches(self) -> tuple[str, ...]:
        """What the manager must put right; an empty tuple means the protection is being kept."""
        if not self.in_protected_year:
            return ()
        found: list[str] = []
        if self.open_cases > self.protected_cap:
            found.append(f"caseload {self.open_cases} over protected cap {self.protected_cap:g}")
        if self.cp_lead_cases:
            found.append(f"lead on {len(self.cp_lead_cases)} CP case(s)")
        if self.supervision_overdue_days:
            found.append(f"supervision {self.supervision_overdue_days}d overdue")
        return tuple(found)


@dataclass(frozen=True)
class ProtectionAnswer:
    title: str
    as_of: date
    statuses: tuple[ProtectionStatus, ...]
    empty_message: str = ""
    lists_people: bool = True


@dataclass(frozen=True)
class ActionRow:
    plan: str
    ref: str
    action: str
    owner: str
    owner_staff_id: str
    agency: str | None
    area: str | None
    due_date: date
    days_overdue: int
    measure: str | None
    status: str
    last_note: str | None

    @property
    def qualified_ref(self) -> str:
        """PLAN/REF as one word (spaces in the plan name become _), for buttons and typing:
        `queries.actions.find_action` reads it back, whichever plans share the reference."""
        return f"{'_'.join(self.plan.split())}/{self.ref}"


@dataclass(frozen=True)
class ActionList:
    title: str
    as_of: date
    rows: tuple[ActionRow, ...]
    empty_message: str
    lists_people: bool = True


@dataclass(frozen=True)
class ActionChanged:
    plan: str
    ref: str
    kind: str  # "done" or "update"
    by: str
    on: date
    text: str
    lists_people: bool = False


@dataclass(frozen=True)
class SupervisionRow:
    staff_id: str
    name: str
    team: str
    is_nqsw: bool
    frequency: str
    last: date | None
    next_due: date
    days_overdue: int


@dataclass(frozen=True)
class SupervisionList:
    title: str
    as_of: date
    rows: tuple[SupervisionRow, ...]
    empty_message: str
    lists_people: bool = True

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.rows if row.days_overdue)


@dataclass(frozen=True)
class SupervisionLogged:
    staff_id: str
    name: str
    on: date
    by: str
    next_due: date
    lists_people: bool = False


@dataclass(frozen=True)
class ReminderSettings:
    """A person's own daily reminders (`/remind`): on or off, at what time, and the next one."""

    enabled: bool
    at_time: str  # "HH:MM": their own time, or the council's default
    own_time: bool  # True when they chose it with /remind at
    next_time: datetime | None  # None when off (or no reminder day within four weeks)
    changed: str = ""  # "", "on", "off" or "at": what this command changed
    lists_people: bool = False


Answer = (
    Refusal | Invalid | Unavailable | HelpAnswer | CaseloadTable | CaseList | CapacityList
    | ProtectionAnswer | ActionList | ActionChanged | SupervisionList | SupervisionLogged
    | ReminderSettings
)

__all__ = [
    "Answer", "ReminderSettings",
    "ActionChanged", "ActionList", "ActionRow", "CapacityList", "CapacityRow",
    "CaseList", "CaseRow", "CaseloadTable", "HelpAnswer", "Invalid", "ProtectionAnswer",
    "ProtectionStatus", "Refusal", "SupervisionList", "SupervisionLogged", "SupervisionRow",
    "Unavailable", "WorkerLoad",
]
