"""The DfE quarterly agency return's next due day (AGENCY_RETURN_DATES), at each boundary."""

from __future__ import annotations

from datetime import date

import pytest

from config import Settings, settings_from
from queries.agency_return import AgencyReturnDue, next_agency_return
from render.text import agency_return_text


@pytest.mark.parametrize(("today", "due", "days_left"), [
    (date(2026, 12, 1), date(2027, 1, 31), 61),   # the next year's first return
    (date(2027, 1, 31), date(2027, 1, 31), 0),    # due today is still due
    (date(2027, 2, 1), date(2027, 4, 30), 88),    # the day after: the next quarter's
    (date(2026, 10, 31), date(2026, 10, 31), 0),  # the year's last return
    (date(2026, 11, 1), date(2027, 1, 31), 91),   # ...and the day after it
])
def test_the_next_return_is_the_first_date_on_or_after_today(today, due, days_left) -> None:
    found = next_agency_return(today, Settings())
    assert found is not None and (found.due, found.days_left) == (due, days_left)


def test_a_return_is_due_soon_within_the_remind_days_and_not_a_day_before() -> None:
    settings = Settings()  # AGENCY_RETURN_REMIND_DAYS 14
    assert next_agency_return(date(2027, 1, 17), settings).soon  # 14 days left
    assert not next_agency_return(date(2027, 1, 16), settings).soon  # 15 days left


def test_the_dates_and_the_reminder_window_are_settings() -> None:
    settings = settings_from({"AGENCY_RETURN_DATES": "03-15, 06-15,09-15,12-15",
                              "AGENCY_RETURN_REMIND_DAYS": "30"})
    assert next_agency_return(date(2026, 12, 1), settings) == AgencyReturnDue(
        date(2026, 12, 15), 14, True)
    assert next_agency_return(date(2026, 12, 16), settings).due == date(2027, 3, 15)


def test_29_february_falls_on_the_28th_outside_leap_years() -> None:
    settings = settings_from({"AGENCY_RETURN_DATES": "02-29"})
    assert next_agency_return(date(2027, 2, 1), settings).due == date(2027, 2, 28)
    assert next_agency_return(date(2028, 2, 1), settings).due == date(2028, 2, 29)


def test_no_dates_means_no_reminder() -> None:
    settings = Settings(agency_return_dates=())
    assert next_agency_return(date(2026, 12, 1), settings) is None
    assert agency_return_text(None) == ""


@pytest.mark.parametrize("bad", ["31-01", "1/31", "02-30", "Jan"])
def test_a_mistyped_date_stops_the_settings_naming_the_entry(bad) -> None:
    with pytest.raises(ValueError, match=f"AGENCY_RETURN_DATES entry '{bad}' is not a day"):
        settings_from({"AGENCY_RETURN_DATES": bad})


def test_the_reminder_reads_the_same_everywhere() -> None:
    due = next_agency_return(date(2027, 1, 20), Settings())
    assert agency_return_text(due) == (
        "DfE quarterly agency return due Sun 31 Jan 2027 (in 11 days) — due soon")
    assert agency_return_text(next_agency_return(date(2027, 1, 31), Settings())) == (
        "DfE quarterly agency return due Sun 31 Jan 2027 (today) — due soon")
