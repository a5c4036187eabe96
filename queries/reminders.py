"""What each person has due today: the content of SPEC section 10's daily reminder.

Every figure comes from the rule functions `/caseload`, `/supervision`, `/actions` and
`/protected` use (queries.caseload, queries.supervision, queries.actions, queries.protection),
so a reminder can never disagree with the answer to the command it points at.

Set-based: one call builds the reminders of everyone asked for with a fixed handful of
statements (people, their led cases, last supervisions, actions, and for managers their teams'
workers, cases and NQSWs), whatever the size of the council; nothing loops with a query inside.

A person's reminder holds only their own cases, supervision and actions; a manager's adds counts
for the teams they manage. Case references only: nothing here reads or shows a child's details.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from config import Settings
from models import Action, Case, Staff, Team
from queries.actions import action_rows
from queries.calendar import add_working_days
from queries.caseload import (
    case_row,
    in_post_on,
    open_cases,
    stream_open_cases,
    team_workers,
    unallocated,
    worker_loads,
)
from queries.protection import nqsws_in_teams, protection_statuses
from queries.registration_rules import (
    AT_RISK, NO_NUMBER, NOT_MET, registration_flag, registration_year,
)
from queries.results import count_of
from queries.supervision import supervision_rows


@dataclass(frozen=True)
class DueVisit:
    case_ref: str
    case_type: str
    due: date
    days_overdue: int


@dataclass(frozen=True)
class DueReview:
    case_ref: str
    case_type: str
    due: date
    days_overdue: int


@dataclass(frozen=True)
class DueAction:
    plan: str
    ref: str
    action: str
    due: date
    days_overdue: int


@dataclass(frozen=True)
class TeamSummary:
    """A manager's team in counts (the detail is one command away)."""

    team: str
    overdue_visits: int
    supervision_overdue: int
    nqsw_breaches: int
    unallocated: int

    @property
    def empty(self) -> bool:
        return not (self.overdue_visits or self.supervision_overdue or self.nqsw_breaches
                    or self.unallocated)


@dataclass(frozen=True)
class Reminder:
    """One person's reminder for one day; `empty` means no message is sent."""

    staff_pk: int
    staff_id: str
    day: date
    visits: tuple[DueVisit, ...] = ()
    reviews: tuple[DueReview, ...] = ()
    supervision_due: date | None = None
    supervision_days_overdue: int = 0
    actions: tuple[DueAction, ...] = ()
    registration: tuple[str, ...] = ()
    teams: tuple[TeamSummary, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.visits or self.reviews or self.supervision_due or self.actions
                    or self.registration or self.teams)


def reminder_window_end(today: date, settings: Settings) -> date:
    """The last day counted as "due soon": REMIND_DAYS_AHEAD working days after today, so a
    Friday's window runs to Wednesday and a bank holiday in between pushes it a day later."""
    return add_working_days(today, settings.remind_days_ahead)


def in_renewal_season(today: date, settings: Settings) -> bool:
    return today.month in settings.remind_cpd_months


def registration_lines(staff: Staff, today: date, settings: Settings) -> tuple[str, ...]:
    """Registration and CPD, in the renewal season only (REMIND_CPD_MONTHS), by the one rule
    `/staffing registration` and the supervision digest use (queries.registration_rules)."""
    if not in_renewal_season(today, settings):
        return ()
    flag = registration_flag(staff.role, staff.swe_no, staff.cpd_records,
                             staff.cpd_peer_reflection, today, settings)
    year = registration_year(today, settings)
    if flag == NO_NUMBER:
        return (f"No Social Work England registration number is recorded for you: renewal "
                f"closes on {year.ends:%-d %B}. Ask your manager to add it to your staff record.",)
    if flag in (NOT_MET, AT_RISK):
        reflection = "one with" if staff.cpd_peer_reflection else "none with"
        return (f"{'At risk: your' if flag == AT_RISK else 'Your'} CPD for the registration year "
                f"is not yet met: {count_of(staff.cpd_records or 0, 'record')}, {reflection} peer "
                f"reflection (Social Work England asks for {settings.swe_cpd_min_records}, one "
                f"with peer reflection). Renewal closes on {year.ends:%-d %B}.",)
    return ()


def people_in_post(session: Session, today: date, staff_pks: Iterable[int] | None
                   ) -> list[tuple[Staff, str]]:
    """Staff in post (with their team's name), all of them or those asked for: one statement."""
    query = (select(Staff, Team.name).outerjoin(Team, Team.id == Staff.team_id)
             .where(in_post_on(today)).order_by(Staff.id))
    if staff_pks is not None:
        query = query.where(Staff.id.in_(list(staff_pks) or [-1]))  # type: ignore[union-attr]
    return [(staff, team or "") for staff, team in session.exec(query).all()]


def managed_teams(session: Session, people: list[tuple[Staff, str]]) -> dict[int, list[Team]]:
    """The teams each team manager and head of service among `people` manages (as
    queries.access.resolve_asker decides it): one statement."""
    managers = {staff.id: staff for staff, _team in people
                if staff.role in ("team_manager", "head_of_service")}
    if not managers:
        return {}
    heads_services = {staff.service_id for staff in managers.values()
                      if staff.role == "head_of_service" and staff.service_id is not None}
    teams = session.exec(select(Team).where(or_(
        Team.manager_id.in_(list(managers)),  # type: ignore[union-attr]
        Team.service_id.in_(list(heads_services) or [-1]),  # type: ignore[attr-defined]
    )).order_by(Team.name)).all()
    found: dict[int, list[Team]] = defaultdict(list)
    for manager_id, manager in managers.items():
        for team in teams:
            if (manager.role == "team_manager" and team.manager_id == manager_id) or (
                    manager.role == "head_of_service" and team.service_id == manager.service_id):
                found[manager_id].append(team)  # type: ignore[index]
    return found


def team_summaries(session: Session, teams: list[Team], today: date, settings: Settings
                   ) -> dict[int, TeamSummary]:
    """Counts by team from the `/caseload` and `/protected` rules: four statements for all."""
    ids = [team.id for team in teams]
    if not ids:
        return {}
    workers = team_workers(session, ids, today)  # type: ignore[arg-type]
    cases = open_cases(session, today, Case.team_id.in_(ids))  # type: ignore[attr-defined]
    by_name: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for load in worker_loads(workers, cases, today, settings):
        by_name[load.team].append(load)
    breaches: dict[str, int] = defaultdict(int)
    for status in protection_statuses(session, nqsws_in_teams(session, ids, today, settings),  # type: ignore[arg-type]
                                      today, settings):
        breaches[status.team] += bool(status.breaches)
    unallocated_by_team: dict[int, int] = defaultdict(int)
    for open_case in cases:
        unallocated_by_team[open_case.team_id] += unallocated(open_case, today)
    return {
        team.id: TeamSummary(  # type: ignore[misc]
            team=team.name,
            overdue_visits=sum(load.overdue_visits for load in by_name[team.name]),
            supervision_overdue=sum(1 for load in by_name[team.name]
                                    if load.supervision_overdue_days),
            nqsw_breaches=breaches[team.name],
            unallocated=unallocated_by_team[team.id],  # type: ignore[index]
        )
        for team in teams
    }


def build_reminders(
    session: Session, today: date, settings: Settings, staff_pks: Iterable[int] | None = None
) -> list[Reminder]:
    """Each person's reminder for `today` (all staff in post, or those asked for), in staff
    order; empty ones included, so the caller can tell "nothing due" from "not built"."""
    people = people_in_post(session, today, None if staff_pks is None else set(staff_pks))
    if not people:
        return []
    ids = [staff.id for staff, _team in people]
    window_end = reminder_window_end(today, settings)
    visits: dict[int, list[DueVisit]] = defaultdict(list)
    reviews: dict[int, list[DueReview]] = defaultdict(list)
    lead_filter = (Case.allocated_worker_id.is_not(None) if staff_pks is None  # type: ignore[union-attr]
                   else Case.allocated_worker_id.in_(ids))  # type: ignore[union-attr]
    # Every lead's cases in the council: streamed past, only those due in the window kept.
    for open_case in stream_open_cases(session, today, lead_filter):
        row = case_row(open_case, today, settings)
        lead = open_case.allocated_worker_id
        if row.visit_due is not None and row.visit_due <= window_end:
            visits[lead].append(DueVisit(row.case_ref, row.case_type, row.visit_due,
                                         row.visit_days_overdue))
        if row.next_review is not None and row.next_review <= window_end:
            reviews[lead].append(DueReview(row.case_ref, row.case_type, row.next_review,
                                           row.review_days_overdue))
    supervision = {row.staff_id: row for row in supervision_rows(session, people, today,
                                                                    settings)}
    actions: dict[str, list[DueAction]] = defaultdict(list)
    soon = today + timedelta(days=settings.remind_actions_days_ahead)
    for action in action_rows(session, today, Action.due_date <= soon, owner_ids=ids):  # type: ignore[arg-type]
        actions[action.owner_staff_id].append(DueAction(action.plan, action.ref, action.action,
                                                        action.due_date, action.days_overdue))
    teams_of = managed_teams(session, people)
    summaries = team_summaries(session, sorted({team.id: team for teams in teams_of.values()
                                                for team in teams}.values(),
                                               key=lambda team: team.name), today, settings)
    reminders = []
    for staff, _team in people:
        sup = supervision.get(staff.staff_id)
        supervised = sup is not None and staff.role != "admin"
        sup_due = sup.next_due if supervised and sup.next_due <= window_end else None  # type: ignore[union-attr]
        team_lines = tuple(summaries[team.id] for team in teams_of.get(staff.id, [])  # type: ignore[index, call-overload]
                           if not summaries[team.id].empty)  # type: ignore[index]
        reminders.append(Reminder(
            staff_pk=staff.id,  # type: ignore[arg-type]
            staff_id=staff.staff_id,
            day=today,
            visits=tuple(sorted(visits[staff.id], key=lambda v: (v.due, v.case_ref))),  # type: ignore[index]
            reviews=tuple(sorted(reviews[staff.id], key=lambda r: (r.due, r.case_ref))),  # type: ignore[index]
            supervision_due=sup_due,
            supervision_days_overdue=sup.days_overdue if sup_due else 0,  # type: ignore[union-attr]
            actions=tuple(actions[staff.staff_id]),
            registration=registration_lines(staff, today, settings),
            teams=team_lines,
        ))
    return reminders


__all__ = ["DueAction", "DueReview", "DueVisit", "Reminder", "TeamSummary", "build_reminders",
           "registration_lines", "reminder_window_end"]
