"""Early career protection (the ASYE year, or the ECDP's two years): is the promise to a newly
qualified worker being kept? The programme's numbers for the worker's current year come from
queries.protection_rules.early_career_on, the one place they are decided."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, bindparam, case, func, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from config import Settings
from models import Case, Staff, Team
from queries import case_facts
from queries.access import StaffFacts
from queries.case_facts import TEAM_IDS, TODAY, in_post_on, open_on
from queries.caseload import last_supervisions
from queries.id_sets import SHORT_LIST, one_of
from queries.protection_rules import (
    earliest_protected_start,
    early_career_on,
    in_protected_year,
    next_progress_review,
    nqsw_supervision_interval_days,
    programme_of,
    protected_cap,
    protection_end,
    supervision_frequency_label,
)
from queries.results import ProtectionStatus
from queries.supervision_rules import next_supervision_due, supervision_days_overdue


_cases = Case.__table__.c  # type: ignore[attr-defined]
_staff = Staff.__table__  # type: ignore[attr-defined]
_team = Team.__table__  # type: ignore[attr-defined]
STAFF_IDS = bindparam("staff_ids", expanding=True)
EARLIEST = bindparam("earliest", type_=Date)
_CP_REF = case((_cases.case_type == "CP", _cases.case_ref), else_=None)


def _held_cases(leads_or_co_workers) -> Select:  # type: ignore[no-untyped-def]
    """Every open case some workers lead or co-work, counted in the store by lead, co-worker
    and type: only a CP case comes back on its own, for its reference (an NQSW should lead
    none), so every NQSW in the country costs a few rows, not one per case."""
    return (
        select(_cases.allocated_worker_id, _cases.co_worker_id, _cases.case_type, _CP_REF,
               func.count())
        .where(open_on(TODAY), leads_or_co_workers)
        .group_by(_cases.allocated_worker_id, _cases.co_worker_id, _cases.case_type, _CP_REF)
    )


#: A team's (or a service's) workers' cases: the statement built once.
_HELD_CASES = _held_cases(or_(_cases.allocated_worker_id.in_(STAFF_IDS),
                              _cases.co_worker_id.in_(STAFF_IDS)))


def _early_career_staff(in_teams) -> Select:  # type: ignore[no-untyped-def]
    """Staff in post in some teams who started a programme recently enough to be protected,
    with their team's name (`team`), by team then name. The store passes over every council's
    whole history of NQSWs (the all-services digest); the rules decide for the rest."""
    return (
        select(_staff, _team.c.name.label("team"))
        .select_from(_staff.join(_team, _team.c.id == _staff.c.team_id))
        .where(in_teams, _staff.c.asye_start.is_not(None), _staff.c.asye_start <= TODAY,
               _staff.c.asye_start > EARLIEST, in_post_on(TODAY))
        .order_by(_team.c.name, _staff.c.name)
    )


#: A team's or a service's: built once.
_EARLY_CAREER_STAFF = _early_career_staff(_staff.c.team_id.in_(TEAM_IDS))


def protection_statuses(
    session: Session, staff_with_team: list[tuple[StaffFacts, str]], today: date,
    settings: Settings,
) -> list[ProtectionStatus]:
    """Each worker's protection status, with two statements however many workers there are."""
    ids = {staff.id for staff, _team in staff_with_team}
    lead_counts: dict[int, int] = {}
    cp_leads: dict[int, list[str]] = {}
    cp_co: dict[int, int] = {}
    if ids:
        held = (_HELD_CASES if len(ids) <= SHORT_LIST else _held_cases(
            or_(one_of(_cases.allocated_worker_id, ids), one_of(_cases.co_worker_id, ids))))
        for lead_id, co_id, case_type, case_ref, cases in case_facts.rows(
                session, held, today, staff_ids=ids):
            if lead_id in ids:
                lead_counts[lead_id] = lead_counts.get(lead_id, 0) + cases
                if case_type == "CP":
                    cp_leads.setdefault(lead_id, []).append(case_ref)
            if co_id in ids and case_type == "CP":
                cp_co[co_id] = cp_co.get(co_id, 0) + cases
    last = last_supervisions(session, ids)  # type: ignore[arg-type]
    return [
        status_of(staff, team, lead_counts.get(staff.id, 0), tuple(sorted(cp_leads.get(staff.id, []))),  # type: ignore[arg-type]
                  cp_co.get(staff.id, 0), last.get(staff.id), today, settings)  # type: ignore[arg-type]
        for staff, team in staff_with_team
    ]


def status_of(
    staff: StaffFacts, team: str, open_cases: int, cp_lead_cases: tuple[str, ...],
    cp_co_worked: int, last_supervision: date | None, today: date, settings: Settings,
) -> ProtectionStatus:
    code = staff.early_career_programme
    period = early_career_on(staff.asye_start, staff.asye_end, code, today, settings)
    protected = period is not None
    programme = period.programme if period else programme_of(code, staff.asye_start, settings)
    interval = (
        nqsw_supervision_interval_days(staff.asye_start, today, settings) if protected else None
    )
    next_due = (
        next_supervision_due(last_supervision, interval, staff.asye_start or staff.start_date)
        if interval
        else None
    )
    return ProtectionStatus(
        staff_id=staff.staff_id,
        name=staff.name,
        team=team,
        in_protected_year=protected,
        asye_start=staff.asye_start,
        protection_end=(
            period.end if period
            else protection_end(staff.asye_start, staff.asye_end, settings, code)
            if staff.asye_start else None
        ),
        month=period.month if period else None,
        open_cases=open_cases,
        protected_cap=round(protected_cap(
            staff.fte, settings, period.cap_ratio if period else programme.cap_ratio(1)), 2),
        cp_lead_cases=cp_lead_cases,
        cp_co_worked=cp_co_worked,
        academy_passed=staff.academy_modules_passed,
        academy_required=staff.academy_modules_required,
        supervision_frequency=supervision_frequency_label(interval) if interval else None,
        last_supervision=last_supervision,
        next_supervision_due=next_due,
        supervision_overdue_days=supervision_days_overdue(next_due, today) if next_due else 0,
        next_review=(
            next_progress_review(staff.asye_start, today, settings, code) if protected else None
        ),
        development_time_pct=round(100 * programme.development_time_ratio),
        programme=programme.label,
        month_text=period.month_text if period else "",
        cp_lead_allowed=period.cp_lead_allowed if period else False,
    )


def nqsws_in_teams(
    session: Session, team_ids: list[int], today: date, settings: Settings
) -> list[tuple[StaffFacts, str]]:
    """Staff in post in these teams who are in their protected year today (read as Core rows,
    with the staff columns by name)."""
    if not team_ids:
        return []
    statement = (_EARLY_CAREER_STAFF if len(team_ids) <= SHORT_LIST
                 else _early_career_staff(one_of(_staff.c.team_id, team_ids)))
    parameters = {"today": today, "earliest": earliest_protected_start(today, settings),
                  "team_ids": list(team_ids)}
    return [
        (staff, staff.team)
        for staff in session.connection().execute(statement, parameters).all()
        if in_protected_year(staff.asye_start, staff.asye_end, today, settings,
                             staff.early_career_programme)
    ]
