"""Caseloads: who holds what, against which cap, and what is overdue.

Each question is answered with a fixed handful of statements whatever the size of the council
(workers, their open cases, their last supervision), then the rules run in Python over the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from datetime import date

from sqlalchemy import exists, func, or_
from sqlalchemy.orm import Bundle, aliased
from sqlmodel import Session, select

from config import Settings
from models import Case, Staff, Supervision, Team
from models.organisation import FAMILY_HELP_ROLE, may_lead_case_type
from queries.access import Asker
from queries.id_sets import one_of
from queries.protection_rules import EarlyCareer, early_career_on, normal_cap, protected_cap
from queries.results import (
    CapacityList,
    CapacityRow,
    CaseList,
    CaseloadTable,
    CaseRow,
    WorkerLoad,
    count_of,
)
from queries.supervision_rules import (
    next_supervision_due,
    supervision_days_overdue,
    supervision_interval_days,
)
from queries.visits import review_days_overdue, visit_days_overdue, visit_due

CASE_HOLDING_ROLES = ("practitioner", "social_worker", "senior_practitioner", "nqsw",
                      "advanced_practitioner", "personal_advisor", FAMILY_HELP_ROLE)


def open_on(today: date):  # type: ignore[no-untyped-def]
    """SQL condition for a case open on `today` (a case ending today is closed)."""
    return (Case.start_date <= today) & (or_(Case.end_date.is_(None), Case.end_date > today))  # type: ignore[union-attr]


def in_post_on(today: date):  # type: ignore[no-untyped-def]
    return (Staff.start_date <= today) & (or_(Staff.end_date.is_(None), Staff.end_date >= today))  # type: ignore[union-attr]


def early_career(staff: Staff, today: date, settings: Settings) -> EarlyCareer | None:
    """The worker's early career programme (ASYE or ECDP) today, or None when not in one."""
    return early_career_on(staff.asye_start, staff.asye_end, staff.early_career_programme, today,
                           settings)


def is_nqsw(staff: Staff, today: date, settings: Settings) -> bool:
    """In a protected early career period (the ASYE year, or the ECDP's two years) today."""
    return early_career(staff, today, settings) is not None


def early_career_label(period: EarlyCareer | None) -> str:
    """The flag managers scan for: "NQSW" in the ASYE (as before), "ECDP year N" in the ECDP."""
    if period is None:
        return ""
    return "NQSW" if period.programme.months <= 12 else period.label


def case_points(case_type: str, settings: Settings) -> float:
    """A case's weight in points (CASE_WEIGHTS; a type not listed weighs 1)."""
    return settings.case_weights_by_type.get(case_type.upper(), 1.0)


def worker_points_cap(staff: Staff, today: date, settings: Settings) -> float | None:
    """The points a worker may hold (WEIGHTED_CAP_PER_FTE x FTE, by the early career share of
    the programme year where protected); None when weighting is off."""
    if not settings.weighted:
        return None
    period = early_career(staff, today, settings)
    share = period.cap_ratio if period else 1.0
    return round(settings.weighted_cap_per_fte * staff.fte * share, 2)


def families_of(cases: Iterable[Any]) -> int:
    """Distinct families among cases: a case with no family_id is a family of its own."""
    return len({case.family_id or f"case:{case.case_ref}" for case in cases})


def worker_cap(staff: Staff, today: date, settings: Settings) -> float:
    """The cap a worker is held to today: the programme year's protected cap in the ASYE or the
    ECDP, the normal one after."""
    period = early_career(staff, today, settings)
    if period is not None:
        return protected_cap(staff.fte, settings, period.cap_ratio)
    return normal_cap(staff.fte, settings)


def last_supervisions(session: Session, staff_ids: Iterable[int]) -> dict[int, date]:
    ids = list(staff_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Supervision.staff_id, func.max(Supervision.date))
        .where(one_of(Supervision.staff_id, ids))
        .group_by(Supervision.staff_id)
    ).all()
    return {staff_id: last for staff_id, last in rows}


def supervision_overdue(staff: Staff, last: date | None, today: date, settings: Settings) -> int:
    interval = supervision_interval_days(staff.asye_start, staff.asye_end, today, settings,
                                         staff.early_career_programme)
    due = next_supervision_due(last, interval, staff.start_date)
    return supervision_days_overdue(due, today)


@dataclass(frozen=True)
class OpenCase:
    """The fields the rules need from one open case, plus the names the answer shows."""

    case: Any  # a CASE_FACTS row: the case's columns by name
    team: str
    lead: str | None
    co_worker: str | None
    lead_left: bool = False  # the lead worker has left: no one holds the case today
    lead_end: date | None = None  # when that lead left


def case_row(open_case: OpenCase, today: date, settings: Settings) -> CaseRow:
    case = open_case.case
    due = visit_due(case.case_type, case.last_visit, case.start_date, case.placement_start,
                    case.long_term_placement, settings, case.placement_type)
    return CaseRow(
        case_ref=case.case_ref,
        case_type=case.case_type,
        team=open_case.team,
        lead=open_case.lead,
        co_worker=open_case.co_worker,
        start_date=case.start_date,
        last_visit=case.last_visit,
        visit_due=due,
        visit_days_overdue=visit_days_overdue(due, today) if due else 0,
        next_review=case.next_review,
        review_days_overdue=review_days_overdue(case.next_review, today),
    )


#: What the rules and answers read from a case: plain columns, not ORM objects, because a
#: manager's table reads every open case of their teams on every question.
CASE_FACTS = Bundle(
    "case", Case.case_ref, Case.case_type, Case.team_id, Case.start_date, Case.last_visit,
    Case.next_review, Case.placement_start, Case.long_term_placement, Case.allocated_worker_id,
    Case.family_id, Case.placement_type,
)


#: Built once: an alias costs more to build than the rest of the statement.
LEAD = aliased(Staff, name="lead")
CO_WORKER = aliased(Staff, name="co_worker")


def open_cases(session: Session, today: date, *conditions) -> list[OpenCase]:  # type: ignore[no-untyped-def]
    """Open cases matching `conditions`, with team and worker names, in one statement."""
    lead, co = LEAD, CO_WORKER
    rows = session.execute(
        select(CASE_FACTS, Team.name, lead.name, lead.end_date, co.name)
        .join(Team, Team.id == Case.team_id)
        .outerjoin(lead, lead.id == Case.allocated_worker_id)
        .outerjoin(co, co.id == Case.co_worker_id)
        .where(open_on(today), *conditions)
        .order_by(Case.start_date, Case.case_ref)
    ).all()
    return [
        OpenCase(case, team, lead_name, co_name,
                 lead_left=lead_end is not None and lead_end < today, lead_end=lead_end)
        for case, team, lead_name, lead_end, co_name in rows
    ]


@dataclass(frozen=True)
class Worker:
    """A case-holding worker in post, with their team and when they were last supervised."""

    staff: Staff
    team: str
    last_supervision: date | None


def team_workers(session: Session, team_ids: Iterable[int], today: date) -> list[Worker]:
    """Case-holding staff in post in these teams, in one statement (last supervision included)."""
    ids = list(team_ids)
    if not ids:
        return []
    last_supervision = (
        select(func.max(Supervision.date))
        .where(Supervision.staff_id == Staff.id)
        .correlate(Staff)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Staff, Team.name, last_supervision)
        .join(Team, Team.id == Staff.team_id)
        .where(Staff.team_id.in_(ids), in_post_on(today),  # type: ignore[union-attr]
               Staff.role.in_(CASE_HOLDING_ROLES))  # type: ignore[attr-defined]
        .order_by(Team.name, Staff.name)
    ).all()
    return [Worker(staff, team, last) for staff, team, last in rows]


def worker_loads(
    workers: list[Worker], cases: list[OpenCase], today: date, settings: Settings
) -> list[WorkerLoad]:
    """A row per worker: counts by type (lead cases only), overdue work and supervision."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    overdue_visits: dict[int, int] = defaultdict(int)
    overdue_reviews: dict[int, int] = defaultdict(int)
    barred: dict[int, int] = defaultdict(int)  # leads the worker's role may not hold
    points: dict[int, float] = defaultdict(float)
    led: dict[int, list[Any]] = defaultdict(list)
    role_of = {worker.staff.id: worker.staff.role for worker in workers}
    for open_case in cases:
        worker_id = open_case.case.allocated_worker_id
        if worker_id is None:
            continue
        if not may_lead_case_type(role_of.get(worker_id, ""), open_case.case.case_type):
            barred[worker_id] += 1
        points[worker_id] += case_points(open_case.case.case_type, settings)
        led[worker_id].append(open_case.case)
        row = case_row(open_case, today, settings)
        bucket = row.case_type if row.case_type in ("CP", "CIN", "LAC") else "other"
        counts[worker_id][bucket] += 1
        overdue_visits[worker_id] += bool(row.visit_days_overdue)
        overdue_reviews[worker_id] += bool(row.review_days_overdue)
    recorded_families = any(open_case.case.family_id for open_case in cases)
    loads = []
    for worker in workers:
        staff = worker.staff
        by_type = counts[staff.id]  # type: ignore[index]
        period = early_career(staff, today, settings)
        loads.append(
            WorkerLoad(
                staff_id=staff.staff_id,
                name=staff.name,
                team=worker.team,
                fte=staff.fte,
                cp=by_type["CP"],
                cin=by_type["CIN"],
                lac=by_type["LAC"],
                other=by_type["other"],
                total=sum(by_type.values()),
                cap=round(worker_cap(staff, today, settings), 2),
                is_nqsw=period is not None,
                early_career=early_career_label(period),
                # The programme year's rule (a setting) and the role's (family help: never CP).
                may_lead_cp=(period is None or period.cp_lead_allowed)
                and may_lead_case_type(staff.role, "CP"),
                family_help=staff.role == FAMILY_HELP_ROLE,
                barred_leads=barred[staff.id],  # type: ignore[index]
                points=round(points[staff.id], 2) if settings.weighted else None,  # type: ignore[index]
                points_cap=worker_points_cap(staff, today, settings),
                families=families_of(led[staff.id]) if recorded_families else None,  # type: ignore[index]
                overdue_visits=overdue_visits[staff.id],  # type: ignore[index]
                overdue_reviews=overdue_reviews[staff.id],  # type: ignore[index]
                supervision_overdue_days=supervision_overdue(
                    staff, worker.last_supervision, today, settings
                ),
            )
        )
    return loads


def without_lead(today: date):  # type: ignore[no-untyped-def]
    """No lead worker, or a lead who has left: either way no one holds the case today.

    The leaver test looks up each case's own lead (by primary key), so it costs what the team's
    cases cost; `IN (every leaver in the store)` read every leaver at national size (issue #11).
    """
    lead = aliased(Staff)
    lead_left = exists().where(lead.id == Case.allocated_worker_id, lead.end_date < today)  # type: ignore[operator]
    return or_(Case.allocated_worker_id.is_(None), lead_left)  # type: ignore[union-attr]


def unallocated(open_case: OpenCase) -> bool:
    return open_case.case.allocated_worker_id is None or open_case.lead_left


def caseload_table(
    session: Session, title: str, team_ids: Iterable[int], today: date, settings: Settings
) -> CaseloadTable:
    """The manager's table, heaviest load first so over-cap workers lead.

    One statement for the workers, one for every open case they lead or their teams hold (the
    unallocated count comes from the same rows).
    """
    ids = set(team_ids)
    workers = team_workers(session, ids, today)
    worker_ids = [worker.staff.id for worker in workers]
    cases = open_cases(
        session, today,
        or_(Case.team_id.in_(ids or [-1]), Case.allocated_worker_id.in_(worker_ids or [-1])),  # type: ignore[union-attr]
    )
    loads = worker_loads(workers, cases, today, settings)
    loads.sort(key=lambda load: (-load.load_pct, load.name))
    holders = set(worker_ids)
    held = [c.case for c in cases if c.case.allocated_worker_id in holders]
    return CaseloadTable(
        title=title,
        as_of=today,
        rows=tuple(loads),
        total_cases=sum(load.total for load in loads),
        total_fte=round(sum(load.fte for load in loads), 2),
        unallocated=sum(1 for c in cases if c.case.team_id in ids and unallocated(c)),
        total_families=families_of(held) if any(case.family_id for case in held) else None,
    )


def worker_cases(
    session: Session, staff: Staff, today: date, settings: Settings, title: str
) -> CaseList:
    """One worker's open cases, as lead or co-worker, with what is due."""
    cases = open_cases(
        session, today, or_(Case.allocated_worker_id == staff.id, Case.co_worker_id == staff.id)
    )
    rows = tuple(case_row(open_case, today, settings) for open_case in cases)
    led = [open_case.case for open_case in cases if open_case.case.allocated_worker_id == staff.id]
    lead_count = len(led)
    cap = worker_cap(staff, today, settings)
    label = early_career_label(early_career(staff, today, settings))
    summary = (
        f"{lead_count} case{'s' if lead_count != 1 else ''} as lead "
        f"(cap {cap:g} at {staff.fte:g} FTE"
        f"{f', {label} protected cap' if label else ''})"
        f", {len(rows) - lead_count} co-worked"
    )
    points_cap = worker_points_cap(staff, today, settings)
    if points_cap is not None:
        points = sum(case_points(case.case_type, settings) for case in led)
        summary += f"; {points:g} of {points_cap:g} points"
    if any(case.family_id for case in led):
        families = families_of(led)
        summary += (f"; {lead_count} {'child' if lead_count == 1 else 'children'}, "
                    f"{families} {'family' if families == 1 else 'families'}")
    return CaseList(
        title=title,
        as_of=today,
        cases=rows,
        empty_message=f"{staff.name} holds no open cases.",
        summary=summary,
    )


def days_waiting(open_case: OpenCase, today: date) -> int:
    """How long a case has had no one: since it opened, or since the day its lead left."""
    since = open_case.case.start_date
    if open_case.lead_left and open_case.lead_end is not None:
        since = max(since, open_case.lead_end)
    return max(0, (today - since).days)


def unallocated_cases(
    session: Session, team_ids: Iterable[int], today: date, settings: Settings
) -> CaseList:
    """Open cases no one holds (no lead, or a lead who has left), oldest first.

    Devon's promise is "no children's cases not allocated to an identified social worker".
    """
    ids = list(team_ids) or [-1]
    cases = open_cases(session, today, without_lead(today), Case.team_id.in_(ids))  # type: ignore[union-attr]
    rows = tuple(sorted(
        (replace(case_row(open_case, today, settings), days_waiting=days_waiting(open_case, today))
         for open_case in cases),
        key=lambda row: (-(row.days_waiting or 0), row.case_ref)))
    return CaseList(
        title="Unallocated cases",
        as_of=today,
        cases=rows,
        empty_message="Every open case in your teams has an allocated social worker.",
        summary=f"{len(rows)} unallocated" if rows else "",
    )


def overdue_cases(
    session: Session, condition, today: date, settings: Settings, title: str  # type: ignore[no-untyped-def]
) -> CaseList:
    """Cases whose statutory visit or plan review is past due, most overdue first."""
    rows = [case_row(open_case, today, settings) for open_case in open_cases(session, today, condition)]
    overdue = sorted(
        (row for row in rows if row.visit_days_overdue or row.review_days_overdue),
        key=lambda row: (-max(row.visit_days_overdue, row.review_days_overdue), row.case_ref),
    )
    visits = sum(1 for row in overdue if row.visit_days_overdue)
    reviews = sum(1 for row in overdue if row.review_days_overdue)
    return CaseList(
        title=title,
        as_of=today,
        cases=tuple(overdue),
        empty_message="No visits or reviews are overdue.",
        summary=(f"{count_of(visits, 'visit')} and {count_of(reviews, 'review')} overdue"
                 if overdue else ""),
    )


def capacity(
    session: Session, team_ids: Iterable[int], case_type: str | None, today: date,
    settings: Settings,
) -> CapacityList:
    """Who could take a new case, most headroom first; never an NQSW as lead on a CP case."""
    workers = team_workers(session, team_ids, today)
    worker_ids = [worker.staff.id for worker in workers]
    cases = open_cases(session, today, Case.allocated_worker_id.in_(worker_ids or [-1]))  # type: ignore[union-attr]
    rows: list[CapacityRow] = []
    for load in worker_loads(workers, cases, today, settings):
        if case_type == "CP" and not load.may_lead_cp:
            continue
        if case_type and load.family_help and not may_lead_case_type(FAMILY_HELP_ROLE, case_type):
            continue
        row = CapacityRow(load.staff_id, load.name, load.team, load.fte, load.total, load.cap,
                          load.is_nqsw, load.early_career, load.points, load.points_cap)
        # Room for one more case of the type asked for: in points where weighting is on.
        needed = case_points(case_type or "", settings) if settings.weighted else 1
        if row.headroom >= needed:
            rows.append(row)
    rows.sort(key=lambda row: (-row.headroom, row.name))
    note = (
        "NQSWs in their protected year are left out: they may co-work a CP case, not lead it."
        if case_type == "CP"
        else "NQSWs are measured against their protected cap."
    )
    if any(worker.staff.role == FAMILY_HELP_ROLE for worker in workers) and case_type in (
            "CP", "LAC"):
        note += " Family help practitioners are left out: they may not lead CP or LAC cases."
    if settings.weighted:
        note += " Headroom is in points (weighted caseloads)."
    kind = f" a {case_type}" if case_type else " a new"
    return CapacityList(
        title=f"Who can take{kind} case",
        as_of=today,
        case_type=case_type,
        rows=tuple(rows),
        note=note,
    )
