"""The statements the caseload answers run, built once at import with bound parameters.

Why: building a SELECT (coercing every column and condition) and deriving its cache key cost
more Python than the store took to answer it (issue #11, bench/notes.md). Built once, each
answer only binds `today` and its ids, and SQLAlchemy finds the compiled form in its cache.

Rows are Core rows (plain tuples with the columns by name), not ORM objects: an answer reads a
team's every open case, and an ORM object per case cost more than the rule run over it.
The conditions (`open_on`, `in_post_on`, `without_lead`) live here too, and take a date (the jobs
build statements of their own with them) or the TODAY parameter (the statements below).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Row, bindparam, exists, func, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from models import Case, Staff, Supervision, Team
from models.organisation import FAMILY_HELP_ROLE

#: The day the answer is for: every statement here binds it.
TODAY = bindparam("today", type_=Date)
TEAM_IDS = bindparam("team_ids", expanding=True)
WORKER_IDS = bindparam("worker_ids", expanding=True)
WORKER_ID = bindparam("worker_id")

_cases = Case.__table__.c  # type: ignore[attr-defined]
_staff = Staff.__table__  # type: ignore[attr-defined]
_team = Team.__table__  # type: ignore[attr-defined]
_supervision = Supervision.__table__.c  # type: ignore[attr-defined]
_lead = _staff.alias("lead")
_co_worker = _staff.alias("co_worker")

#: The roles that hold cases (a manager's table lists these).
CASE_HOLDING_ROLES = ("practitioner", "social_worker", "senior_practitioner", "nqsw",
                      "advanced_practitioner", "personal_advisor", FAMILY_HELP_ROLE)


def open_on(today: Any) -> ColumnElement[bool]:
    """SQL condition for a case open on `today` (a case ending today is closed); `today` is a
    date or the TODAY parameter."""
    return (Case.start_date <= today) & (or_(Case.end_date.is_(None), Case.end_date > today))  # type: ignore[union-attr, operator, return-value]


def in_post_on(today: Any) -> ColumnElement[bool]:
    """SQL condition for staff in post on `today` (a date or the TODAY parameter)."""
    return (Staff.start_date <= today) & (or_(Staff.end_date.is_(None), Staff.end_date >= today))  # type: ignore[union-attr, operator, return-value]


def without_lead(today: Any) -> ColumnElement[bool]:
    """No lead worker, or a lead who has left: either way no one holds the case today.

    The leaver test looks up each case's own lead (by primary key), so it costs what the team's
    cases cost; `IN (every leaver in the store)` read every leaver at national size (issue #11).
    """
    lead = _staff.alias()
    lead_left = exists().where(lead.c.id == Case.allocated_worker_id, lead.c.end_date < today)
    return or_(Case.allocated_worker_id.is_(None), lead_left)  # type: ignore[union-attr]


#: The team's name by its key, per row: a join let PostgreSQL hash every team in the store
#: (3,600 at national size) to name a team's 150 cases.
_team_name = select(_team.c.name).where(_team.c.id == _cases.team_id).scalar_subquery()

#: Open cases with what the rules read and the names the answers show, oldest first. A row has
#: the case's columns by name, `team`, `lead` and `lead_end` (the lead's name and leaving date)
#: and `co_worker` (the co-worker's name).
OPEN_CASES = (
    select(_cases.case_ref, _cases.case_type, _cases.team_id, _cases.start_date,
           _cases.last_visit, _cases.next_review, _cases.placement_start,
           _cases.long_term_placement, _cases.allocated_worker_id, _cases.family_id,
           _cases.placement_type, _team_name.label("team"), _lead.c.name.label("lead"),
           _lead.c.end_date.label("lead_end"), _co_worker.c.name.label("co_worker"))
    .select_from(Case.__table__  # type: ignore[attr-defined]
                 .outerjoin(_lead, _lead.c.id == _cases.allocated_worker_id)
                 .outerjoin(_co_worker, _co_worker.c.id == _cases.co_worker_id))
    .where(open_on(TODAY))
    .order_by(_cases.start_date, _cases.case_ref)
)
#: A manager's table: every open case their teams hold or their workers lead.
TEAM_TABLE_CASES = OPEN_CASES.where(
    or_(_cases.team_id.in_(TEAM_IDS), _cases.allocated_worker_id.in_(WORKER_IDS)))
#: The open cases of some teams.
TEAM_CASES = OPEN_CASES.where(_cases.team_id.in_(TEAM_IDS))
#: The open cases some workers lead.
LED_CASES = OPEN_CASES.where(_cases.allocated_worker_id.in_(WORKER_IDS))
#: One worker's open cases, as lead or co-worker.
WORKER_CASES = OPEN_CASES.where(
    or_(_cases.allocated_worker_id == WORKER_ID, _cases.co_worker_id == WORKER_ID))
#: The open cases of some teams that no one holds today.
UNALLOCATED_CASES = OPEN_CASES.where(without_lead(TODAY), _cases.team_id.in_(TEAM_IDS))

_last_supervision = (select(func.max(_supervision.date))
                     .where(_supervision.staff_id == _staff.c.id).scalar_subquery())
#: Case-holding staff in post in some teams, with their team's name (`team`) and their last
#: supervision (`last_supervision`), by team then name.
TEAM_WORKERS = (
    select(_staff.c.id, _staff.c.staff_id, _staff.c.name, _staff.c.role, _staff.c.team_id,
           _staff.c.fte, _staff.c.start_date, _staff.c.asye_start, _staff.c.asye_end,
           _staff.c.early_career_programme, _team.c.name.label("team"),
           _last_supervision.label("last_supervision"))
    .select_from(_staff.join(_team, _team.c.id == _staff.c.team_id))
    .where(_staff.c.team_id.in_(TEAM_IDS), in_post_on(TODAY),
           _staff.c.role.in_(CASE_HOLDING_ROLES))
    .order_by(_team.c.name, _staff.c.name)
)


def _parameters(today: date, ids: dict[str, Iterable[int] | int]) -> dict[str, Any]:
    """`today` and the ids a statement built here binds (a list for an expanding IN)."""
    parameters: dict[str, Any] = {"today": today}
    for name, value in ids.items():
        parameters[name] = value if isinstance(value, int) else list(value)
    return parameters


def rows(session: Session, statement: Select[Any], today: date, **ids: Iterable[int] | int
         ) -> Sequence[Row[Any]]:
    """Run a statement built here for `today` and the ids it binds, as Core rows."""
    return session.connection().execute(statement, _parameters(today, ids)).all()


#: Rows a streamed statement fetches at a time (a server-side cursor's batch on PostgreSQL).
STREAM_BATCH_ROWS = 2000


def stream(session: Session, statement: Select[Any], today: date, **ids: Iterable[int] | int
           ) -> Iterator[Row[Any]]:
    """`rows`, but fetched a batch at a time and never all held: for a job that passes once
    over every open case in the council (a million rows held as a list is most of a gigabyte).
    Nothing else may run on the session until the iterator is used up."""
    yield from session.connection().execute(
        statement, _parameters(today, ids), execution_options={"yield_per": STREAM_BATCH_ROWS})


__all__ = ["CASE_HOLDING_ROLES", "LED_CASES", "OPEN_CASES", "TEAM_CASES", "TEAM_TABLE_CASES",
           "TEAM_WORKERS", "TODAY", "UNALLOCATED_CASES", "WORKER_CASES", "in_post_on", "open_on",
           "rows", "stream", "without_lead"]
