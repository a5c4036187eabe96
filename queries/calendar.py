"""Working days: Monday to Friday, less the England and Wales bank holidays.

The bank holidays come from the `holidays` package. England and Wales share one list (GOV.UK
publishes them together as "england-and-wales"); the package keeps them under the subdivision
``ENG`` (``WLS`` gives the identical list, checked for 2019-2030), including substitute days and
one-off holidays such as a state funeral.

Counting convention, used by every function here: a period of working days runs *after* its start
day. ``add_working_days(d, n)`` is the n-th working day after ``d`` (``d`` itself is not counted,
whether or not it is a working day), and ``working_days_between(a, b)`` counts the working days in
``(a, b]``, so ``working_days_between(d, add_working_days(d, n)) == n``.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from functools import lru_cache

import holidays

#: The `holidays` subdivision for England and Wales bank holidays.
ENGLAND_AND_WALES = "ENG"


@lru_cache(maxsize=64)
def bank_holidays(first_year: int, last_year: int) -> frozenset[date]:
    """England and Wales bank holidays from 1 January ``first_year`` to 31 December ``last_year``.

    Cached per year range: each range is built once per process.
    """
    years = range(first_year, last_year + 1)
    return frozenset(holidays.UK(subdiv=ENGLAND_AND_WALES, years=years))


@lru_cache(maxsize=64)
def _weekday_holidays(first_year: int, last_year: int) -> tuple[date, ...]:
    """The bank holidays of the range that fall Monday to Friday, sorted (for bisecting)."""
    return tuple(sorted(d for d in bank_holidays(first_year, last_year) if d.weekday() < 5))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year, day.year)


def _weekdays_up_to(day: date) -> int:
    """Monday-to-Friday days from 1 January year 1 (a Monday) to ``day`` inclusive."""
    ordinal = day.toordinal()
    return ordinal // 7 * 5 + min(ordinal % 7, 5)


def _weekday_holidays_in(after: date, up_to: date) -> int:
    """Weekday bank holidays in ``(after, up_to]``."""
    if up_to <= after:
        return 0
    dates = _weekday_holidays(after.year, up_to.year)
    return bisect_right(dates, up_to) - bisect_right(dates, after)


def _add_weekdays(start: date, count: int) -> date:
    """The ``count``-th Monday-to-Friday day after ``start`` (count >= 1); bank holidays ignored."""
    if start.weekday() >= 5:  # a weekend start counts on from the Friday before it
        start -= timedelta(days=start.weekday() - 4)
    weeks, rest = divmod(count, 5)
    day = start + timedelta(weeks=weeks)
    if rest:
        day += timedelta(days=rest + (2 if day.weekday() + rest >= 5 else 0))
    return day


@lru_cache(maxsize=16384)
def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start``; before it when n is negative, ``start`` when n is 0.

    Cached: a team's visit rules ask it for every open case on every answer, mostly for the same
    few hundred (last visit, interval) pairs; the answer depends on nothing else."""
    if n == 0:
        return start
    if n < 0:
        day, remaining = start, -n
        while remaining:
            day -= timedelta(days=1)
            if is_working_day(day):
                remaining -= 1
        return day
    # Jump by weekdays, then step on by the bank holidays the jump crossed, until none are crossed.
    day, remaining = start, n
    while remaining:
        landed = _add_weekdays(day, remaining)
        remaining = _weekday_holidays_in(day, landed)
        day = landed
    return day


def working_days_between(a: date, b: date) -> int:
    """Working days in ``(a, b]``; negative (the count in ``(b, a]``) when ``b`` is before ``a``."""
    if b < a:
        return -working_days_between(b, a)
    return _weekdays_up_to(b) - _weekdays_up_to(a) - _weekday_holidays_in(a, b)


__all__ = [
    "ENGLAND_AND_WALES", "add_working_days", "bank_holidays", "is_working_day",
    "working_days_between",
]
