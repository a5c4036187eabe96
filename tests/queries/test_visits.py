"""Statutory visits (SPEC section 4): CP and CIN in working days, LAC by regulation 28."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from queries.visits import review_days_overdue, visit_days_overdue, visit_due


def test_cp_visit_due_across_christmas_and_boxing_day(settings) -> None:
    # Visited Monday 15 December 2025; 10 working days: 16-19 (4), 22-24 (7), then 25 and 26
    # are bank holidays and 27-28 a weekend, 29-31 (10). Without the holidays: 29 December.
    due = visit_due("CP", date(2025, 12, 15), date(2025, 6, 2), None, False, settings)
    assert due == date(2025, 12, 31)


def test_cp_visit_due_across_the_easter_bank_holidays(settings) -> None:
    # Visited Monday 30 March 2026: 31 March, 1, 2 April (3); Good Friday 3 and Easter Monday 6
    # April are skipped; 7-10 (7), 13-15 (10).
    due = visit_due("CP", date(2026, 3, 30), date(2025, 6, 2), None, False, settings)
    assert due == date(2026, 4, 15)


def test_cp_visit_due_across_a_weekend(settings) -> None:
    # 10 working days from a Wednesday with no holidays: two weeks on, the Wednesday.
    assert visit_due("CP", date(2026, 1, 14), date(2025, 6, 2), None, False, settings) == date(
        2026, 1, 28
    )
    # One working day from a Friday is the Monday, never the Saturday.
    one_day = replace(settings, cp_visit_working_days=1)
    assert visit_due("CP", date(2026, 1, 9), date(2025, 6, 2), None, False, one_day) == date(
        2026, 1, 12
    )


def test_cp_never_visited_counts_from_the_case_start(settings) -> None:
    assert visit_due("CP", None, date(2026, 1, 5), None, False, settings) == date(2026, 1, 19)


def test_a_visit_before_the_case_started_does_not_count(settings) -> None:
    assert visit_due("CP", date(2025, 12, 1), date(2026, 1, 5), None, False, settings) == date(
        2026, 1, 19
    )


def test_cin_visit_due_every_20_working_days(settings) -> None:
    assert visit_due("CIN", date(2026, 1, 5), date(2025, 9, 1), None, False, settings) == date(
        2026, 2, 2
    )


def test_cp_visit_frequency_is_a_setting(settings) -> None:
    four_weeks = replace(settings, cp_visit_working_days=20)
    assert visit_due("CP", date(2026, 1, 5), date(2025, 9, 1), None, False, four_weeks) == date(
        2026, 2, 2
    )


def test_lac_first_visit_within_a_week_of_the_placement_starting(settings) -> None:
    placed = date(2026, 2, 10)
    assert visit_due("LAC", None, date(2025, 5, 1), placed, False, settings) == date(2026, 2, 17)
    # A visit in an earlier placement does not count for the new one.
    assert visit_due("LAC", date(2026, 2, 1), date(2025, 5, 1), placed, False, settings) == date(
        2026, 2, 17
    )


def test_lac_first_visit_counts_from_the_case_start_without_a_placement_date(settings) -> None:
    assert visit_due("LAC", None, date(2026, 2, 10), None, False, settings) == date(2026, 2, 17)


def test_lac_visits_six_weekly_in_the_first_year(settings) -> None:
    placed = date(2025, 9, 1)
    assert visit_due("LAC", date(2025, 9, 5), date(2025, 9, 1), placed, True, settings) == date(
        2025, 10, 17
    )
    # A visit in the first year's last week: the next is due within 6 weeks, in the second year.
    assert visit_due("LAC", date(2026, 8, 28), date(2025, 9, 1), placed, True, settings) == date(
        2026, 10, 9
    )


def test_lac_visits_three_monthly_in_a_long_term_placement_after_a_year(settings) -> None:
    placed = date(2025, 9, 1)
    assert visit_due("LAC", date(2026, 9, 1), date(2025, 9, 1), placed, True, settings) == date(
        2026, 12, 1
    )


def test_lac_visits_stay_six_weekly_after_a_year_when_not_long_term(settings) -> None:
    placed = date(2025, 9, 1)
    assert visit_due("LAC", date(2026, 9, 1), date(2025, 9, 1), placed, False, settings) == date(
        2026, 10, 13
    )


def test_no_statutory_visit_rule_for_care_leavers_early_help_and_other(settings) -> None:
    for case_type in ("CL", "EH", "OTHER"):
        assert visit_due(case_type, None, date(2026, 1, 5), None, False, settings) is None


def test_case_types_are_read_in_any_case(settings) -> None:
    assert visit_due("cp", None, date(2026, 1, 5), None, False, settings) == date(2026, 1, 19)


def test_a_visit_is_overdue_by_calendar_days_after_the_due_date() -> None:
    due = date(2026, 1, 28)
    assert visit_days_overdue(due, date(2026, 1, 27)) == 0
    assert visit_days_overdue(due, due) == 0
    assert visit_days_overdue(due, date(2026, 2, 2)) == 5
    assert visit_days_overdue(None, date(2026, 2, 2)) == 0


def test_a_plan_review_is_overdue_when_past_its_due_date() -> None:
    assert review_days_overdue(date(2026, 3, 1), date(2026, 3, 1)) == 0
    assert review_days_overdue(date(2026, 3, 1), date(2026, 3, 4)) == 3
    assert review_days_overdue(None, date(2026, 3, 4)) == 0
