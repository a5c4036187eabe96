"""The performance figures that are not census staffing figures: one implementation each.

The weekly digests, the daily snapshot and the performance report all count these here, so a
figure for a day is the same wherever it is shown (queries.staffing holds the census figures):

- **Supervision on time:** the workforce in post in the service's teams (all but heads of
  service and admins, employed or agency), those whose supervision is not overdue on the day.
- **NQSW breaches:** NQSWs in the protected year on the day with at least one broken promise
  (over the protected cap, lead on a CP case, supervision overdue…; queries.protection).
- **Overdue visits:** open cases in the service's teams whose statutory visit is past due
  (queries.visits, as `/caseload overdue` counts them).
- **Actions** owned by the service's staff, on a day: done on time (completed by the due date),
  done late, overdue (not completed by the day and due before it), not yet due. Completion
  dates are kept, so this is rebuilt for any past day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from config import Settings
from models import Action, Case, Staff, Team
from queries.caseload import case_row, in_post_on, open_cases
from queries.protection import nqsws_in_teams, protection_statuses
from queries.results import SupervisionRow
from queries.staffing import NON_WORKFORCE_ROLES
from queries.supervision import supervision_rows

NO_AREA = "No area given"


@dataclass(frozen=True)
class DailyFigures:
    """The figures the daily snapshot records for one service on one day."""

    overdue_visits: int
    supervision_people: int
    supervision_on_time: int
    nqsw_breaches: int

    @property
    def supervision_on_time_pct(self) -> float | None:
        if not self.supervision_people:
            return None
        return 100 * self.supervision_on_time / self.supervision_people

    def __add__(self, other: DailyFigures) -> DailyFigures:
        return DailyFigures(self.overdue_visits + other.overdue_visits,
                            self.supervision_people + other.supervision_people,
                            self.supervision_on_time + other.supervision_on_time,
                            self.nqsw_breaches + other.nqsw_breaches)


@dataclass(frozen=True)
class AreaActions:
    """Improvement-plan actions of one area on one day, by where they stand."""

    area: str
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    not_yet_due: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.overdue + self.not_yet_due


def service_team_ids(session: Session, service_id: int) -> list[int]:
    return list(session.exec(select(Team.id).where(Team.service_id == service_id)).all())  # type: ignore[arg-type]


def supervised_workforce(session: Session, service_id: int, as_of: date
                         ) -> list[tuple[Staff, str]]:
    """Everyone whose supervision the service's figures count, with their team, by team and name."""
    return list(session.exec(
        select(Staff, Team.name)
        .join(Team, Team.id == Staff.team_id)
        .where(Team.service_id == service_id, in_post_on(as_of),
               Staff.role.not_in(NON_WORKFORCE_ROLES))  # type: ignore[attr-defined]
        .order_by(Team.name, Staff.name)
    ).all())


def count_on_time(rows: list[SupervisionRow]) -> int:
    """Supervision on time: not overdue on the day (due today is still on time)."""
    return sum(1 for row in rows if not row.days_overdue)


def nqsw_breach_count(session: Session, team_ids: list[int], as_of: date,
                      settings: Settings) -> int:
    statuses = protection_statuses(session, nqsws_in_teams(session, team_ids, as_of, settings),
                                   as_of, settings)
    return sum(1 for status in statuses if status.breaches)


def overdue_visit_count(session: Session, team_ids: list[int], as_of: date,
                        settings: Settings) -> int:
    cases = open_cases(session, as_of, Case.team_id.in_(team_ids or [-1]))  # type: ignore[attr-defined]
    return sum(1 for open_case in cases if case_row(open_case, as_of, settings).visit_days_overdue)


def daily_figures(session: Session, service_id: int, as_of: date,
                  settings: Settings) -> DailyFigures:
    """What the snapshot records for one service, computed live for the day."""
    team_ids = service_team_ids(session, service_id)
    rows = supervision_rows(session, supervised_workforce(session, service_id, as_of), as_of,
                            settings)
    return DailyFigures(
        overdue_visits=overdue_visit_count(session, team_ids, as_of, settings),
        supervision_people=len(rows),
        supervision_on_time=count_on_time(rows),
        nqsw_breaches=nqsw_breach_count(session, team_ids, as_of, settings),
    )


def service_staff_ids(service_id: int):  # type: ignore[no-untyped-def]
    """Staff of a service (in its teams, or attached to it like its head), as a subquery."""
    return select(Staff.id).where(or_(
        Staff.service_id == service_id,
        Staff.team_id.in_(select(Team.id).where(Team.service_id == service_id)),  # type: ignore[union-attr]
    ))


def actions_by_area(session: Session, as_of: date, service_id: int | None = None
                    ) -> list[AreaActions]:
    """Every action (of the service's staff, or all), by area, as it stood on ``as_of``."""
    query = select(Action.area, Action.due_date, Action.status, Action.completed_date)
    if service_id is not None:
        query = query.where(Action.owner_id.in_(service_staff_ids(service_id)))  # type: ignore[attr-defined]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for area, due, status, completed in session.exec(query).all():
        tally = counts[(area or "").strip() or NO_AREA]
        done = status == "done" and completed is not None and completed <= as_of
        if done:
            tally[0 if completed <= due else 1] += 1
        else:
            tally[2 if due < as_of else 3] += 1
    return [AreaActions(area, *tally) for area, tally in sorted(counts.items())]


__all__ = ["AreaActions", "DailyFigures", "NO_AREA", "actions_by_area", "count_on_time",
           "daily_figures", "nqsw_breach_count", "overdue_visit_count", "service_staff_ids",
           "service_team_ids", "supervised_workforce"]
