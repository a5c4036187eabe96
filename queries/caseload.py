"""Caseloads: who holds what, against which cap, and what is overdue.

Each question is answered with a fixed handful of statements whatever the size of the council
(workers with their last supervision, their open cases), built once (queries.case_facts); then
the rules run in Python, in one pass over the rows, with no object made per case but the rows
an answer shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any
from datetime import date

from sqlalchemy import Row, bindparam, func, select
from sqlmodel import Session

from config import Settings
from models import Supervision
from models.organisation import FAMILY_HELP_ROLE, may_lead_case_type
from queries import case_facts
from queries.access import StaffFacts
# in_post_on and without_lead: the SQL conditions the jobs use, re-exported from case_facts.
from queries.case_facts import in_post_on, without_lead  # noqa: F401
from queries.id_sets import SHORT_LIST, one_of
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

#: An open case as `case_facts.OPEN_CASES` reads it: a Core row with its columns by name.
OpenCase = Row[Any]


def early_career(staff: StaffFacts, today: date, settings: Settings) -> EarlyCareer | None:
    """The worker's early career programme (ASYE or ECDP) today, or None when not in one."""
    return early_career_on(staff.asye_start, staff.asye_end, staff.early_career_programme, today,
                           settings)


def is_nqsw(staff: StaffFacts, today: date, settings: Settings) -> bool:
    """In a protected early career period (the ASYE year, or the ECDP's two years) today."""
    return early_career(staff, today, settings) is not None


def early_career_label(period: EarlyCareer | None) -> str:
    """The flag managers scan for: "NQSW" in the ASYE (as before), "ECDP year N" in the ECDP."""
    if period is None:
        return ""
    return "NQSW" if period.programme.months <= 12 else period.label


def case_points(case_type: str, settings: Settings) -> float:
    """A case's weight in points (CASE_WEIGHTS; a type not listed weighs 1)."""
    return points_in(case_type, settings.case_weights_by_type)


def points_in(case_type: str, weights: dict[str, float]) -> float:
    """`case_points` with CASE_WEIGHTS already read (a pass over many cases reads it once)."""
    return weights.get(case_type.upper(), 1.0)


def _points_cap(staff: StaffFacts, period: EarlyCareer | None, settings: Settings) -> float | None:
    if not settings.weighted:
        return None
    share = period.cap_ratio if period else 1.0
    return round(settings.weighted_cap_per_fte * staff.fte * share, 2)


def worker_points_cap(staff: StaffFacts, today: date, settings: Settings) -> float | None:
    """The points a worker may hold (WEIGHTED_CAP_PER_FTE x FTE, by the early career share of
    the programme year where protected); None when weighting is off."""
    return _points_cap(staff, early_career(staff, today, settings), settings)


def families_of(cases: Iterable[Any]) -> int:
    """Distinct families among cases: a case with no family_id is a family of its own."""
    return len({family_key(case) for case in cases})


def family_key(case: Any) -> str:
    """The family a case belongs to: its family_id, or the case alone when none is recorded."""
    return case.family_id or f"case:{case.case_ref}"


def _cap(staff: StaffFacts, period: EarlyCareer | None, settings: Settings) -> float:
    if period is not None:
        return protected_cap(staff.fte, settings, period.cap_ratio)
    return normal_cap(staff.fte, settings)


def worker_cap(staff: StaffFacts, today: date, settings: Settings) -> float:
    """The cap a worker is held to today: the programme year's protected cap in the ASYE or the
    ECDP, the normal one after."""
    return _cap(staff, early_career(staff, today, settings), settings)


_supervision = Supervision.__table__.c  # type: ignore[attr-defined]
#: Each of some workers' last supervision, built once.
_LAST_SUPERVISIONS = (
    select(_supervision.staff_id, func.max(_supervision.date))
    .where(_supervision.staff_id.in_(bindparam("staff_ids", expanding=True)))
    .group_by(_supervision.staff_id)
)


def last_supervisions(session: Session, staff_ids: Iterable[int]) -> dict[int, date]:
    ids = list(staff_ids)
    if not ids:
        return {}
    if len(ids) <= SHORT_LIST:  # a team's or a person's: the statement built once
        rows = session.connection().execute(_LAST_SUPERVISIONS, {"staff_ids": ids}).all()
    else:  # every NQSW in the country (the all-services digest): one array parameter
        rows = session.connection().execute(
            select(_supervision.staff_id, func.max(_supervision.date))
            .where(one_of(_supervision.staff_id, ids))
            .group_by(_supervision.staff_id)
        ).all()
    return {staff_id: last for staff_id, last in rows}


def supervision_overdue(staff: StaffFacts, last: date | None, today: date, settings: Settings
                        ) -> int:
    interval = supervision_interval_days(staff.asye_start, staff.asye_end, today, settings,
                                         staff.early_career_programme)
    due = next_supervision_due(last, interval, staff.start_date)
    return supervision_days_overdue(due, today)


def lead_left(case: OpenCase, today: date) -> bool:
    """The case's lead worker has left: no one holds it today."""
    return case.lead_end is not None and case.lead_end < today


def unallocated(case: OpenCase, today: date) -> bool:
    """No lead, or a lead who has left (the Python side of `case_facts.without_lead`, for rows
    already read)."""
    return case.allocated_worker_id is None or lead_left(case, today)


def case_visit_due(case: Any, settings: Settings) -> date | None:
    """When the case's next statutory visit is due (queries.visits), from its row."""
    return visit_due(case.case_type, case.last_visit, case.start_date, case.placement_start,
                     case.long_term_placement, settings, case.placement_type)


def case_row(case: OpenCase, today: date, settings: Settings) -> CaseRow:
    """The row an answer shows for one open case, with what is due and how late."""
    due = case_visit_due(case, settings)
    return CaseRow(
        case_ref=case.case_ref,
        case_type=case.case_type,
        team=case.team,
        lead=case.lead,
        co_worker=case.co_worker,
        start_date=case.start_date,
        last_visit=case.last_visit,
        visit_due=due,
        visit_days_overdue=visit_days_overdue(due, today) if due else 0,
        next_review=case.next_review,
        review_days_overdue=review_days_overdue(case.next_review, today),
    )


def _open_cases_where(conditions: tuple[Any, ...]) -> Any:
    return case_facts.OPEN_CASES.where(*conditions) if conditions else case_facts.OPEN_CASES


def open_cases(session: Session, today: date, *conditions: Any) -> Sequence[OpenCase]:
    """Open cases matching `conditions`, with team and worker names, in one statement (for the
    jobs' own conditions; the answers run the statements of queries.case_facts as built)."""
    return case_facts.rows(session, _open_cases_where(conditions), today)


def stream_open_cases(session: Session, today: date, *conditions: Any) -> Iterator[OpenCase]:
    """`open_cases` for a pass over a whole council: fetched a batch at a time, never all held
    (see case_facts.stream); use it up before the session runs anything else."""
    return case_facts.stream(session, _open_cases_where(conditions), today)


#: A case-holding worker in post, as `case_facts.TEAM_WORKERS` reads them: the staff columns
#: the rules read, their team's name (`team`) and their last supervision (`last_supervision`).
Worker = Row[Any]


def team_workers(session: Session, team_ids: Iterable[int], today: date) -> Sequence[Worker]:
    """Case-holding staff in post in these teams, in one statement (last supervision included)."""
    ids = list(team_ids)
    if not ids:
        return []
    return case_facts.rows(session, case_facts.TEAM_WORKERS, today, team_ids=ids)


class _Tally:
    """What one worker leads, counted in the one pass over the cases."""

    __slots__ = ("by_type", "barred", "points", "families", "overdue_visits", "overdue_reviews")

    def __init__(self) -> None:
        self.by_type = {"CP": 0, "CIN": 0, "LAC": 0, "other": 0}
        self.barred = 0  # leads the worker's role may not hold
        self.points = 0.0
        self.families: set[str] = set()
        self.overdue_visits = 0
        self.overdue_reviews = 0


def _tallies(workers: Sequence[Worker], cases: Iterable[OpenCase], today: date,
             settings: Settings) -> tuple[dict[int, _Tally], bool]:
    """Each worker's counts by type (lead cases only), points, families and overdue work, and
    whether any case records its family: one pass (the cases may be a stream), the visit and
    review rules called once a case, no object made per case."""
    tallies = {worker.id: _Tally() for worker in workers}
    role_of = {worker.id: worker.role for worker in workers}
    weights = settings.case_weights_by_type
    recorded_families = False
    for case in cases:
        recorded_families = recorded_families or bool(case.family_id)
        worker_id = case.allocated_worker_id
        if worker_id is None:
            continue
        tally = tallies.get(worker_id)
        if tally is None:  # led by someone outside the table: not counted
            continue
        case_type = case.case_type
        if not may_lead_case_type(role_of[worker_id], case_type):
            tally.barred += 1
        tally.points += points_in(case_type, weights)
        tally.families.add(family_key(case))
        tally.by_type[case_type if case_type in ("CP", "CIN", "LAC") else "other"] += 1
        if visit_days_overdue(case_visit_due(case, settings), today):
            tally.overdue_visits += 1
        if review_days_overdue(case.next_review, today):
            tally.overdue_reviews += 1
    return tallies, recorded_families


def worker_loads(
    workers: Sequence[Worker], cases: Iterable[OpenCase], today: date, settings: Settings
) -> list[WorkerLoad]:
    """A row per worker: counts by type (lead cases only), overdue work and supervision. The
    cases are read once, so a job may pass them as a stream (`stream_open_cases`)."""
    tallies, recorded_families = _tallies(workers, cases, today, settings)
    loads = []
    for worker in workers:
        tally = tallies[worker.id]
        by_type = tally.by_type
        period = early_career(worker, today, settings)
        loads.append(
            WorkerLoad(
                staff_id=worker.staff_id,
                name=worker.name,
                team=worker.team,
                fte=worker.fte,
                cp=by_type["CP"],
                cin=by_type["CIN"],
                lac=by_type["LAC"],
                other=by_type["other"],
                total=sum(by_type.values()),
                cap=round(_cap(worker, period, settings), 2),
                is_nqsw=period is not None,
                early_career=early_career_label(period),
                # The programme year's rule (a setting) and the role's (family help: never CP).
                may_lead_cp=(period is None or period.cp_lead_allowed)
                and may_lead_case_type(worker.role, "CP"),
                family_help=worker.role == FAMILY_HELP_ROLE,
                barred_leads=tally.barred,
                points=round(tally.points, 2) if settings.weighted else None,
                points_cap=_points_cap(worker, period, settings),
                families=len(tally.families) if recorded_families else None,
                overdue_visits=tally.overdue_visits,
                overdue_reviews=tally.overdue_reviews,
                supervision_overdue_days=supervision_overdue(
                    worker, worker.last_supervision, today, settings
                ),
            )
        )
    return loads


def caseload_table(
    session: Session, title: str, team_ids: Iterable[int], today: date, settings: Settings
) -> CaseloadTable:
    """The manager's table, heaviest load first so over-cap workers lead.

    One statement for the workers, one for every open case they lead or their teams hold (the
    unallocated count comes from the same rows).
    """
    ids = set(team_ids)
    workers = team_workers(session, ids, today)
    holders = {worker.id for worker in workers}
    cases = case_facts.rows(session, case_facts.TEAM_TABLE_CASES, today, team_ids=ids,
                            worker_ids=holders)
    loads = worker_loads(workers, cases, today, settings)
    loads.sort(key=lambda load: (-load.load_pct, load.name))
    held = [case for case in cases if case.allocated_worker_id in holders]
    return CaseloadTable(
        title=title,
        as_of=today,
        rows=tuple(loads),
        total_cases=sum(load.total for load in loads),
        total_fte=round(sum(load.fte for load in loads), 2),
        unallocated=sum(1 for case in cases if case.team_id in ids and unallocated(case, today)),
        total_families=families_of(held) if any(case.family_id for case in held) else None,
    )


def worker_cases(
    session: Session, staff: StaffFacts, today: date, settings: Settings, title: str
) -> CaseList:
    """One worker's open cases, as lead or co-worker, with what is due."""
    cases = case_facts.rows(session, case_facts.WORKER_CASES, today, worker_id=staff.id)
    rows = tuple(case_row(case, today, settings) for case in cases)
    led = [case for case in cases if case.allocated_worker_id == staff.id]
    lead_count = len(led)
    period = early_career(staff, today, settings)
    cap = _cap(staff, period, settings)
    label = early_career_label(period)
    summary = (
        f"{lead_count} case{'s' if lead_count != 1 else ''} as lead "
        f"(cap {cap:g} at {staff.fte:g} FTE"
        f"{f', {label} protected cap' if label else ''})"
        f", {len(rows) - lead_count} co-worked"
    )
    points_cap = _points_cap(staff, period, settings)
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


def days_waiting(case: OpenCase, today: date) -> int:
    """How long a case has had no one: since it opened, or since the day its lead left."""
    since = case.start_date
    if lead_left(case, today):
        since = max(since, case.lead_end)
    return max(0, (today - since).days)


def unallocated_cases(
    session: Session, team_ids: Iterable[int], today: date, settings: Settings
) -> CaseList:
    """Open cases no one holds (no lead, or a lead who has left), oldest first.

    Devon's promise is "no children's cases not allocated to an identified social worker".
    """
    cases = case_facts.rows(session, case_facts.UNALLOCATED_CASES, today, team_ids=team_ids)
    rows = tuple(sorted(
        (replace(case_row(case, today, settings), days_waiting=days_waiting(case, today))
         for case in cases),
        key=lambda row: (-(row.days_waiting or 0), row.case_ref)))
    return CaseList(
        title="Unallocated cases",
        as_of=today,
        cases=rows,
        empty_message="Every open case in your teams has an allocated social worker.",
        summary=f"{len(rows)} unallocated" if rows else "",
    )


def team_open_cases(session: Session, team_ids: Iterable[int], today: date
                    ) -> Sequence[OpenCase]:
    """Every open case these teams hold."""
    return case_facts.rows(session, case_facts.TEAM_CASES, today, team_ids=team_ids)


def worker_open_cases(session: Session, worker_id: int, today: date) -> Sequence[OpenCase]:
    """Every open case this worker leads or co-works."""
    return case_facts.rows(session, case_facts.WORKER_CASES, today, worker_id=worker_id)


def overdue_cases(cases: Iterable[OpenCase], today: date, settings: Settings, title: str
                  ) -> CaseList:
    """Cases whose statutory visit or plan review is past due, most overdue first (of the open
    cases given: `team_open_cases` or `worker_open_cases`)."""
    rows = [case_row(case, today, settings) for case in cases]
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
    cases = case_facts.rows(session, case_facts.LED_CASES, today,
                            worker_ids=[worker.id for worker in workers])
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
    if any(worker.role == FAMILY_HELP_ROLE for worker in workers) and case_type in (
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
