"""Working days: weekends and England and Wales bank holidays are not working days."""

from __future__ import annotations

from datetime import date, timedelta

from queries.calendar import add_working_days, is_working_day, working_days_between


def test_christmas_and_boxing_day_are_not_working_days() -> None:
    assert not is_working_day(date(2025, 12, 25))  # Thursday
    assert not is_working_day(date(2025, 12, 26))  # Friday
    assert is_working_day(date(2025, 12, 24))


def test_easter_bank_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert is_working_day(date(2026, 4, 2))


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 1, 10))  # Saturday
    assert not is_working_day(date(2026, 1, 11))  # Sunday
    assert is_working_day(date(2026, 1, 12))


def test_substitute_days_are_not_working_days() -> None:
    # Christmas 2027 is a Saturday and Boxing Day a Sunday: Monday 27 and Tuesday 28 are off.
    assert not is_working_day(date(2027, 12, 27))
    assert not is_working_day(date(2027, 12, 28))
    assert is_working_day(date(2027, 12, 29))


def test_only_england_and_wales_bank_holidays_count() -> None:
    assert is_working_day(date(2026, 1, 2))  # a bank holiday in Scotland only
    assert is_working_day(date(2026, 3, 17))  # St Patrick's Day, Northern Ireland only
    assert is_working_day(date(2026, 8, 3))  # Scotland's summer bank holiday
    assert not is_working_day(date(2026, 8, 31))  # England and Wales late summer bank holiday


def test_working_days_are_counted_after_the_start_day() -> None:
    assert add_working_days(date(2026, 1, 12), 0) == date(2026, 1, 12)
    assert add_working_days(date(2026, 1, 12), 1) == date(2026, 1, 13)
    assert working_days_between(date(2026, 1, 12), date(2026, 1, 12)) == 0
    assert working_days_between(date(2026, 1, 12), date(2026, 1, 13)) == 1


def test_adding_working_days_steps_over_a_weekend() -> None:
    assert add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 12)  # Friday -> Monday
    assert add_working_days(date(2026, 1, 10), 1) == date(2026, 1, 12)  # Saturday -> Monday
    assert add_working_days(date(2026, 1, 12), -1) == date(2026, 1, 9)  # Monday <- Friday


def test_adding_working_days_steps_over_christmas_and_new_year() -> None:
    # Wednesday 24 December 2025: 25, 26 (bank holidays), 27, 28 (weekend) are skipped,
    # then 29, 30, 31; 1 January is a bank holiday; 2 January is the 4th working day.
    assert add_working_days(date(2025, 12, 24), 4) == date(2026, 1, 2)


def test_working_days_between_undoes_adding_them() -> None:
    start = date(2025, 11, 3)
    for offset in range(0, 400, 7):
        day = start + timedelta(days=offset)
        for n in (1, 5, 10, 20, 63):
            assert working_days_between(day, add_working_days(day, n)) == n


def test_working_days_between_agrees_with_counting_day_by_day() -> None:
    a = date(2025, 12, 1)
    for length in range(0, 200):
        b = a + timedelta(days=length)
        by_hand = sum(is_working_day(a + timedelta(days=i)) for i in range(1, length + 1))
        assert working_days_between(a, b) == by_hand
        assert working_days_between(b, a) == -by_hand
