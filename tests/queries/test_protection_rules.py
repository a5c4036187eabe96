"""The NQSW protected year (SPEC section 4): 12 months, extendable to 24, 90 % cap, reviews,
and weekly, fortnightly then monthly supervision."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from queries.protection_rules import (
    asye_month,
    in_protected_year,
    next_progress_review,
    normal_cap,
    nqsw_supervision_interval_days,
    nqsw_supervision_label,
    protected_cap,
    protection_end,
    supervision_frequency_label,
)

START = date(2025, 9, 1)  # a Monday


def test_month_12_last_protected_day_and_first_unprotected_day(settings) -> None:
    assert protection_end(START, None, settings) == date(2026, 9, 1)
    last_protected, anniversary = date(2026, 8, 31), date(2026, 9, 1)
    assert in_protected_year(START, None, last_protected, settings)
    assert asye_month(START, last_protected) == 12
    assert not in_protected_year(START, None, anniversary, settings)
    assert asye_month(START, anniversary) == 13


def test_protected_from_the_first_day_of_the_asye(settings) -> None:
    assert in_protected_year(START, None, START, settings)
    assert not in_protected_year(START, None, date(2025, 8, 31), settings)


def test_not_protected_without_an_asye_start(settings) -> None:
    assert not in_protected_year(None, None, START, settings)


def test_the_first_month_is_month_1() -> None:
    assert asye_month(START, START) == 1
    assert asye_month(START, date(2025, 9, 30)) == 1
    assert asye_month(START, date(2025, 10, 1)) == 2
    assert asye_month(START, date(2025, 8, 31)) == 0


def test_months_counted_from_the_31st_follow_short_months() -> None:
    # One month on from 31 January is 28 February: month 2 begins then.
    assert asye_month(date(2025, 1, 31), date(2025, 2, 27)) == 1
    assert asye_month(date(2025, 1, 31), date(2025, 2, 28)) == 2
    assert asye_month(date(2025, 1, 31), date(2025, 3, 30)) == 2
    assert asye_month(date(2025, 1, 31), date(2025, 3, 31)) == 3


def test_asye_end_extends_the_protected_year(settings) -> None:
    extended_to = date(2026, 12, 1)  # paused for three months
    assert protection_end(START, extended_to, settings) == extended_to
    assert in_protected_year(START, extended_to, date(2026, 11, 30), settings)
    assert not in_protected_year(START, extended_to, extended_to, settings)


def test_asye_end_never_extends_past_24_months(settings) -> None:
    assert protection_end(START, date(2028, 1, 1), settings) == date(2027, 9, 1)
    assert in_protected_year(START, date(2028, 1, 1), date(2027, 8, 31), settings)
    assert not in_protected_year(START, date(2028, 1, 1), date(2027, 9, 1), settings)


def test_the_protected_year_length_is_a_setting(settings) -> None:
    assert protection_end(START, None, replace(settings, nqsw_protected_months=18)) == date(
        2027, 3, 1
    )


def test_caps_for_a_0_6_fte_worker(settings) -> None:
    assert normal_cap(0.6, settings) == 10.8  # 18 x 0.6
    assert protected_cap(0.6, settings) == 9.72  # 18 x 0.6 x 0.9
    assert normal_cap(1.0, settings) == 18.0
    assert protected_cap(1.0, settings) == pytest.approx(16.2)


def test_progress_reviews_at_months_3_6_9_and_12_the_next_shown(settings) -> None:
    assert next_progress_review(START, date(2025, 9, 15), settings) == (3, date(2025, 12, 1))
    assert next_progress_review(START, date(2025, 12, 1), settings) == (3, date(2025, 12, 1))
    assert next_progress_review(START, date(2025, 12, 2), settings) == (6, date(2026, 3, 1))
    assert next_progress_review(START, date(2026, 6, 1), settings) == (9, date(2026, 6, 1))
    assert next_progress_review(START, date(2026, 8, 31), settings) == (12, date(2026, 9, 1))
    assert next_progress_review(START, date(2026, 9, 2), settings) is None
    assert next_progress_review(None, date(2026, 9, 2), settings) is None


def test_nqsw_supervision_weekly_for_6_weeks_then_fortnightly(settings) -> None:
    # Week 6 ends on day 41 (Sunday 12 October); day 42 (Monday 13 October) begins week 7.
    assert nqsw_supervision_interval_days(START, START, settings) == 7
    assert nqsw_supervision_interval_days(START, date(2025, 10, 12), settings) == 7
    assert nqsw_supervision_interval_days(START, date(2025, 10, 13), settings) == 14
    assert nqsw_supervision_label(START, date(2025, 10, 12), settings) == "weekly"
    assert nqsw_supervision_label(START, date(2025, 10, 13), settings) == "fortnightly"


def test_nqsw_supervision_fortnightly_to_month_6_then_monthly(settings) -> None:
    # Month 6 ends on 28 February 2026; month 7 begins on 1 March.
    assert asye_month(START, date(2026, 2, 28)) == 6
    assert nqsw_supervision_interval_days(START, date(2026, 2, 28), settings) == 14
    assert nqsw_supervision_interval_days(START, date(2026, 3, 1), settings) == 28
    assert nqsw_supervision_label(START, date(2026, 3, 1), settings) == "monthly"


def test_nqsw_supervision_never_less_often_than_qualified_staff(settings) -> None:
    every_three_weeks = replace(settings, supervision_interval_days=21)
    assert nqsw_supervision_interval_days(START, date(2026, 3, 1), every_three_weeks) == 21
    assert nqsw_supervision_interval_days(START, START, every_three_weeks) == 7


def test_supervision_frequency_labels() -> None:
    assert supervision_frequency_label(7) == "weekly"
    assert supervision_frequency_label(14) == "fortnightly"
    assert supervision_frequency_label(28) == "monthly"
    assert supervision_frequency_label(21) == "every 21 days"
