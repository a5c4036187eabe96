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
  day's caseloads and unallocated cases are the ones that day had, and today's agree with the
  case table (the importers keep both).
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

Cost: eight statements whatever the data size or the number of teams, aggregated in the
database (GROUP BY team, or by worker for the case holders); rows come back per team, per case
holder, per NQSW and per manager over span, never per case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, case, exists, func, null, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session

from config import Settings
from models import ACCESS_ROLE_BY_JOB_ROLE, Case, CaseAllocation, Service, Staff, Team
from queries.agency_rules import AgencyFacts, check_agency_worker
from queries.protection_rules import early_career_on, in_protected_year, normal_cap, protected_cap

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


def _pct(part: float, whole: float) -> float | None:
    return part / whole * 100 if whole > 0 else None


def _fte(value: float | None) -> float:
    return round(float(value or 0.0), _FTE_DECIMALS)


def _in_post(staff, day: date):  # type: ignore[no-untyped-def]
    return and_(staff.start_date <= day, or_(staff.end_date.is_(None), staff.end_date >= day))


def _open(day: date):  # type: ignore[no-untyped-def]
    return and_(Case.start_date <= day, or_(Case.end_date.is_(None), Case.end_date > day))


def _lead_on(day: date):  # type: ignore[no-untyped-def]
    """The lead worker's id of each case on ``day`` (module docstring), and the joins it needs.

    Returns ``(add_joins, lead_id)``: ``add_joins(statement)`` outer-joins the day's lead spell;
    ``lead_id`` is the SQL expression to join staff on.
    """
    spell = (
        select(CaseAllocation.case_id.label("case_id"), CaseAllocation.worker_id.label("worker_id"))
        .where(CaseAllocation.role == "lead", CaseAllocation.from_date <= day,
               or_(CaseAllocation.to_date.is_(None), CaseAllocation.to_date > day))
        .subquery()
    )
    any_spell = aliased(CaseAllocation)
    tracked = exists().where(any_spell.case_id == Case.id, any_spell.role == "lead")
    # The history first; a case with no lead spell at all keeps its allocated_worker_id. The
    # EXISTS is only reached for cases no spell covers on the day (CASE stops at the first
    # match), a few per team, through the case_id index.
    lead_id = case((spell.c.worker_id.is_not(None), spell.c.worker_id),
                   (tracked, null()), else_=Case.allocated_worker_id)

    def add_joins(statement):  # type: ignore[no-untyped-def]
        return statement.outerjoin(spell, spell.c.case_id == Case.id)

    return add_joins, lead_id


def _teams_in_scope(session: Session, service_id: int | None, team_id: int | None,
                    team_ids: frozenset[int] | None = None) -> tuple[str, list[_TeamRow]]:
    """The scope's name and its teams (statement 1). LookupError for an unknown team or service.

    ``team_ids`` is a manager's teams (several, perhaps in different services): the scope is
    named after them."""
    statement = (
        select(Service.id, Service.name, Team.id, Team.name, Team.manager_id,
               Team.establishment_fte)
        .select_from(Service)
        .outerjoin(Team, Team.service_id == Service.id)
        .order_by(Team.name)
    )
    if service_id is not None:
        statement = statement.where(Service.id == service_id)
    if team_id is not None:
        statement = statement.where(Team.id == team_id)
    if team_ids is not None:
        statement = statement.where(Team.id.in_(sorted(team_ids) or [-1]))
    rows = session.exec(statement).all()
    teams = [_TeamRow(row[2], row[3], row[4], float(row[5] or 0.0))
             for row in rows if row[2] is not None]
    if team_ids is not None:
        return ", ".join(team.name for team in teams) or "No teams", teams
    if team_id is not None:
        if not teams:
            raise LookupError(f"no team with id {team_id}"
                              + (f" in service {service_id}" if service_id is not None else ""))
        return teams[0].name, teams
    if service_id is not None:
        if not rows:
            raise LookupError(f"no service with id {service_id}")
        return rows[0][1], teams
    return ALL_SERVICES, teams


def _tallies(
    session: Session, *, as_of: date, settings: Settings,
    service_id: int | None, team_id: int | None, team_ids: frozenset[int] | None = None,
) -> tuple[str, list[_TeamRow], dict[int, _Tally], list[_ManagerRow]]:
    """Per-team tallies and the managers over span (with their team and service) for a scope."""
    scope_name, teams = _teams_in_scope(session, service_id, team_id, team_ids)
    tallies = {team.id: _Tally(establishment_fte=team.establishment_fte) for team in teams}

    def team_in_scope(column, *, never_null: bool = False):  # type: ignore[no-untyped-def]
        if team_ids is not None:
            return column.in_(sorted(team_ids) or [-1])
        if team_id is not None:
            return column == team_id
        if service_id is not None:
            return column.in_(select(Team.id).where(Team.service_id == service_id))
        return true() if never_null else column.is_not(None)

    workforce = Staff.role.not_in(NON_WORKFORCE_ROLES + NOT_SOCIAL_WORKERS)
    employed = Staff.agency.is_not(True)
    week_start = as_of - timedelta(days=7)  # the 7 days ending as_of are (week_start, as_of]
    year_start = as_of - relativedelta(months=12)
    twelve_weeks_start = as_of - timedelta(weeks=12)

    # Statement 2: workforce in post, agency, leavers, starters, by team.
    in_post = _in_post(Staff, as_of)
    staff_rows = session.exec(
        select(
            Staff.team_id,
            func.sum(case((and_(in_post, employed), 1), else_=0)),
            func.sum(case((and_(in_post, employed), Staff.fte), else_=0.0)),
            func.sum(case((and_(in_post, Staff.agency.is_(True)), Staff.fte), else_=0.0)),
            func.sum(case((and_(employed, Staff.end_date > year_start,
                                Staff.end_date <= as_of), Staff.fte), else_=0.0)),
            func.sum(case((and_(employed, Staff.start_date > week_start), 1), else_=0)),
            func.sum(case((and_(employed, Staff.end_date > week_start,
                                Staff.end_date <= as_of), 1), else_=0)),
        )
        .where(team_in_scope(Staff.team_id), workforce, Staff.start_date <= as_of,
               or_(Staff.end_date.is_(None), Staff.end_date > year_start))
        .group_by(Staff.team_id)
    ).all()
    for team, heads, fte, agency_fte, leavers_fte, starters, leavers in staff_rows:
        tally = tallies.get(team)
        if tally is None:
            continue
        tally.headcount = int(heads)
        tally.fte_in_post, tally.agency_fte = _fte(fte), _fte(agency_fte)
        tally.leavers_12m_fte = _fte(leavers_fte)
        tally.starters_week, tally.leavers_week = int(starters), int(leavers)

    # Statement 3: open, unallocated and new cases, by the case's team. (Grouping by
    # ``team_id + 0`` rather than the bare column keeps SQLite from walking the whole table in
    # team_id index order, which is four times slower than scanning it; PostgreSQL is indifferent.)
    lead = aliased(Staff)
    with_lead_joins, lead_id = _lead_on(as_of)
    is_open = _open(as_of)
    unallocated = and_(is_open, or_(lead.id.is_(None), ~_in_post(lead, as_of)))
    case_team = Case.team_id + 0
    case_rows = session.exec(
        with_lead_joins(select(
            case_team,
            func.sum(case((is_open, 1), else_=0)),
            func.sum(case((unallocated, 1), else_=0)),
            func.sum(case((Case.start_date > week_start, 1), else_=0)),
            func.sum(case((Case.start_date > twelve_weeks_start, 1), else_=0)),
        ).select_from(Case))
        .outerjoin(lead, lead.id == lead_id)
        .where(team_in_scope(Case.team_id, never_null=True), Case.start_date <= as_of,
               or_(Case.end_date.is_(None), Case.end_date > as_of,
                   Case.start_date > twelve_weeks_start))
        .group_by(case_team)
    ).all()
    for team, open_cases, unallocated_cases, new_week, new_12w in case_rows:
        tally = tallies.get(team)
        if tally is None:
            continue
        tally.open_cases, tally.unallocated_cases = int(open_cases), int(unallocated_cases)
        tally.new_cases_week, tally.new_cases_12w = int(new_week), int(new_12w)

    # Statement 4: the oldest unallocated case of each team.
    ranked = (
        with_lead_joins(select(
            Case.team_id.label("team_id"), Case.case_ref.label("case_ref"),
            Case.start_date.label("start_date"),
            func.row_number().over(partition_by=case_team,
                                   order_by=(Case.start_date, Case.case_ref)).label("rank"),
        ).select_from(Case))
        .outerjoin(lead, lead.id == lead_id)
        .where(team_in_scope(Case.team_id, never_null=True), unallocated)
        .subquery()
    )
    for team, case_ref, started in session.exec(
        select(ranked.c.team_id, ranked.c.case_ref, ranked.c.start_date).where(ranked.c.rank == 1)
    ).all():
        if team in tallies:
            tallies[team].oldest_unallocated = (started, case_ref)

    # Statement 5: open cases held as lead by each worker in post who holds any (one row per
    # case holder: the caseload figures are summed from these, and the cap checked on each).
    for team, staff_id, name, fte, asye_start, asye_end, programme, cases_held in session.exec(
        with_lead_joins(select(Staff.team_id, Staff.staff_id, Staff.name, Staff.fte,
                               Staff.asye_start, Staff.asye_end, Staff.early_career_programme,
                               func.count(Case.id))
                        .select_from(Case))
        .join(Staff, Staff.id == lead_id)
        .where(is_open, in_post, workforce, team_in_scope(Staff.team_id))
        .group_by(Staff.id, Staff.team_id, Staff.staff_id, Staff.name, Staff.fte,
                  Staff.asye_start, Staff.asye_end, Staff.early_career_programme)
    ).all():
        tally = tallies.get(team)
        if tally is None:
            continue
        tally.case_holders += 1
        tally.case_holder_fte += fte
        tally.held_cases += cases_held
        period = early_career_on(asye_start, asye_end, programme, as_of, settings)
        cap = (protected_cap(fte, settings, period.cap_ratio) if period
               else normal_cap(fte, settings))
        if cases_held > cap:
            tally.workers_over_cap.append((staff_id, name, int(cases_held), cap))

    # Statement 6: NQSWs who may be in the protected year; the rule decides exactly.
    longest = max(settings.nqsw_max_months, settings.ecdp_max_months)
    earliest_start = as_of - relativedelta(months=longest) - timedelta(days=7)
    for team, asye_start, asye_end, programme in session.exec(
        select(Staff.team_id, Staff.asye_start, Staff.asye_end, Staff.early_career_programme)
        .where(team_in_scope(Staff.team_id), workforce, in_post, Staff.asye_start.is_not(None),
               Staff.asye_start <= as_of, Staff.asye_start > earliest_start)
    ).all():
        if team in tallies and in_protected_year(asye_start, asye_end, as_of, settings,
                                                 programme):
            tallies[team].nqsws += 1

    # Statement 7: agency workers in post, with the facts the DfE agency rules read.
    for team, *facts in session.exec(
        select(Staff.team_id, Staff.role, Staff.start_date, Staff.qualified_date,
               Staff.agency_reference, Staff.agency_notice_weeks, Staff.agency_hourly_rate,
               Staff.left_permanent_post, Staff.agency_exception_approved_by)
        .where(team_in_scope(Staff.team_id), workforce, in_post, Staff.agency.is_(True))
    ).all():
        tally = tallies.get(team)
        if tally is None:
            continue
        check = check_agency_worker(AgencyFacts(*facts), settings)
        tally.agency_recorded += check.recorded
        tally.agency_outside_rules += check.outside_rules

    # Statement 8: managers in post with more direct reports in post than the span allows.
    manager = aliased(Staff)
    report = aliased(Staff)
    over_span = [
        (row[0], row[1], row[2], row[3], row[4], int(row[5]))
        for row in session.exec(
            select(manager.id, manager.staff_id, manager.name, manager.team_id,
                   manager.service_id, func.count(report.id))
            .select_from(report)
            .join(manager, manager.id == report.manager_id)
            .where(_in_post(report, as_of), _in_post(manager, as_of))
            .group_by(manager.id, manager.staff_id, manager.name, manager.team_id,
                      manager.service_id)
            .having(func.count(report.id) > settings.span_of_control_max)
        ).all()
    ]
    return scope_name, teams, tallies, over_span


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


def staffing_figures(
    session: Session, *, as_of: date, settings: Settings,
    service_id: int | None = None, team_id: int | None = None,
    team_ids: frozenset[int] | None = None,
) -> StaffingFigures:
    """The figures for one team (``team_id``), a manager's teams (``team_ids``), one service
    (``service_id``) or all services.

    Raises LookupError for a team or service that does not exist (or a team not in the service).
    """
    scope, teams, tallies, over_span = _tallies(
        session, as_of=as_of, settings=settings, service_id=service_id, team_id=team_id,
        team_ids=team_ids,
    )
    # A manager's teams are named teams: like one team, no unteamed staff of a service join in.
    return _total(scope, as_of, teams, tallies, over_span, service_id,
                  team_id if team_ids is None else -1)


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

    Each point is ``staffing_figures`` at that week's date: the same definitions as the digest,
    never a second implementation. Cost: ``weeks`` times the statements of one call (a constant,
    whatever the data size)."""
    return [staffing_figures(session, as_of=day, settings=settings, service_id=service_id,
                             team_ids=team_ids)
            for day in week_ends(as_of, weeks)]


def staffing_by_team(
    session: Session, *, as_of: date, settings: Settings, service_id: int | None = None,
) -> list[StaffingFigures]:
    """The figures of every team in the service (or in the council), by team name.

    The same few statements as ``staffing_figures``, whatever the number of teams.
    """
    _scope, teams, tallies, over_span = _tallies(
        session, as_of=as_of, settings=settings, service_id=service_id, team_id=None
    )
    return [
        _figures(team.name, as_of, tallies[team.id], _managers_for(over_span, [team]))
        for team in teams
    ]


def staffing_total_and_teams(
    session: Session, *, as_of: date, settings: Settings, service_id: int | None = None,
) -> tuple[StaffingFigures, list[StaffingFigures]]:
    """``staffing_figures`` and ``staffing_by_team`` for one scope from one set of statements.

    For a digest, which shows the service total beside its teams: half the statements of
    calling the two separately, with the same results.
    """
    scope, teams, tallies, over_span = _tallies(
        session, as_of=as_of, settings=settings, service_id=service_id, team_id=None
    )
    by_team = [
        _figures(team.name, as_of, tallies[team.id], _managers_for(over_span, [team]))
        for team in teams
    ]
    return _total(scope, as_of, teams, tallies, over_span, service_id, None), by_team


__all__ = ["ALL_SERVICES", "FIGURES", "Figure", "NON_WORKFORCE_ROLES", "NOT_SOCIAL_WORKERS",
           "StaffingFigures", "TREND_WEEKS", "staffing_by_team", "staffing_figures",
           "staffing_total_and_teams", "staffing_trend", "week_ends"]
