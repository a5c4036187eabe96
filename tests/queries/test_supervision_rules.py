"""Supervision frequency (SPEC section 4): every 28 days for qualified staff, more often for an
NQSW in the protected year."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from queries.supervision_rules import (
    next_supervision_due,
    supervision_days_overdue,
    supervision_interval_days,
)

ASYE_START = date(2025, 9, 1)


def test_qualified_staff_are_supervised_every_28_days(settings) -> None:
    assert supervision_interval_days(None, None, date(2026, 1, 5), settings) == 28


def test_the_supervision_interval_is_a_setting(settings) -> None:
    monthly = replace(settings, supervision_interval_days=30)
    assert supervision_interval_days(None, None, date(2026, 1, 5), monthly) == 30


def test_an_nqsw_in_the_protected_year_has_the_nqsw_interval(settings) -> None:
    assert supervision_interval_days(ASYE_START, None, date(2025, 9, 10), settings) == 7
    assert supervision_interval_days(ASYE_START, None, date(2025, 11, 3), settings) == 14
    assert supervision_interval_days(ASYE_START, None, date(2026, 5, 1), settings) == 28


def test_an_nqsw_past_the_protected_year_is_supervised_as_qualified_staff(settings) -> None:
    every_three_weeks = replace(settings, supervision_interval_days=21)
    assert supervision_interval_days(ASYE_START, None, date(2026, 9, 1), every_three_weeks) == 21


def test_next_supervision_due_an_interval_after_the_last(settings) -> None:
    assert next_supervision_due(date(2026, 1, 5), 28, date(2020, 1, 6)) == date(2026, 2, 2)


def test_never_supervised_due_an_interval_after_starting() -> None:
    assert next_supervision_due(None, 28, date(2026, 1, 5)) == date(2026, 2, 2)
    assert next_supervision_due(None, 7, ASYE_START) == date(2025, 9, 8)
    # A supervision from before this start date (an earlier spell) does not count.
    assert next_supervision_due(date(2025, 12, 1), 28, date(2026, 1, 5)) == date(2026, 2, 2)


def test_supervision_overdue_by_calendar_days_after_the_due_date() -> None:
    assert supervision_days_overdue(date(2026, 2, 2), date(2026, 2, 2)) == 0
    assert supervision_days_overdue(date(2026, 2, 2), date(2026, 1, 20)) == 0
    assert supervision_days_overdue(date(2026, 2, 2), date(2026, 2, 12)) == 10
