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

Early career programmes (SPEC section 4). The ASYE is one programme; the DfE's two-year Early
Career Development Programme (ECDP) replaces it from September 2027. Both run on the same
calendar rules above (start, end date, month N); what differs is each programme's numbers, all
settings: length and longest extension, the protected cap as a share of the normal cap *for
each programme year*, whether a CP case may be led in that year, development time and review
months. A worker's programme is ``early_career_programme`` ("asye" or "ecdp"); blank means ECDP
when the start is on or after ``ecdp_from`` (1 September 2027), else ASYE, so every record
written before the ECDP existed keeps its ASYE answers. Year Y of a programme is months
12(Y-1)+1 to 12Y; past the last year (an extension) the last year's numbers hold.

"Today" is always passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from config import Settings


@lru_cache(maxsize=65536)
def months_after(start: date, months: int) -> date:
    """dateutil's month arithmetic, cached: digests ask it for every NQSW in a council."""
    return start + relativedelta(months=months)


ASYE = "asye"
ECDP = "ecdp"
PROGRAMMES = (ASYE, ECDP)


@dataclass(frozen=True)
class Programme:
    """One early career programme's numbers, read from the settings (never hard-coded)."""

    code: str  # "asye" or "ecdp"
    months: int  # the programme's length
    max_months: int  # never protected past this, however long the extension
    cap_ratio_by_year: tuple[float, ...]  # protected cap / normal cap, for year 1, 2, ...
    cp_lead_allowed_by_year: tuple[bool, ...]
    development_time_ratio: float
    review_months: tuple[int, ...]

    @property
    def label(self) -> str:
        return self.code.upper()

    def year_of(self, month: int) -> int:
        """Programme year of month N (1-based): months 1-12 are year 1, 13-24 year 2."""
        return max(1, (month - 1) // 12 + 1)

    def cap_ratio(self, year: int) -> float:
        return _by_year(self.cap_ratio_by_year, year, 1.0)

    def cp_lead_allowed(self, year: int) -> bool:
        return _by_year(self.cp_lead_allowed_by_year, year, False)


def _by_year(values: tuple, year: int, default):  # type: ignore[no-untyped-def, type-arg]
    """The value for a programme year; past the list (an extension), the last year's."""
    if not values:
        return default
    return values[min(year, len(values)) - 1]


def programme_of(code: str | None, asye_start: date | None, settings: Settings) -> Programme:
    """The worker's programme: the recorded one, or by start date when blank (module docstring)."""
    chosen = (code or "").strip().lower()
    if chosen not in PROGRAMMES:
        chosen = ECDP if asye_start is not None and asye_start >= settings.ecdp_from else ASYE
    if chosen == ECDP:
        return Programme(
            code=ECDP, months=settings.ecdp_months, max_months=settings.ecdp_max_months,
            cap_ratio_by_year=tuple(pct / 100 for pct in settings.ecdp_cap_pct_by_year),
            cp_lead_allowed_by_year=settings.ecdp_cp_lead_allowed_by_year,
            development_time_ratio=settings.ecdp_development_time_ratio,
            review_months=settings.ecdp_review_months,
        )
    return Programme(
        code=ASYE, months=settings.nqsw_protected_months, max_months=settings.nqsw_max_months,
        cap_ratio_by_year=(settings.nqsw_cap_ratio,),
        cp_lead_allowed_by_year=(settings.nqsw_cp_lead_allowed,),
        development_time_ratio=settings.nqsw_development_time_ratio,
        review_months=settings.nqsw_review_months,
    )


def protection_end(asye_start: date, asye_end: date | None, settings: Settings,
                   programme: str | None = None) -> date:
    """The first day the worker is no longer protected (see the module docstring)."""
    return _protection_end(asye_start, asye_end, programme_of(programme, asye_start, settings))


def _protection_end(asye_start: date, asye_end: date | None, rules: Programme) -> date:
    latest = months_after(asye_start, rules.max_months)
    if asye_end is None:
        end = months_after(asye_start, rules.months)
    else:
        end = asye_end
    return max(asye_start, min(end, latest))


def in_protected_year(
    asye_start: date | None, asye_end: date | None, today: date, settings: Settings,
    programme: str | None = None,
) -> bool:
    """True from the programme's start day to the day before its protection end date."""
    if asye_start is None:
        return False
    return asye_start <= today < protection_end(asye_start, asye_end, settings, programme)


def lowest_cap_ratio(settings: Settings) -> float:
    """The smallest share of the normal cap any programme year protects a worker to (1.0 if
    none is smaller): nobody's cap is lower than this share of their normal cap."""
    shares = (settings.nqsw_cap_ratio, *(pct / 100 for pct in settings.ecdp_cap_pct_by_year))
    return min(1.0, *shares)


def earliest_protected_start(today: date, settings: Settings) -> date:
    """A day on or before which nobody protected today can have started: the longest
    programme's ``max_months`` back, and a week more to spare. Lets a query pass over
    long-qualified staff in the store instead of checking each in Python."""
    longest = max(settings.nqsw_max_months, settings.ecdp_max_months)
    return today - relativedelta(months=longest) - timedelta(days=7)


@dataclass(frozen=True)
class EarlyCareer:
    """Where a worker is in their programme today: the one answer every rule reads."""

    programme: Programme
    month: int
    year: int
    end: date  # the first day no longer protected

    @property
    def cap_ratio(self) -> float:
        return self.programme.cap_ratio(self.year)

    @property
    def cp_lead_allowed(self) -> bool:
        return self.programme.cp_lead_allowed(self.year)

    @property
    def label(self) -> str:
        """"ASYE" for the one-year programme, "ECDP year 2" once a programme has years."""
        if self.programme.months <= 12:
            return self.programme.label
        return f"{self.programme.label} year {self.year}"

    @property
    def month_text(self) -> str:
        """"month 4 of 12" (ASYE), "ECDP year 2, month 14 of 24" (ECDP)."""
        text = f"month {self.month} of {self.programme.months}"
        return text if self.programme.months <= 12 else f"{self.label}, {text}"


def early_career_on(
    asye_start: date | None, asye_end: date | None, programme: str | None, today: date,
    settings: Settings,
) -> EarlyCareer | None:
    """The worker's programme, month and year today; None when not in a protected period.

    (``in_protected_year``'s test, with the programme read once: a digest asks for every NQSW
    in the country.)"""
    if asye_start is None or today < asye_start:
        return None
    rules = programme_of(programme, asye_start, settings)
    end = _protection_end(asye_start, asye_end, rules)
    if today >= end:
        return None
    month = asye_month(asye_start, today)
    return EarlyCareer(rules, month, rules.year_of(month), end)


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


def protected_cap(fte: float, settings: Settings, ratio: float | None = None) -> float:
    """An early career worker's cap: ``ratio`` of the normal cap (the ASYE's
    ``nqsw_cap_ratio`` when not given; an ECDP year's share otherwise).

    18 x 0.6 x 0.9 = 9.72 for a 0.6 FTE NQSW.
    """
    share = settings.nqsw_cap_ratio if ratio is None else ratio
    return round(settings.caseload_cap_per_fte * fte * share, _CAP_DECIMALS)


def next_progress_review(
    asye_start: date | None, today: date, settings: Settings, programme: str | None = None
) -> tuple[int, date] | None:
    """The next progress review not yet passed, as (month, due date); None when all have passed.

    A review due today has not passed yet. The review months are the programme's.
    """
    if asye_start is None:
        return None
    for month in sorted(programme_of(programme, asye_start, settings).review_months):
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
    "ASYE", "ECDP", "EarlyCareer", "Programme", "earliest_protected_start", "early_career_on",
    "programme_of",
    "asye_month", "in_protected_year", "lowest_cap_ratio", "next_progress_review",
    "normal_cap",
    "nqsw_supervision_interval_days", "nqsw_supervision_label", "protected_cap",
    "protection_end", "supervision_frequency_label",
]
