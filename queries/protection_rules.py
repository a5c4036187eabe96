"""The NQSW protected year (the ASYE), as pure rules over dates and settings (SPEC section 4).

Dates and months:
- The protected year runs from ``asye_start`` up to, but not including, its *end date*: the
  ``nqsw_protected_months`` anniversary of the start, or ``asye_end`` where the year was paused or
  extended, but never later than ``nqsw_max_months`` after the start. ``asye_end`` is read the
  same way as the anniversary: the first day no longer protected. So for a start of 1 September
  2025 the worker is protected to 31 August 2026 inclusive and not protected on 1 September 2026.
- Month N of the year begins on ``asye_start + (N - 1) months`` (month 1 begins on the start), so
  month 12 is the last protected month and month 13 begins on the anniversary. Month arithmetic
  is dateutil's: from 31 January, one month on is 28 (or 29) February.
- The progress review of month M is due at the end of month M, on ``asye_start + M months``.

"Today" is always passed in.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from config import Settings


@lru_cache(maxsize=65536)
def months_after(start: date, months: int) -> date:
    """dateutil's month arithmetic, cached: digests ask it for every NQSW in a council."""
    return start + relativedelta(months=months)


def protection_end(asye_start: date, asye_end: date | None, settings: Settings) -> date:
    """The first day the worker is no longer protected (see the module docstring)."""
    latest = months_after(asye_start, settings.nqsw_max_months)
    if asye_end is None:
        end = months_after(asye_start, settings.nqsw_protected_months)
    else:
        end = asye_end
    return max(asye_start, min(end, latest))


def in_protected_year(
    asye_start: date | None, asye_end: date | None, today: date, settings: Settings
) -> bool:
    """True from the ASYE start day to the day before the protection end date, inclusive."""
    if asye_start is None:
        return False
    return asye_start <= today < protection_end(asye_start, asye_end, settings)


def asye_month(asye_start: date, today: date) -> int:
    """Month N of the ASYE on ``today``, 1-based (the first month is month 1; 0 before the start).

    Past the twelfth month the count goes on (13, 14, ...), as it does in an extended year.
    """
    if today < asye_start:
        return 0
    months = (today.year - asye_start.year) * 12 + today.month - asye_start.month
    while months > 0 and months_after(asye_start, months) > today:
        months -= 1
    return months + 1


_CAP_DECIMALS = 4  # 18 x 0.6 is 10.799999999999999 in floating point; the cap is 10.8


def normal_cap(fte: float, settings: Settings) -> float:
    """Open cases a worker of this FTE may hold: the cap per 1.0 FTE scaled (18 x 0.6 = 10.8).

    A worker is over cap with more open cases than this, not with exactly this many.
    """
    return round(settings.caseload_cap_per_fte * fte, _CAP_DECIMALS)


def protected_cap(fte: float, settings: Settings) -> float:
    """An NQSW's cap in the protected year: ``nqsw_cap_ratio`` of the normal cap.

    18 x 0.6 x 0.9 = 9.72 for a 0.6 FTE NQSW.
    """
    return round(settings.caseload_cap_per_fte * fte * settings.nqsw_cap_ratio, _CAP_DECIMALS)


def next_progress_review(
    asye_start: date | None, today: date, settings: Settings
) -> tuple[int, date] | None:
    """The next progress review not yet passed, as (month, due date); None when all have passed.

    A review due today has not passed yet.
    """
    if asye_start is None:
        return None
    for month in sorted(settings.nqsw_review_months):
        due = months_after(asye_start, month)
        if due >= today:
            return month, due
    return None


def nqsw_supervision_interval_days(asye_start: date, today: date, settings: Settings) -> int:
    """Days allowed between reflective supervisions for an NQSW on ``today``.

    Weekly (7) in the first ``nqsw_weekly_supervision_weeks`` weeks, fortnightly (14) until the
    end of month ``nqsw_fortnightly_supervision_until_month``, monthly (28) after; never more than
    ``supervision_interval_days``, the interval for qualified staff.
    """
    weekly_until = asye_start + timedelta(weeks=settings.nqsw_weekly_supervision_weeks)
    fortnightly_until = months_after(asye_start, settings.nqsw_fortnightly_supervision_until_month)
    if today < weekly_until:
        interval = 7
    elif today < fortnightly_until:
        interval = 14
    else:
        interval = 28
    return min(interval, settings.supervision_interval_days)


def supervision_frequency_label(interval_days: int) -> str:
    """"weekly", "fortnightly", "monthly", or "every N days" for any other interval."""
    if interval_days == 7:
        return "weekly"
    if interval_days == 14:
        return "fortnightly"
    if 28 <= interval_days <= 31:
        return "monthly"
    return f"every {interval_days} days"


def nqsw_supervision_label(asye_start: date, today: date, settings: Settings) -> str:
    """The NQSW supervision frequency due on ``today``, in words ("weekly", "fortnightly", ...)."""
    return supervision_frequency_label(nqsw_supervision_interval_days(asye_start, today, settings))


__all__ = [
    "asye_month", "in_protected_year", "next_progress_review", "normal_cap",
    "nqsw_supervision_interval_days", "nqsw_supervision_label", "protected_cap",
    "protection_end", "supervision_frequency_label",
]
