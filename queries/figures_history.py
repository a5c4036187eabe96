"""The performance figures month by month: rebuilt where the store's history allows, else recorded.

SPEC section 11. For each month end (and the report's own date as the last point):

- **Rebuilt** from history: the census staffing figures (FTE in post, vacancy, agency, turnover
  from staff start and end dates), caseload per FTE, workers over cap and unallocated cases (from
  case dates and the ``case_allocation`` history) — ``queries.staffing.staffing_figures`` with
  ``as_of`` the month end, the very call a digest dated that day makes — and the actions by area
  (due and completion dates). A month before any of the scope's staff started (or, for caseload
  figures, with no open case) has nothing to rebuild from: "no data".
- **Recorded** by the daily snapshot (``jobs.snapshots``): overdue visits, supervision on time
  and NQSW breaches, which the store keeps no history of. A month end takes the snapshot of that
  day, or the latest up to REPORT_SNAPSHOT_MAX_AGE_DAYS before it; every service in the scope
  must have one, or the month is "no data". Nothing is ever filled in or interpolated.
- The report's own date, when it is today, is computed live (as today's digest would be).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from config import Settings
from models import PerformanceSnapshot, Service
from queries.performance import AreaActions, DailyFigures, actions_by_area, daily_figures
from queries.staffing import StaffingFigures, staffing_figures

REBUILT = "rebuilt"
RECORDED = "recorded"
LIVE = "today"
NO_DATA = "no data"


@dataclass(frozen=True)
class MonthPoint:
    """Everything the report knows about one month end, and where each part came from."""

    day: date
    label: str  # "Nov 2026"
    staffing: StaffingFigures | None  # None: nothing to rebuild from
    caseloads_known: bool  # open cases existed that day, so caseload figures mean something
    daily: DailyFigures | None  # None: no snapshot
    daily_source: str  # RECORDED, LIVE or NO_DATA
    daily_day: date | None  # the snapshot's own day (may be a few days before `day`)
    actions: tuple[AreaActions, ...]

    @property
    def staffing_source(self) -> str:
        return REBUILT if self.staffing is not None else NO_DATA


def month_ends(as_of: date, months: int) -> list[date]:
    """The last day of each of the ``months - 1`` months before as_of's month, then as_of."""
    days = []
    for back in range(months - 1, 0, -1):
        first = (as_of.replace(day=1) - relativedelta(months=back))
        days.append(first.replace(day=monthrange(first.year, first.month)[1]))
    return days + [as_of]


def month_label(day: date, as_of: date) -> str:
    if day == as_of and day != day.replace(day=monthrange(day.year, day.month)[1]):
        return f"{day.day} {day:%b %Y}"
    return f"{day:%b %Y}"


def scope_service_ids(session: Session, service_id: int | None) -> list[int]:
    if service_id is not None:
        return [service_id]
    return list(session.exec(select(Service.id).order_by(Service.name)).all())  # type: ignore[arg-type]


def recorded_daily(session: Session, service_ids: list[int], days: list[date],
                   max_age_days: int) -> dict[date, tuple[DailyFigures, date]]:
    """For each day, the scope's snapshot summed over services (latest within the age), if all
    services have one; one statement for all days."""
    if not service_ids or not days:
        return {}
    rows = session.exec(
        select(PerformanceSnapshot)
        .where(PerformanceSnapshot.service_id.in_(service_ids),  # type: ignore[attr-defined]
               PerformanceSnapshot.day >= min(days) - timedelta(days=max_age_days),
               PerformanceSnapshot.day <= max(days))
    ).all()
    by_service: dict[int, dict[date, PerformanceSnapshot]] = {}
    for row in rows:
        by_service.setdefault(row.service_id, {})[row.day] = row
    found: dict[date, tuple[DailyFigures, date]] = {}
    for day in days:
        total: DailyFigures | None = DailyFigures(0, 0, 0, 0)
        oldest = day
        for service in service_ids:
            taken = next((by_service.get(service, {}).get(day - timedelta(days=age))
                          for age in range(max_age_days + 1)
                          if day - timedelta(days=age) in by_service.get(service, {})), None)
            if taken is None:
                total = None
                break
            total = total + DailyFigures(taken.overdue_visits, taken.supervision_people,  # type: ignore[operator]
                                         taken.supervision_on_time, taken.nqsw_breaches)
            oldest = min(oldest, taken.day)
        if total is not None:
            found[day] = (total, oldest)
    return found


def monthly_points(
    session: Session, *, as_of: date, months: int, settings: Settings, today: date,
    service_id: int | None = None,
) -> list[MonthPoint]:
    """One point per month end (see the module docstring), oldest first."""
    days = month_ends(as_of, months)
    services = scope_service_ids(session, service_id)
    recorded = recorded_daily(session, services, days, settings.report_snapshot_max_age_days)
    points = []
    for day in days:
        figures = staffing_figures(session, as_of=day, settings=settings, service_id=service_id)
        has_staff = figures.headcount > 0 or figures.agency_fte > 0
        if day == today and services:
            daily: DailyFigures | None = sum(
                (daily_figures(session, service, day, settings) for service in services),
                DailyFigures(0, 0, 0, 0))
            source, daily_day = LIVE, day
        elif day in recorded:
            daily, daily_day = recorded[day]
            source = RECORDED
        else:
            daily, source, daily_day = None, NO_DATA, None
        points.append(MonthPoint(
            day=day, label=month_label(day, as_of),
            staffing=figures if has_staff else None,
            caseloads_known=has_staff and figures.open_cases > 0,
            daily=daily, daily_source=source, daily_day=daily_day,
            actions=tuple(actions_by_area(session, day, service_id)),
        ))
    return points


__all__ = ["LIVE", "MonthPoint", "NO_DATA", "RECORDED", "REBUILT", "month_ends", "month_label",
           "monthly_points", "recorded_daily", "scope_service_ids"]
