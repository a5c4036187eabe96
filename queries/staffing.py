"""Staffing figures for a team, a service or the whole council, as the DfE census defines them.

The definitions are SPEC section 4's, which are the children's social work workforce census's, so
a council's figures sit beside England's published ones:

- **Workforce.** Staff in a team whose role gives the access role ``practitioner`` or
  ``team_manager`` (social workers, senior and advanced practitioners, NQSWs, personal advisers,
  team managers, and any role not in ``ACCESS_ROLE_BY_JOB_ROLE``, which counts as practitioner,
  as it does for access). Heads of service and admins are outside the figures, as are family
  help practitioners (``NOT_SOCIAL_WORKERS``: not social workers, Working Together 2023) and
  anyone with no team: every figure is a sum over teams, so a service's figures are its teams'
  added up.
- **In post on D:** started on or before D and not ended before D (``end_date >= D``).
- **Employed and agency.** As in the census, ``headcount``, ``fte_in_post``, the leavers behind
  turnover and the weekly starters and leavers are directly employed staff; agency workers are
  counted only in ``agency_fte`` (and, being people who hold cases and report to managers, in the
  caseload, cap and span figures).
- **Vacant FTE** = establishment (the teams' ``establishment_fte``) − FTE in post, never below 0;
  **vacancy rate** = vacant FTE ÷ (vacant FTE + FTE in post). Agency cover does not fill a
  vacancy, as in the census.
- **Agency rate** = agency FTE ÷ (agency FTE + employed FTE in post).
- **Turnover** (rolling 12 months) = FTE of employed leavers whose ``end_date`` falls in
  (as_of − 12 months, as_of] ÷ FTE in post on as_of.
- **Open case on D:** started on or before D and not ended on or before D (``end_date > D``).
  A case belongs to its ``team_id``.
- **Lead worker on D:** from the allocation history (``case_allocation``): the lead spell
  covering D (``from_date <= D < to_date``), none if no spell covers it; a case with no lead
  spell at all (stored before the history was kept) uses its ``allocated_worker_id``. So a past
  day's caseloads and unallocated cases are the ones that day had. On and after the day of the
  history's last change (the latest spell start or end, and the latest case end), this is the
  case table's ``allocated_worker_id`` — the cases importer closes and opens spells as it
  changes that column, and nothing else writes either — so such days are read from the case
  table alone, and only earlier days join the history.
- **Caseload per FTE** = open cases held as lead (the lead worker on the day) by workers in post ÷
  FTE of the workers in post holding at least one, counted in the worker's team. Co-worked cases
  are not a worker's caseload.
- **Unallocated:** open, with no lead worker or a lead worker no longer (or not yet) in post: a
  case left with a leaver has nobody to visit the child.
- **Workers over cap:** open lead cases above the cap for the worker's FTE (the NQSW protected cap
  in the protected year), e.g. 11 cases against 10.8.
- **Span of control:** direct reports = staff in post (any role, employed or agency) whose
  ``manager_id`` is the manager; managers in post with more than ``span_of_control_max`` are
  listed. A manager belongs to the team they are in or the team they manage (``Team.manager_id``);
  a head of service with no team to their service's figures (and to "All services").
- **New cases:** started in the 7 days ending as_of; the 12-week average is the cases started in
  the 84 days ending as_of ÷ 12, closed since or not.
- **NQSWs:** workforce in post (employed or agency) in the early career programme's protected
  period on as_of (the ASYE year, or the ECDP's two years: queries.protection_rules).
- **Agency workers outside the rules:** agency workforce in post on as_of who break a DfE agency
  rule with no approved exception (queries.agency_rules). ``None`` when no agency worker in scope
  has any agency rule fact recorded: the council does not record them, so there is no figure.

Cost: eight statements whatever the data size, the number of teams or the number of days,
aggregated in the database. Set-based: the days are a derived table every statement joins,
grouped by day and team, so a 12-week trend costs what one day costs in statements, and the
whole council (``staffing_by_service``) what one service does. Rows come back per day and
team, and per worker who may be over cap, NQSW, agency worker, unallocated case's team and
manager over span; never per case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import (
    Date,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session

from config import Settings
from models import ACCESS_ROLE_BY_JOB_ROLE, Case, CaseAllocation, Service, Staff, Team
from queries.agency_rules import AgencyFacts, check_agency_worker
from queries.protection_rules import (
    earliest_protected_start,
    early_career_on,
    in_protected_year,
    lowest_cap_ratio,
    normal_cap,
    protected_cap,
)

ALL_SERVICES = "All services"

#: Job roles outside the social work workforce counted here (heads of service, admins).
NON_WORKFORCE_ROLES: tuple[str, ...] = tuple(
    sorted(role for role, access in ACCESS_ROLE_BY_JOB_ROLE.items()
           if access not in ("practitioner", "team_manager"))
)

#: Staff who hold cases but are not social workers, so not in the census figures (Working
#: Together 2023's family help lead practitioners).
NOT_SOCIAL_WORKERS: tuple[str, ...] = ("family_help_practitioner",)

#: A manager over span: (primary key, staff_id, name, team_id, service_id, direct reports).
_ManagerRow = tuple[int, str, str, int | None, int | None, int]

_FTE_DECIMALS = 6  # sums of FTEs are rounded to shed float noise (1.0 + 0.6 + 0.5 = 2.1)


@dataclass(frozen=True)
class StaffingFigures:
    """One scope's figures on one day (definitions in the module docstring).

    ``headcount`` and ``fte_in_post`` are the directly employed workforce in post: practitioners
    of every grade (NQSW to advanced practitioner) and team managers, as the census counts all
    children and family social workers including managers; heads of service and admins are not
    counted, and agency workers are counted in ``agency_fte`` only.
    """

    scope: str  # service name, team name or "All services"
    as_of: date
    headcount: int  # employed workforce in post
    fte_in_post: float  # employed workforce in post
    establishment_fte: float
    vacant_fte: float
    vacancy_rate_pct: float | None
    agency_fte: float
    agency_rate_pct: float | None
    leavers_12m_fte: float
    turnover_12m_pct: float | None
    starters_week: int
    leavers_week: int
    open_cases: int
    case_holders: int
    case_holder_fte: float
    caseload_per_fte: float | None
    unallocated_cases: int
    oldest_unallocated: tuple[str, int] | None  # (case_ref, days since the case started)
    new_cases_week: int
    new_cases_12w_weekly_avg: float
    nqsws: int
    managers_over_span: tuple[tuple[str, str, int], ...]  # (staff_id, name, direct reports)
    workers_over_cap: tuple[tuple[str, str, int, float], ...]  # (staff_id, name, open cases, cap)
    agency_outside_rules: int | None = None  # None: no agency rule facts recorded in scope


@dataclass
class _Tally:
    """The additive parts of the figures, for one team or summed over several."""

    establishment_fte: float = 0.0
    headcount: int = 0
    fte_in_post: float = 0.0
    agency_fte: float = 0.0
    leavers_12m_fte: float = 0.0
    starters_week: int = 0
    leavers_week: int = 0
    open_cases: int = 0
    unallocated_cases: int = 0
    new_cases_week: int = 0
    new_cases_12w: int = 0
    case_holders: int = 0
    case_holder_fte: float = 0.0
    held_cases: int = 0
    nqsws: int = 0
    agency_outside_rules: int = 0
    agency_recorded: int = 0  # agency workers with any agency rule fact recorded
    oldest_unallocated: tuple[date, str] | None = None  # (start date, case_ref)
    workers_over_cap: list[tuple[str, str, int, float]] = field(default_factory=list)

    def add(self, other: _Tally) -> None:
        for name in ("establishment_fte", "headcount", "fte_in_post", "agency_fte",
                     "leavers_12m_fte", "starters_week", "leavers_week", "open_cases",
                     "unallocated_cases", "new_cases_week", "new_cases_12w", "case_holders",
                     "case_holder_fte", "held_cases", "nqsws", "agency_outside_rules",
                     "agency_recorded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.oldest_unallocated is not None and (
            self.oldest_unallocated is None or other.oldest_unallocated < self.oldest_unallocated
        ):
            self.oldest_unallocated = other.oldest_unallocated
        self.workers_over_cap.extend(other.workers_over_cap)


@dataclass(frozen=True)
class _TeamRow:
    id: int
    name: str
    manager_id: int | None
    establishment_fte: float
    service_id: int


@dataclass
class _DayTallies:
    """One day's tallies by team, and the managers over span that day (with team and service)."""

    tallies: dict[int, _Tally]
    over_span: list[_ManagerRow] = field(default_factory=list)


def _pct(part: float, whole: float) -> float | None:
    return part / whole * 100 if whole > 0 else None


def _fte(value: float | None) -> float:
    return round(float(value or 0.0), _FTE_DECIMALS)


def _in_post(staff, day):  # type: ignore[no-untyped-def]
    """In post on ``day`` (a date or a date column)."""
    return and_(staff.start_date <= day, or_(staff.end_date.is_(None), staff.end_date >= day))


def _open(day):  # type: ignore[no-untyped-def]
    """Open on ``day`` (a date or a date column)."""
    return and_(Case.start_date <= day, or_(Case.end_date.is_(None), Case.end_date > day))


#: The workforce the figures count (module docstring), and its directly employed part.
_WORKFORCE = Staff.role.not_in(NON_WORKFORCE_ROLES + NOT_SOCIAL_WORKERS)  # type: ignore[attr-defined]
_EMPLOYED = Staff.agency.is_not(True)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Days:
    """The days the figures are for, as a derived table: one row per day with its windows.

    Every statement joins it and groups by its ``day``, so the figures for twelve weekly points
    cost the statements of one day (a trend is set-based, not a loop of single days). The
    windows are worked out here, in Python, because date arithmetic differs between stores."""

    days: tuple[date, ...]
    settings: Settings

    def table(self):  # type: ignore[no-untyped-def]
        """A fresh derived table of the days (each use in a statement needs its own)."""
        rows = [
            select(
                literal(day, Date).label("day"),
                # the 7 days ending on the day are (week_start, day]
                literal(day - timedelta(days=7), Date).label("week_start"),
                literal(day - relativedelta(months=12), Date).label("year_start"),
                literal(day - timedelta(weeks=12), Date).label("twelve_weeks_start"),
                literal(earliest_protected_start(day, self.settings), Date
                        ).label("asye_earliest"),
            )
            for day in self.days
        ]
        return (rows[0] if len(rows) == 1 else union_all(*rows)).subquery()


def _history_last_changes():  # type: ignore[no-untyped-def]
    """The latest spell start, spell end and case end: from the last of them on, the lead on
    each day is the case table's ``allocated_worker_id`` for every open case.

    The cases importer closes and opens spells as it changes that column, so an open case's
    open lead spell names the same worker, and a case with no spell is read from the column
    anyway. Three index lookups (migration 0010 indexes the spells' dates), asked inside
    statement 1 rather than as a statement of their own."""
    return (select(func.max(CaseAllocation.from_date)).scalar_subquery(),
            select(func.max(CaseAllocation.to_date)).scalar_subquery(),
            select(func.max(Case.end_date)).scalar_subquery())


@dataclass(frozen=True)
class _Leads:
    """The lead worker of each case on each day (module docstring), joined as a statement needs.

    ``history`` False (every day on or after the history's last change): the case table's
    ``allocated_worker_id``, with no join. Otherwise the allocation history: the lead spell
    covering the day, outer-joined to the case (through its case_id index), and for a case with
    no lead spell at all its ``allocated_worker_id``. Plain joins to the tables, never a derived
    relation joined back: a plan made on poor row estimates (just after a large import) then
    costs index lookups, not a derived table rebuilt for every case."""

    days: _Days
    history: bool
    scope: _Scope

    def of_cases(self, statement, day):  # type: ignore[no-untyped-def]
        """``statement`` (over Case) with each case's lead on ``day`` outer-joined, and the lead's
        id as an SQL expression."""
        if not self.history:
            return statement, Case.allocated_worker_id
        spell = aliased(CaseAllocation)
        any_spell = aliased(CaseAllocation)
        tracked = exists().where(any_spell.case_id == Case.id, any_spell.role == "lead")
        # The spell first; the EXISTS is reached only for cases no spell covers on the day
        # (CASE stops at the first match), a few per team, through the case_id index.
        lead_id = case((spell.worker_id.is_not(None), spell.worker_id),
                       (tracked, null()), else_=Case.allocated_worker_id)
        return (statement.outerjoin(spell, and_(
            spell.case_id == Case.id, spell.role == "lead", spell.from_date <= day,
            or_(spell.to_date.is_(None), spell.to_date > day))), lead_id)

    def led_in_scope(self):  # type: ignore[no-untyped-def]
        """Conditions on Case keeping the cases the scope's workers may lead on some day (none
        for everything): their own allocated cases, and, from the history, the cases any of
        their lead spells is on, each found through an index."""
        if self.scope.is_everything:
            return ()
        workers = select(Staff.id).where(self.scope.holds(Staff.team_id))
        if not self.history:
            return (Case.allocated_worker_id.in_(workers),)
        return (Case.id.in_(union(
            select(Case.id).where(Case.allocated_worker_id.in_(workers)),
            select(CaseAllocation.case_id).where(CaseAllocation.worker_id.in_(workers),
                                                 CaseAllocation.role == "lead"),
        )),)

    def unallocated(self):  # type: ignore[no-untyped-def]
        """(day, team_id, case_ref, start_date) of the scope's cases open on each day with no
        lead, or a lead not in post.

        From the case table, these are the open cases with nobody allocated and those of staff
        not in post, each found through the lead's index: a few thousand rows in the country,
        not a pass over every case."""
        def columns(days):  # type: ignore[no-untyped-def]
            return (days.c.day.label("day"), Case.team_id.label("team_id"),
                    Case.case_ref.label("case_ref"), Case.start_date.label("start_date"))

        in_scope = self.scope.holds(Case.team_id, never_null=True)
        if not self.history:
            nobody_days, gone_days = self.days.table(), self.days.table()
            leaver = aliased(Staff)
            return union_all(
                select(*columns(nobody_days)).select_from(Case)
                .join(nobody_days, _open(nobody_days.c.day))
                .where(Case.allocated_worker_id.is_(None), in_scope),
                select(*columns(gone_days)).select_from(leaver)
                .join(gone_days, ~_in_post(leaver, gone_days.c.day))
                .join(Case, and_(Case.allocated_worker_id == leaver.id, _open(gone_days.c.day)))
                .where(in_scope),
            ).subquery()
        days = self.days.table()
        lead = aliased(Staff)
        statement, lead_id = self.of_cases(
            select(*columns(days)).select_from(Case).join(days, _open(days.c.day)), days.c.day)
        return (statement.outerjoin(lead, lead.id == lead_id)
                .where(in_scope, or_(lead.id.is_(None), ~_in_post(lead, days.c.day)))
                .subquery())


@dataclass(frozen=True)
class _Scope:
    """Which teams a statement counts: one team, a manager's teams, a service, or all."""

    service_id: int | None = None
    team_id: int | None = None
    team_ids: frozenset[int] | None = None

    @property
    def is_everything(self) -> bool:
        return self.service_id is None and self.team_id is None and self.team_ids is None

    def holds(self, column, *, never_null: bool = False):  # type: ignore[no-untyped-def]
        """``column`` (a team id) is in scope; ``never_null`` when the column cannot be null."""
        if self.team_ids is not None:
            return column.in_(sorted(self.team_ids) or [-1])
        if self.team_id is not None:
            return column == self.team_id
        if self.service_id is not None:
            return column.in_(select(Team.id).where(Team.service_id == self.service_id))
        return true() if never_null else column.is_not(None)


@dataclass(frozen=True)
class _Pass:
    """One set-based pass: the session, settings, scope and days every statement shares, and
    where each statement adds up its rows (by day, then team)."""

    session: Session
    settings: Settings
    scope: _Scope
    days: _Days
    leads: _Leads
    by_day: dict[date, _DayTallies]

    def tally(self, day: date, team: int | None) -> _Tally | None:
        return self.by_day[day].tallies.get(team)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _InScope:
    """Statement 1's answer: the scope's name, its teams, their services (every service in
    scope, even one with no team), and the last day the allocation history changed (None: no
    history and no case end)."""

    name: str
    teams: list[_TeamRow]
    services: dict[int, str]
    history_settled_on: date | None


def _teams_in_scope(session: Session, scope: _Scope) -> _InScope:
    """Statement 1. LookupError for an unknown team or service.

    A manager's teams (``team_ids``: several, perhaps in different services) are named after
    them."""
    statement = (
        select(Service.id, Service.name, Team.id, Team.name, Team.manager_id,
               Team.establishment_fte, *_history_last_changes())
        .select_from(Service)
        .outerjoin(Team, Team.service_id == Service.id)
        .order_by(Team.name)
    )
    if scope.service_id is not None:
        statement = statement.where(Service.id == scope.service_id)
    if scope.team_id is not None:
        statement = statement.where(Team.id == scope.team_id)
    if scope.team_ids is not None:
        statement = statement.where(Team.id.in_(sorted(scope.team_ids) or [-1]))
    rows = session.exec(statement).all()
    services = {row[0]: row[1] for row in rows}
    teams = [_TeamRow(row[2], row[3], row[4], float(row[5] or 0.0), row[0])
             for row in rows if row[2] is not None]
    settled = max((day for day in rows[0][6:] if day is not None), default=None) if rows else None
    if scope.team_ids is not None:
        name = ", ".join(team.name for team in teams) or "No teams"
    elif scope.team_id is not None:
        if not teams:
            where = f" in service {scope.service_id}" if scope.service_id is not None else ""
            raise LookupError(f"no team with id {scope.team_id}{where}")
        name = teams[0].name
    elif scope.service_id is not None:
        if not rows:
            raise LookupError(f"no service with id {scope.service_id}")
        name = rows[0][1]
    else:
        name = ALL_SERVICES
    return _InScope(name, teams, services, settled)


def _count_staff(run: _Pass) -> None:
    """Statement 2: workforce in post, agency, leavers, starters, by day and team."""
    days = run.days.table()
    in_post = _in_post(Staff, days.c.day)
    leaving = and_(Staff.end_date > days.c.year_start, Staff.end_date <= days.c.day)
    for day, team, heads, fte, agency_fte, leavers_fte, starters, leavers in run.session.exec(
        select(
            days.c.day, Staff.team_id,
            func.sum(case((and_(in_post, _EMPLOYED), 1), else_=0)),
            func.sum(case((and_(in_post, _EMPLOYED), Staff.fte), else_=0.0)),
            func.sum(case((and_(in_post, Staff.agency.is_(True)), Staff.fte), else_=0.0)),
            func.sum(case((and_(_EMPLOYED, leaving), Staff.fte), else_=0.0)),
            func.sum(case((and_(_EMPLOYED, Staff.start_date > days.c.week_start), 1), else_=0)),
            func.sum(case((and_(_EMPLOYED, Staff.end_date > days.c.week_start,
                                Staff.end_date <= days.c.day), 1), else_=0)),
        )
        .select_from(Staff)
        .join(days, and_(Staff.start_date <= days.c.day,
                         or_(Staff.end_date.is_(None), Staff.end_date > days.c.year_start)))
        .where(run.scope.holds(Staff.team_id), _WORKFORCE)
        .group_by(days.c.day, Staff.team_id)
    ).all():
        tally = run.tally(day, team)
        if tally is None:
            continue
        tally.headcount = int(heads)
        tally.fte_in_post, tally.agency_fte = _fte(fte), _fte(agency_fte)
        tally.leavers_12m_fte = _fte(leavers_fte)
        tally.starters_week, tally.leavers_week = int(starters), int(leavers)


def _count_cases(run: _Pass) -> None:
    """Statement 3: open and new cases, by day and the case's team.

    (Grouping by ``team_id + 0`` rather than the bare column keeps SQLite from walking the whole
    table in team_id index order, which is four times slower than scanning it; PostgreSQL is
    indifferent.)"""
    days = run.days.table()
    case_team = Case.team_id + 0
    for day, team, open_cases, new_week, new_12w in run.session.exec(
        select(
            days.c.day, case_team,
            func.sum(case((_open(days.c.day), 1), else_=0)),
            func.sum(case((Case.start_date > days.c.week_start, 1), else_=0)),
            func.sum(case((Case.start_date > days.c.twelve_weeks_start, 1), else_=0)),
        )
        .select_from(Case)
        .join(days, and_(Case.start_date <= days.c.day,
                         or_(Case.end_date.is_(None), Case.end_date > days.c.day,
                             Case.start_date > days.c.twelve_weeks_start)))
        .where(run.scope.holds(Case.team_id, never_null=True))
        .group_by(days.c.day, case_team)
    ).all():
        tally = run.tally(day, team)
        if tally is None:
            continue
        tally.open_cases = int(open_cases)
        tally.new_cases_week, tally.new_cases_12w = int(new_week), int(new_12w)


def _unallocated(run: _Pass) -> None:
    """Statement 4: each team's unallocated cases on each day: how many, and the oldest."""
    cases = run.leads.unallocated()
    team_day = (cases.c.day, cases.c.team_id)
    ranked = select(
        cases.c.day, cases.c.team_id, cases.c.case_ref, cases.c.start_date,
        func.row_number().over(partition_by=team_day,
                               order_by=(cases.c.start_date, cases.c.case_ref)).label("rank"),
        func.count().over(partition_by=team_day).label("cases"),
    ).subquery()
    for day, team, case_ref, started, unallocated_cases in run.session.exec(
        select(ranked.c.day, ranked.c.team_id, ranked.c.case_ref, ranked.c.start_date,
               ranked.c.cases)
        .where(ranked.c.rank == 1)
    ).all():
        tally = run.tally(day, team)
        if tally is not None:
            tally.unallocated_cases = int(unallocated_cases)
            tally.oldest_unallocated = (started, case_ref)


def _case_holders(run: _Pass) -> None:
    """Statement 5: open cases held as lead by workers in post who hold any, by day and team.

    For a scope short of everything only the cases its workers may lead are read
    (``_Leads.led_in_scope``), so one service does not join every case in the country. Counted
    per worker in the store, then added up per team there too, except for a worker who may be
    over their cap: they come back on their own row, and the rule decides
    (``_might_be_over_cap``). So the whole country costs a row per team and per such worker,
    not one per case holder."""
    days = run.days.table()
    held = func.count(Case.id)
    statement, lead_id = run.leads.of_cases(
        select(days.c.day.label("day"), Staff.id.label("id"), Staff.team_id.label("team_id"),
               Staff.staff_id.label("staff_id"), Staff.name.label("name"),
               Staff.fte.label("fte"), Staff.asye_start.label("asye_start"),
               Staff.asye_end.label("asye_end"),
               Staff.early_career_programme.label("programme"), held.label("held"),
               _might_be_over_cap(held, days, run.settings).label("candidate"))
        .select_from(Case).join(days, _open(days.c.day)),
        days.c.day,
    )
    per_worker = (
        statement.join(Staff, and_(Staff.id == lead_id, _in_post(Staff, days.c.day)))
        .where(_WORKFORCE, run.scope.holds(Staff.team_id), *run.leads.led_in_scope())
        .group_by(days.c.day, days.c.asye_earliest, Staff.id, Staff.team_id, Staff.staff_id,
                  Staff.name, Staff.fte, Staff.asye_start, Staff.asye_end,
                  Staff.early_career_programme)
        .subquery()
    )
    worker = case((per_worker.c.candidate, per_worker.c.id), else_=None)
    for day, team, _worker, holders, fte, cases_held, *candidate in run.session.exec(
        select(per_worker.c.day, per_worker.c.team_id, worker, func.count(),
               func.sum(per_worker.c.fte), func.sum(per_worker.c.held),
               *(func.max(column) for column in (
                   per_worker.c.staff_id, per_worker.c.name, per_worker.c.asye_start,
                   per_worker.c.asye_end, per_worker.c.programme)))
        .group_by(per_worker.c.day, per_worker.c.team_id, worker)
    ).all():
        tally = run.tally(day, team)
        if tally is None:
            continue
        tally.case_holders += int(holders)
        tally.case_holder_fte += float(fte)
        tally.held_cases += int(cases_held)
        if _worker is not None:
            _check_cap(tally, day, float(fte), int(cases_held), *candidate, run.settings)


def _might_be_over_cap(held, days, settings: Settings):  # type: ignore[no-untyped-def]
    """True for a worker whose open lead cases may exceed their cap on the day: above the
    lowest cap any programme year gives (less one, against rounding), and either above the
    normal cap or possibly in a protected period. Everyone else is certainly within cap."""
    per_fte = settings.caseload_cap_per_fte
    maybe_protected = and_(Staff.asye_start.is_not(None), Staff.asye_start > days.c.asye_earliest)
    return and_(held > Staff.fte * (per_fte * lowest_cap_ratio(settings)) - 1,
                or_(held > Staff.fte * per_fte - 1, maybe_protected))


def _check_cap(tally: _Tally, day: date, fte: float, held: int, staff_id: str, name: str,
               asye_start: date | None, asye_end: date | None, programme: str | None,
               settings: Settings) -> None:
    """The cap rule for one worker (the NQSW protected cap in the protected period)."""
    period = early_career_on(asye_start, asye_end, programme, day, settings)
    cap = protected_cap(fte, settings, period.cap_ratio) if period else normal_cap(fte, settings)
    if held > cap:
        tally.workers_over_cap.append((staff_id, name, held, cap))


def _nqsws(run: _Pass) -> None:
    """Statement 6: NQSWs who may be in the protected period each day; the rule decides."""
    days = run.days.table()
    for day, team, asye_start, asye_end, programme in run.session.exec(
        select(days.c.day, Staff.team_id, Staff.asye_start, Staff.asye_end,
               Staff.early_career_programme)
        .select_from(Staff)
        .join(days, and_(_in_post(Staff, days.c.day), Staff.asye_start <= days.c.day,
                         Staff.asye_start > days.c.asye_earliest))
        .where(run.scope.holds(Staff.team_id), _WORKFORCE, Staff.asye_start.is_not(None))
    ).all():
        tally = run.tally(day, team)
        if tally is not None and in_protected_year(asye_start, asye_end, day, run.settings,
                                                   programme):
            tally.nqsws += 1


def _agency_checks(run: _Pass) -> None:
    """Statement 7: agency workers in post each day, with the facts the DfE agency rules read
    (the rules do not depend on the day, so each worker is checked once)."""
    days = run.days.table()
    checks: dict[AgencyFacts, tuple[int, int]] = {}
    for day, team, *columns in run.session.exec(
        select(days.c.day, Staff.team_id, Staff.role, Staff.start_date, Staff.qualified_date,
               Staff.agency_reference, Staff.agency_notice_weeks, Staff.agency_hourly_rate,
               Staff.left_permanent_post, Staff.agency_exception_approved_by)
        .select_from(Staff)
        .join(days, _in_post(Staff, days.c.day))
        .where(run.scope.holds(Staff.team_id), _WORKFORCE, Staff.agency.is_(True))
    ).all():
        tally = run.tally(day, team)
        if tally is None:
            continue
        facts = AgencyFacts(*columns)
        if facts not in checks:
            check = check_agency_worker(facts, run.settings)
            checks[facts] = (check.recorded, check.outside_rules)
        recorded, outside_rules = checks[facts]
        tally.agency_recorded += recorded
        tally.agency_outside_rules += outside_rules


def _managers_over_span(run: _Pass) -> None:
    """Statement 8: managers in post with more direct reports in post than the span allows,
    each day. ``_managers_for`` picks the scope's; for a scope short of everything only the
    managers who might belong to it are counted (``_might_manage_in``), not every manager in
    the country."""
    days = run.days.table()
    manager = aliased(Staff)
    report = aliased(Staff)
    statement = (
        select(days.c.day, manager.id, manager.staff_id, manager.name, manager.team_id,
               manager.service_id, func.count(report.id))
        .select_from(report)
        .join(days, _in_post(report, days.c.day))
        .join(manager, and_(manager.id == report.manager_id, _in_post(manager, days.c.day)))
    )
    if not run.scope.is_everything:
        statement = statement.where(_might_manage_in(manager, run.scope))
    for day, *row in run.session.exec(
        statement.group_by(days.c.day, manager.id, manager.staff_id, manager.name, manager.team_id,
                  manager.service_id)
        .having(func.count(report.id) > run.settings.span_of_control_max)
    ).all():
        run.by_day[day].over_span.append((row[0], row[1], row[2], row[3], row[4], int(row[5])))


def _might_manage_in(manager, scope: _Scope):  # type: ignore[no-untyped-def]
    """A manager who may count in the scope: in one of its teams, managing one, or in no team
    (a head of service). Wider than ``_managers_for``'s rule, which decides."""
    return or_(scope.holds(manager.team_id),
               manager.id.in_(select(Team.manager_id).where(scope.holds(Team.id))),
               manager.team_id.is_(None))


#: The statements after the scope's teams, each adding its part of every day's tallies.
_STATEMENTS: tuple[Callable[[_Pass], None], ...] = (
    _count_staff, _count_cases, _unallocated, _case_holders, _nqsws, _agency_checks,
    _managers_over_span,
)


def _tallies(session: Session, *, days: Sequence[date], settings: Settings, scope: _Scope
             ) -> tuple[str, list[_TeamRow], dict[int, str], dict[date, _DayTallies]]:
    """Every day's per-team tallies and managers over span for a scope, in one set-based pass:
    the same statements for one day or many (module docstring: Cost)."""
    in_scope = _teams_in_scope(session, scope)
    unique_days = tuple(sorted(set(days)))
    settled = in_scope.history_settled_on
    window = _Days(unique_days, settings)
    run = _Pass(
        session=session, settings=settings, scope=scope, days=window,
        leads=_Leads(window, history=settled is not None and settled > unique_days[0],
                     scope=scope),
        by_day={day: _DayTallies({team.id: _Tally(establishment_fte=team.establishment_fte)
                                  for team in in_scope.teams})
                for day in unique_days},
    )
    for statement in _STATEMENTS:
        statement(run)
    return in_scope.name, in_scope.teams, in_scope.services, run.by_day


def _managers_for(
    over_span: list[_ManagerRow],
    teams: list[_TeamRow],
    *, include_unteamed_of_service: int | None = None, include_everyone: bool = False,
) -> tuple[tuple[str, str, int], ...]:
    team_ids = {team.id for team in teams}
    team_managers = {team.manager_id for team in teams if team.manager_id is not None}
    chosen = [
        (staff_id, name, reports)
        for pk, staff_id, name, team, service, reports in over_span
        if include_everyone or team in team_ids or pk in team_managers
        or (team is None and service is not None and service == include_unteamed_of_service)
    ]
    return tuple(sorted(chosen, key=lambda row: (-row[2], row[1], row[0])))


def _figures(scope: str, as_of: date, tally: _Tally,
             managers_over_span: tuple[tuple[str, str, int], ...]) -> StaffingFigures:
    establishment = _fte(tally.establishment_fte)
    fte_in_post = _fte(tally.fte_in_post)
    agency_fte = _fte(tally.agency_fte)
    vacant = _fte(max(0.0, establishment - fte_in_post))
    holder_fte = _fte(tally.case_holder_fte)
    oldest = tally.oldest_unallocated
    over_cap = sorted(tally.workers_over_cap, key=lambda row: (-(row[2] - row[3]), row[1], row[0]))
    return StaffingFigures(
        scope=scope,
        as_of=as_of,
        headcount=tally.headcount,
        fte_in_post=fte_in_post,
        establishment_fte=establishment,
        vacant_fte=vacant,
        vacancy_rate_pct=_pct(vacant, vacant + fte_in_post),
        agency_fte=agency_fte,
        agency_rate_pct=_pct(agency_fte, agency_fte + fte_in_post),
        leavers_12m_fte=_fte(tally.leavers_12m_fte),
        turnover_12m_pct=_pct(_fte(tally.leavers_12m_fte), fte_in_post),
        starters_week=tally.starters_week,
        leavers_week=tally.leavers_week,
        open_cases=tally.open_cases,
        case_holders=tally.case_holders,
        case_holder_fte=holder_fte,
        caseload_per_fte=tally.held_cases / holder_fte if holder_fte > 0 else None,
        unallocated_cases=tally.unallocated_cases,
        oldest_unallocated=(oldest[1], (as_of - oldest[0]).days) if oldest else None,
        new_cases_week=tally.new_cases_week,
        new_cases_12w_weekly_avg=tally.new_cases_12w / 12,
        nqsws=tally.nqsws,
        managers_over_span=managers_over_span,
        workers_over_cap=tuple(over_cap),
        agency_outside_rules=tally.agency_outside_rules if tally.agency_recorded else None,
    )


def _total(scope: str, as_of: date, teams: list[_TeamRow], tallies: dict[int, _Tally],
           over_span: list[_ManagerRow], service_id: int | None, team_id: int | None
           ) -> StaffingFigures:
    total = _Tally()
    for team in teams:
        total.add(tallies[team.id])
    managers = _managers_for(
        over_span, teams,
        include_unteamed_of_service=service_id if team_id is None else None,
        include_everyone=service_id is None and team_id is None,
    )
    return _figures(scope, as_of, total, managers)


def _totals(session: Session, *, days: Sequence[date], settings: Settings, scope: _Scope
            ) -> list[StaffingFigures]:
    """The scope's figures on each of ``days``, in their order, from one set-based pass."""
    scope_name, teams, _services, by_day = _tallies(session, days=days, settings=settings,
                                                    scope=scope)
    # A manager's teams are named teams: like one team, no unteamed staff of a service join in.
    team_id = scope.team_id if scope.team_ids is None else -1
    return [_total(scope_name, day, teams, by_day[day].tallies, by_day[day].over_span,
                   scope.service_id, team_id)
            for day in days]


def staffing_figures(
    session: Session, *, as_of: date, settings: Settings,
    service_id: int | None = None, team_id: int | None = None,
    team_ids: frozenset[int] | None = None,
) -> StaffingFigures:
    """The figures for one team (``team_id``), a manager's teams (``team_ids``), one service
    (``service_id``) or all services.

    Raises LookupError for a team or service that does not exist (or a team not in the service).
    """
    scope = _Scope(service_id=service_id, team_id=team_id, team_ids=team_ids)
    return _totals(session, days=[as_of], settings=settings, scope=scope)[0]


@dataclass(frozen=True)
class Figure:
    """One staffing figure as /staffing shows it: its words, how to read it from the figures,
    its unit ("count", "pct", "fte", "ratio") and England's setting beside it, if any."""

    key: str
    label: str
    unit: str
    read: Callable[[StaffingFigures], float | None]
    england_setting: str | None = None


#: The staffing digest's figures, in its order: /staffing shows these, each with its trend.
FIGURES: tuple[Figure, ...] = (
    Figure("headcount", "Headcount (employed)", "count", lambda f: f.headcount),
    Figure("fte_in_post", "FTE in post", "fte", lambda f: f.fte_in_post),
    Figure("establishment_fte", "Establishment FTE", "fte", lambda f: f.establishment_fte),
    Figure("vacancy_rate", "Vacancy rate", "pct", lambda f: f.vacancy_rate_pct,
           "england_vacancy_pct"),
    Figure("agency_rate", "Agency rate", "pct", lambda f: f.agency_rate_pct,
           "england_agency_pct"),
    Figure("turnover", "Turnover (12 months)", "pct", lambda f: f.turnover_12m_pct,
           "england_turnover_pct"),
    Figure("caseload_per_fte", "Caseload per FTE", "ratio", lambda f: f.caseload_per_fte,
           "england_caseload_per_fte"),
    Figure("workers_over_cap", "Workers over cap", "count", lambda f: len(f.workers_over_cap)),
    Figure("starters_week", "Starters this week", "count", lambda f: f.starters_week),
    Figure("leavers_week", "Leavers this week", "count", lambda f: f.leavers_week),
    Figure("new_cases_week", "New cases this week", "count", lambda f: f.new_cases_week),
    Figure("unallocated", "Unallocated cases", "count", lambda f: f.unallocated_cases),
    Figure("nqsws", "NQSWs / ECDP in protected period", "count", lambda f: f.nqsws),
    Figure("managers_over_span", "Managers over span", "count",
           lambda f: len(f.managers_over_span)),
    Figure("agency_outside_rules", "Agency workers outside the rules", "count",
           lambda f: f.agency_outside_rules),
)

TREND_WEEKS = 12


def week_ends(as_of: date, weeks: int = TREND_WEEKS) -> list[date]:
    """The dates of a trend's weekly points, oldest first, ending on ``as_of``."""
    return [as_of - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def staffing_trend(
    session: Session, *, as_of: date, settings: Settings, weeks: int = TREND_WEEKS,
    service_id: int | None = None, team_ids: frozenset[int] | None = None,
) -> list[StaffingFigures]:
    """The figures at each of the last ``weeks`` week ends (oldest first, the last on as_of).

    Each point is what ``staffing_figures`` gives at that week's date — the very same pass, over
    a set of days instead of one — so the trend has no definitions of its own. Cost: the
    statements of one call, whatever the number of weeks or the data size."""
    scope = _Scope(service_id=service_id, team_ids=team_ids)
    return _totals(session, days=week_ends(as_of, weeks), settings=settings, scope=scope)


def _by_team(as_of: date, teams: list[_TeamRow], day: _DayTallies) -> list[StaffingFigures]:
    """Each team's figures. The managers over span are looked up by team and by manager first,
    so thousands of teams do not each read every manager in the country."""
    in_team: dict[int | None, list[_ManagerRow]] = {}
    by_pk: dict[int, _ManagerRow] = {}
    for row in day.over_span:
        in_team.setdefault(row[3], []).append(row)
        by_pk[row[0]] = row

    def candidates(team: _TeamRow) -> list[_ManagerRow]:
        rows = {row[0]: row for row in in_team.get(team.id, [])}
        if team.manager_id in by_pk:
            rows[team.manager_id] = by_pk[team.manager_id]  # type: ignore[index]
        return list(rows.values())

    return [_figures(team.name, as_of, day.tallies[team.id],
                     _managers_for(candidates(team), [team]))
            for team in teams]


def staffing_by_team(
    session: Session, *, as_of: date, settings: Settings, service_id: int | None = None,
) -> list[StaffingFigures]:
    """The figures of every team in the service (or in the council), by team name.

    The same few statements as ``staffing_figures``, whatever the number of teams.
    """
    _scope, teams, _services, by_day = _tallies(session, days=[as_of], settings=settings,
                                                scope=_Scope(service_id=service_id))
    return _by_team(as_of, teams, by_day[as_of])


def staffing_total_and_teams(
    session: Session, *, as_of: date, settings: Settings, service_id: int | None = None,
) -> tuple[StaffingFigures, list[StaffingFigures]]:
    """``staffing_figures`` and ``staffing_by_team`` for one scope from one set of statements.

    For a digest, which shows the service total beside its teams: half the statements of
    calling the two separately, with the same results.
    """
    scope, teams, _services, by_day = _tallies(session, days=[as_of], settings=settings,
                                               scope=_Scope(service_id=service_id))
    day = by_day[as_of]
    return (_total(scope, as_of, teams, day.tallies, day.over_span, service_id, None),
            _by_team(as_of, teams, day))


def staffing_by_service(
    session: Session, *, as_of: date, settings: Settings,
) -> dict[int, tuple[StaffingFigures, list[StaffingFigures]]]:
    """``staffing_total_and_teams`` of every service, from one pass over the whole council.

    For the weekly digest run, which posts one digest per service: the statements of one
    service, whatever the number of services, with the same figures as asking service by
    service (a service's figures are its teams' added up, and its unteamed managers)."""
    _scope, teams, services, by_day = _tallies(session, days=[as_of], settings=settings,
                                               scope=_Scope())
    day = by_day[as_of]
    teams_of: dict[int, list[_TeamRow]] = {service_id: [] for service_id in services}
    for team in teams:
        teams_of[team.service_id].append(team)
    return {
        service_id: (_total(name, as_of, teams_of[service_id], day.tallies, day.over_span,
                            service_id, None),
                     _by_team(as_of, teams_of[service_id], day))
        for service_id, name in services.items()
    }


__all__ = ["ALL_SERVICES", "FIGURES", "Figure", "NON_WORKFORCE_ROLES", "NOT_SOCIAL_WORKERS",
           "StaffingFigures", "TREND_WEEKS", "staffing_by_service", "staffing_by_team",
           "staffing_figures",
           "staffing_total_and_teams", "staffing_trend", "week_ends"]
