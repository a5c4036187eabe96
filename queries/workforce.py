"""/staffing: the weekly staffing figures on demand, for the asker's scope (SPEC section 3).

Heads of service see their service, team managers their teams, admins every service;
practitioners are refused. Every figure comes from queries.staffing (the digest's own
implementation), and each weekly point of a trend is that same function at that week's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from config import Settings
from models import Staff, Team
from queries.access import Asker
from queries.agency_return import next_agency_return
from queries.agency_rules import AgencyFacts, check_agency_worker
from queries.caseload import in_post_on
from queries.registration_rules import (
    REGISTERED_ROLES,
    registration_flag,
    registration_year,
)
from queries.results import (
    AgencyAnswer,
    AgencyRow,
    Refusal,
    RegistrationAnswer,
    RegistrationRow,
    StaffingAnswer,
    StaffingFigureRow,
)
from queries.staffing import (
    FIGURES,
    NON_WORKFORCE_ROLES,
    TREND_WEEKS,
    staffing_figures,
    staffing_trend,
)

STAFFING_ONLY = "/staffing is for heads of service, team managers and admins."


@dataclass(frozen=True)
class StaffingScope:
    """What a /staffing question covers: a service, a manager's teams, or everything."""

    title: str
    service_id: int | None = None
    team_ids: frozenset[int] | None = None


def staffing_scope(asker: Asker) -> StaffingScope | Refusal:
    """The asker's /staffing scope, decided here so Slack, Teams and the console agree."""
    if asker.role == "admin":
        return StaffingScope("All services")
    if asker.role == "head_of_service" and asker.service_id is not None:
        return StaffingScope("Your service", service_id=asker.service_id)
    if asker.managed_team_ids:
        return StaffingScope("Your teams", team_ids=asker.managed_team_ids)
    return Refusal(STAFFING_ONLY, "Try /caseload or /protected for your own work.")


def staffing_answer(session: Session, scope: StaffingScope, today: date, settings: Settings,
                    weeks: int = TREND_WEEKS) -> StaffingAnswer:
    """The digest's figures for the scope today, each with its trend over ``weeks`` weeks."""
    trend = staffing_trend(session, as_of=today, settings=settings, weeks=weeks,
                           service_id=scope.service_id, team_ids=scope.team_ids)
    now = trend[-1]
    rows = tuple(
        StaffingFigureRow(
            key=figure.key, label=figure.label, unit=figure.unit, value=figure.read(now),
            england=getattr(settings, figure.england_setting) if figure.england_setting
            else None,
            trend=tuple(figure.read(point) for point in trend),
        )
        for figure in FIGURES
    )
    return StaffingAnswer(title=f"Staffing — {now.scope}", as_of=today, rows=rows,
                          trend_weeks=weeks)


def staff_in_scope(session: Session, scope: StaffingScope, today: date, *conditions
                   ) -> list[tuple[Staff, str]]:
    """The workforce in post in the scope's teams (as the staffing figures count them), with
    their team's name, in one statement."""
    statement = (
        select(Staff, Team.name)
        .join(Team, Team.id == Staff.team_id)
        .where(in_post_on(today), Staff.role.not_in(NON_WORKFORCE_ROLES), *conditions)  # type: ignore[attr-defined]
        .order_by(Team.name, Staff.name)
    )
    if scope.service_id is not None:
        statement = statement.where(Team.service_id == scope.service_id)
    if scope.team_ids is not None:
        statement = statement.where(Team.id.in_(sorted(scope.team_ids) or [-1]))  # type: ignore[union-attr]
    return [(staff, team) for staff, team in session.exec(statement).all()]


def agency_answer(session: Session, scope: StaffingScope, today: date, settings: Settings
                  ) -> AgencyAnswer:
    """Agency workers in post in the scope against the DfE rules, outside the rules first."""
    rows = []
    for staff, team in staff_in_scope(session, scope, today, Staff.agency.is_(True)):  # type: ignore[attr-defined]
        check = check_agency_worker(agency_facts(staff), settings)
        rows.append(AgencyRow(staff_id=staff.staff_id, name=staff.name, team=team,
                              role=staff.role, start_date=staff.start_date,
                              breaches=check.breaches, not_recorded=check.not_recorded,
                              exception_approved_by=check.exception_approved_by))
    rows.sort(key=lambda row: (not row.outside_rules, not row.breaches, row.team, row.name))
    return AgencyAnswer(title=f"Agency workers — {scope.title}", as_of=today, rows=tuple(rows),
                        agency_return=next_agency_return(today, settings))


FLAG_ORDER = {"no Social Work England number": 0, "at risk: CPD not met": 1,
              "CPD not yet met": 2}


def registration_rows(people: list[tuple[Staff, str]], today: date, settings: Settings
                      ) -> list[RegistrationRow]:
    """Everyone among ``people`` whose registration needs attention today, most urgent first.

    The one implementation behind /staffing registration and the supervision digest."""
    rows = []
    for staff, team in people:
        flag = registration_flag(staff.role, staff.swe_no, staff.cpd_records,
                                 staff.cpd_peer_reflection, today, settings)
        if flag is not None:
            rows.append(RegistrationRow(staff.staff_id, staff.name, team, staff.role,
                                        staff.swe_no, staff.cpd_records,
                                        staff.cpd_peer_reflection, flag))
    rows.sort(key=lambda row: (FLAG_ORDER.get(row.flag, 9), row.team, row.name))
    return rows


def registration_answer(session: Session, scope: StaffingScope, today: date, settings: Settings
                        ) -> RegistrationAnswer:
    """Social work staff in post in the scope with no SWE number, or CPD not met in renewal."""
    people = staff_in_scope(session, scope, today,
                            Staff.role.in_(REGISTERED_ROLES))  # type: ignore[attr-defined]
    year = registration_year(today, settings)
    return RegistrationAnswer(
        title=f"Social Work England registration — {scope.title}", as_of=today,
        rows=tuple(registration_rows(people, today, settings)), people=len(people),
        renewal_opens=year.renewal_opens, year_ends=year.ends,
    )


def agency_facts(staff: Staff) -> AgencyFacts:
    """The columns of a staff row the agency rules read."""
    return AgencyFacts(
        role=staff.role, start_date=staff.start_date, qualified_date=staff.qualified_date,
        agency_reference=staff.agency_reference, agency_notice_weeks=staff.agency_notice_weeks,
        agency_hourly_rate=staff.agency_hourly_rate,
        left_permanent_post=staff.left_permanent_post,
        agency_exception_approved_by=staff.agency_exception_approved_by,
    )


__all__ = ["STAFFING_ONLY", "agency_answer", "registration_answer", "registration_rows", "agency_facts", "staff_in_scope", "StaffingScope", "staffing_answer", "staffing_figures",
           "staffing_scope"]
