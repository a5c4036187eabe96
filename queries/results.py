"""The result objects every query returns and every renderer draws.

One object goes to Slack, Teams and the console alike, so the three cannot disagree. Each result
says whether it lists people or cases (`lists_people`), because such answers are shown only to the
asker unless they asked in a direct message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from queries.agency_return import AgencyReturnDue


@dataclass(frozen=True)
class Freshness:
    """How old an answer's data is: the latest accepted import, in the council's time zone.

    Carried by every answer built from the store and by every digest, so each front end ends it
    with the same line (render.text.freshness_lines) and the same warning once it is stale."""

    loaded_at: datetime  # local time of the latest accepted load
    today: date  # the council's date now, to say "today" or "yesterday"
    age_hours: float
    stale_after_hours: int

    @property
    def stale(self) -> bool:
        return self.age_hours > self.stale_after_hours


def count_of(count: int, word: str, suffix: str = "s") -> str:
    """"1 CP case", "2 CP cases": a proper plural, never "case(s)". The one helper, for the
    queries' own words and every renderer's (render.text.plural)."""
    return f"{count} {word}{'' if count == 1 else suffix}"


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
    #: "NQSW" in the ASYE, "ECDP year 2" in the ECDP's second year; "" when not early career.
    early_career: str = ""
    may_lead_cp: bool = True
    family_help: bool = False  # a family help lead practitioner (Working Together 2023)
    barred_leads: int = 0  # open cases led that the role may not lead (family help: CP, LAC)
    points: float | None = None  # weighted load, where CASE_WEIGHTS is set
    points_cap: float | None = None
    families: int | None = None  # distinct families among the lead cases, where recorded

    @property
    def load_pct(self) -> int:
        return round(100 * self.total / self.cap) if self.cap else 0

    @property
    def points_text(self) -> str:
        """"22.5 of 24 points" beside the count, where weighting is on; "" otherwise."""
        if self.points is None or self.points_cap is None:
            return ""
        return f"{self.points:g} of {self.points_cap:g} points"

    @property
    def over_points_cap(self) -> bool:
        return self.points is not None and self.points_cap is not None \
            and self.points > self.points_cap

    @property
    def over_cap(self) -> bool:
        return self.total > self.cap

    @property
    def flags(self) -> tuple[str, ...]:
        """Short words a manager scans for; renderers decide how loudly to show them."""
        flags: list[str] = []
        if self.over_cap:
            flags.append("over cap")
        if self.over_points_cap:
            flags.append("over points cap")
        if self.is_nqsw:
            flags.append(self.early_career or "NQSW")
            if self.cp and not self.may_lead_cp:
                # The protected year allows co-working a CP case, never leading one.
                flags.append(f"{self.early_career or 'NQSW'} lead on "
                             f"{count_of(self.cp, 'CP case')}")
        if self.barred_leads:
            flags.append(f"family help: leads {count_of(self.barred_leads, 'CP/LAC case')}")
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
    freshness: Freshness | None = None
    total_families: int | None = None  # where cases carry a family_id

    @property
    def children_text(self) -> str:
        """"18 children, 9 families" where families are recorded; "" otherwise."""
        if self.total_families is None:
            return ""
        return (f"{self.total_cases} {'child' if self.total_cases == 1 else 'children'}, "
                f"{self.total_families} {'family' if self.total_families == 1 else 'families'}")

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
    #: For a case no one holds: days since it was opened, or since its lead left.
    days_waiting: int | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        flags: list[str] = []
        if self.days_waiting is not None:
            flags.append(f"waiting {count_of(self.days_waiting, 'day')}")
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
    freshness: Freshness | None = None


@dataclass(frozen=True)
class CapacityRow:
    staff_id: str
    name: str
    team: str
    fte: float
    open_cases: int
    cap: float
    is_nqsw: bool
    early_career: str = ""
    points: float | None = None  # weighted load and cap, where CASE_WEIGHTS is set
    points_cap: float | None = None

    @property
    def headroom(self) -> float:
        """Room left: in points where weighting is on (capacity uses points), else in cases."""
        if self.points is not None and self.points_cap is not None:
            return round(self.points_cap - self.points, 2)
        return round(self.cap - self.open_cases, 1)


@dataclass(frozen=True)
class CapacityList:
    title: str
    as_of: date
    case_type: str | None
    rows: tuple[CapacityRow, ...]
    note: str
    lists_people: bool = True
    freshness: Freshness | None = None


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
    programme: str = "ASYE"  # the early career programme: "ASYE" or "ECDP"
    #: "month 4 of 12" (ASYE) or "ECDP year 2, month 14 of 24"; "" outside the programme
    month_text: str = ""
    cp_lead_allowed: bool = False  # a setting per programme year (local policy)

    @property
    def position(self) -> str:
        """Where the worker is in the programme, as every front end words it."""
        return self.month_text or f"month {self.month} of 12"

    @property
    def breaches(self) -> tuple[str, ...]:
        """What the manager must put right; an empty tuple means the protection is being kept."""
        if not self.in_protected_year:
            return ()
        found: list[str] = []
        if self.open_cases > self.protected_cap:
            found.append(f"caseload {self.open_cases} over protected cap {self.protected_cap:g}")
        if self.cp_lead_cases and not self.cp_lead_allowed:
            found.append(f"lead on {count_of(len(self.cp_lead_cases), 'CP case')}")
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
    freshness: Freshness | None = None


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
    freshness: Freshness | None = None


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
    freshness: Freshness | None = None

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
class LoadLine:
    """One recorded load, for `/caseload status`."""

    kind: str
    at: datetime  # local time
    actor: str  # "cli:USER", "job:ingest", …
    source: str
    rows_read: int
    created: int
    updated: int
    closed: int
    refused: bool
    problems: int


@dataclass(frozen=True)
class UnmatchedUser:
    """A chat user the bot refused because no staff record matched them (from the audit log)."""

    front_end: str
    label: str  # their chat user id or e-mail, as the audit log has it
    times: int
    last_at: datetime  # local time


@dataclass(frozen=True)
class StatusAnswer:
    """`/caseload status` (admins): the last load of each kind, refused loads, unmatched users."""

    title: str
    as_of: date
    last_loads: tuple[LoadLine, ...]
    refused: tuple[LoadLine, ...]
    unmatched: tuple[UnmatchedUser, ...]
    history_days: int
    lists_people: bool = True  # chat ids of people
    freshness: Freshness | None = None


@dataclass(frozen=True)
class StaffingFigureRow:
    """One staffing figure now, England's beside it, and its weekly trend (oldest first)."""

    key: str
    label: str
    unit: str  # "count", "pct", "fte" or "ratio"
    value: float | None
    england: float | None
    trend: tuple[float | None, ...]


@dataclass(frozen=True)
class StaffingAnswer:
    """/staffing: the staffing digest's figures for the asker's scope, each with its trend."""

    title: str
    as_of: date
    rows: tuple[StaffingFigureRow, ...]
    trend_weeks: int
    lists_people: bool = True  # a team's figures are for the asker, as the digest's DM is
    freshness: Freshness | None = None


@dataclass(frozen=True)
class AgencyRow:
    """One agency worker against the DfE agency rules (queries.agency_rules)."""

    staff_id: str
    name: str
    team: str
    role: str
    start_date: date
    breaches: tuple[str, ...]
    not_recorded: tuple[str, ...]
    exception_approved_by: str | None

    @property
    def outside_rules(self) -> bool:
        return bool(self.breaches) and not self.exception_approved_by

    @property
    def status(self) -> str:
        """In words: what is wrong, what the exception covers, or "within the rules"."""
        if self.outside_rules:
            return "outside the rules: " + "; ".join(self.breaches)
        if self.breaches:
            return (f"exception approved by {self.exception_approved_by}: "
                    + "; ".join(self.breaches))
        if self.not_recorded:
            return "no breach in what is recorded"
        return "within the rules"


@dataclass(frozen=True)
class AgencyAnswer:
    """/staffing agency: agency workers in scope, those outside the rules first."""

    title: str
    as_of: date
    rows: tuple[AgencyRow, ...]
    empty_message: str = "No agency workers in post in your scope."
    lists_people: bool = True
    freshness: Freshness | None = None
    agency_return: AgencyReturnDue | None = None  # the DfE quarterly return, beside the list

    @property
    def outside_count(self) -> int:
        return sum(1 for row in self.rows if row.outside_rules)


@dataclass(frozen=True)
class RegistrationRow:
    """One person whose Social Work England registration needs attention."""

    staff_id: str
    name: str
    team: str
    role: str
    swe_no: str | None
    cpd_records: int | None
    cpd_peer_reflection: bool | None
    flag: str  # queries.registration_rules: no number, CPD not yet met, at risk

    @property
    def cpd_text(self) -> str:
        reflection = "peer reflection" if self.cpd_peer_reflection else "no peer reflection"
        return f"{self.cpd_records or 0} CPD, {reflection}"


@dataclass(frozen=True)
class RegistrationAnswer:
    """/staffing registration: who needs to act before Social Work England's renewal closes."""

    title: str
    as_of: date
    rows: tuple[RegistrationRow, ...]
    people: int  # everyone in scope who must be registered
    renewal_opens: date
    year_ends: date
    empty_message: str = "Everyone in scope is registered, and nothing is due."
    lists_people: bool = True
    freshness: Freshness | None = None


@dataclass(frozen=True)
class ReadAs:
    """An answer to a plain question, with the command the question was read as.

    Every renderer shows `command` first ("Read as: /caseload capacity cp"), so the asker can
    see what was answered and type it themselves next time."""

    command: str
    answer: "Answer"

    @property
    def lists_people(self) -> bool:
        return self.answer.lists_people

    @property
    def freshness(self) -> "Freshness | None":
        """How fresh the answered data is: the inner answer's, shown after it."""
        return getattr(self.answer, "freshness", None)


@dataclass(frozen=True)
class ReportRequested:
    """`/staffing report`: the asker may have the performance report of this scope; the front end
    sends it to them in a DM (jobs.report_delivery) after saying so."""

    scope: str  # a service's name, or "All services" for an admin
    service_id: int | None  # None: all services
    as_of: date
    months: int
    lists_people: bool = False

    @property
    def message(self) -> str:
        return (f"Your performance report for {self.scope} ({self.months} months to "
                f"{self.as_of:%-d %B %Y}) is being made as a PDF, for you only.")



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
    | StatusAnswer | StaffingAnswer | AgencyAnswer | RegistrationAnswer | ReadAs
    | ReportRequested
    | ReminderSettings
)


def rows_in(answer: object) -> int:
    """How many rows a listing answer holds (0 for answers that are not lists): what a front
    end pages through, `max_rows_in_chat` at a time."""
    answer = unwrapped(answer)
    for name in ("rows", "cases", "statuses"):
        listing = getattr(answer, name, None)
        if isinstance(listing, tuple):
            return len(listing)
    return 0


def unwrapped(answer: object) -> object:
    """The answer itself, without the "read as" note a plain question adds around it."""
    return answer.answer if isinstance(answer, ReadAs) else answer


__all__ = [
    "AgencyAnswer", "AgencyRow", "Answer", "ActionChanged", "ActionList", "ActionRow",
    "CapacityList", "CapacityRow", "CaseList", "CaseRow", "CaseloadTable", "Freshness",
    "HelpAnswer", "Invalid", "LoadLine", "ProtectionAnswer", "ProtectionStatus", "ReadAs",
    "Refusal", "RegistrationAnswer", "RegistrationRow", "ReminderSettings", "ReportRequested", "StaffingAnswer",
    "StaffingFigureRow", "StatusAnswer", "SupervisionList", "SupervisionLogged",
    "SupervisionRow", "Unavailable", "UnmatchedUser", "WorkerLoad", "rows_in", "unwrapped",
]
