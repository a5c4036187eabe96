"""When the DfE's quarterly agency data return is next due (SPEC section 4, agency rules).

The statutory guidance "Child and family social workers: agency rules" (in force 31 October
2024) makes its data collection section a legal requirement: each local authority sends the
Department for Education, every quarter, the employment details of its agency child and family
social workers. A head of service who sees the workers outside the rules should also see when
that return is next due, so the reminder sits beside them (``/staffing agency``, the staffing
digest, ``export census-summary``). The days are ``AGENCY_RETURN_DATES`` (MM-DD) because DfE sets
each quarter's window in its operational guidance, not in the statutory text.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from config import Settings

if TYPE_CHECKING:
    from queries.staffing import StaffingFigures


@dataclass(frozen=True)
class AgencyReturnDue:
    """The next quarterly return: its due day, days left, and whether it is due soon."""

    due: date
    days_left: int
    soon: bool  # within AGENCY_RETURN_REMIND_DAYS: said louder


def _on(year: int, month: int, day: int) -> date:
    """MM-DD in a year; 02-29 falls on 28 February outside leap years."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_agency_return(today: date, settings: Settings) -> AgencyReturnDue | None:
    """The first return day on or after ``today`` (a return due today is still due), or
    None when the council has set no return dates."""
    pairs = settings.agency_return_month_days
    if not pairs:
        return None
    due = min(day for year in (today.year, today.year + 1) for month, dom in pairs
              if (day := _on(year, month, dom)) >= today)
    days_left = (due - today).days
    return AgencyReturnDue(due, days_left, days_left <= settings.agency_return_remind_days)


def agency_return_beside(figures: StaffingFigures, settings: Settings) -> AgencyReturnDue | None:
    """The reminder beside a scope's staffing figures (the digest, the census summary): only
    where agency workers are in post, so a scope without them reads as it always has."""
    return next_agency_return(figures.as_of, settings) if figures.agency_fte > 0 else None


__all__ = ["AgencyReturnDue", "agency_return_beside", "next_agency_return"]
