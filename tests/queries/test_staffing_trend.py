"""The staffing figures set-based (issue #11): a 12-week trend, and every service at once, give
exactly what staffing_figures gives one date and one scope at a time.

The council has a past (a leaver whose case was reallocated after a gap, a case that waited for
a worker, a reallocation in the last week, a closed case, a starter, an agency starter), so the
weekly points differ, the history decides the past weeks, and today is read from the case table
(the last allocation change is before today). Runs on SQLite and, with TEST_DATABASE_URL,
PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from config import Settings
from queries.staffing import (
    staffing_by_service,
    staffing_figures,
    staffing_total_and_teams,
    staffing_trend,
    week_ends,
)
from tests.builders import Builder, Council, small_council

TODAY = date(2026, 11, 30)  # a Monday; the trend's points are 14 September … 30 November
LAST_REALLOCATION = date(2026, 11, 27)


def council_with_a_past(session: Session) -> Council:
    council = small_council(session, TODAY)
    build = Builder(session, TODAY)
    north, south = council.teams["north"], council.teams["south"]
    leaver = build.staff("SW5", "Lee Leaver", team=north, manager=council["TM1"], fte=0.8,
                         start_date=date(2021, 4, 1), end_date=date(2026, 10, 20))
    starter = build.staff("SW9", "Sal Starter", team=north, manager=council["TM1"],
                          start_date=date(2026, 10, 19))
    build.staff("AG1", "Ava Agency", team=south, manager=council["TM2"], agency=True,
                start_date=date(2026, 10, 12), agency_reference=False)
    # The leaver's case: unallocated from the day after they left until reallocated to SW2.
    moved = build.case("N-MOVED", "CIN", north, council["SW2"], start_date=date(2026, 8, 3))
    build.allocation(moved, leaver, date(2026, 8, 3), date(2026, 10, 26))
    build.allocation(moved, council["SW2"], date(2026, 10, 26))
    # Waited for a worker until 9 November.
    waited = build.case("S-WAITED", "CP", south, council["SW3"], start_date=date(2026, 10, 1))
    build.allocation(waited, council["SW3"], date(2026, 11, 9))
    # Moved from SW1 to the NQSW three days ago: the history's last change.
    late = build.case("N-LATE", "CIN", north, council["NQ1"], start_date=date(2026, 6, 1))
    build.allocation(late, council["SW1"], date(2026, 6, 1), LAST_REALLOCATION)
    build.allocation(late, council["NQ1"], LAST_REALLOCATION)
    # Closed on 5 October.
    closed = build.case("N-CLOSED", "CIN", north, council["SW1"], start_date=date(2026, 7, 1),
                        end_date=date(2026, 10, 5))
    build.allocation(closed, council["SW1"], date(2026, 7, 1), date(2026, 10, 5))
    for number in range(3):
        held = build.case(f"N-NEW-{number}", "CIN", north, starter,
                          start_date=date(2026, 10, 19))
        build.allocation(held, starter, date(2026, 10, 19))
    session.commit()
    council.staff.update({"SW5": leaver, "SW9": starter})
    return council


@pytest.fixture
def council(engine) -> Council:
    with Session(engine, expire_on_commit=False) as session:
        return council_with_a_past(session)


SCOPES = {
    "a service": lambda council: {"service_id": council.teams["north"].service_id},
    "a manager's teams": lambda council: {"team_ids": frozenset({council.teams["north"].id})},
    "every service": lambda council: {},
}


@pytest.mark.parametrize("scope", sorted(SCOPES))
def test_each_weekly_point_is_the_figures_at_that_date(engine, council, scope) -> None:
    settings = Settings()
    arguments = SCOPES[scope](council)
    with Session(engine) as session:
        trend = staffing_trend(session, as_of=TODAY, settings=settings, **arguments)
        one_at_a_time = [staffing_figures(session, as_of=day, settings=settings, **arguments)
                         for day in week_ends(TODAY)]
    assert [point.as_of for point in trend] == week_ends(TODAY)
    assert trend == one_at_a_time
    # The points differ: the trend is not one day repeated.
    assert len({(point.headcount, point.unallocated_cases, point.open_cases)
                for point in trend}) > 3


def test_past_weeks_follow_the_allocation_history(engine, council) -> None:
    settings = Settings()
    north, south = council.teams["north"].id, council.teams["south"].id

    def unallocated(team: int, day: date) -> tuple[int, tuple[str, int] | None]:
        with Session(engine) as session:
            figures = staffing_figures(session, as_of=day, settings=settings, team_id=team)
        return figures.unallocated_cases, figures.oldest_unallocated

    # 22 October: the leaver has gone and their case waits (beside N-UNALLOC, from 1 September).
    assert unallocated(north, date(2026, 10, 22)) == (2, ("N-MOVED", 80))
    assert unallocated(north, date(2026, 11, 2)) == (1, ("N-UNALLOC", 62))
    assert unallocated(south, date(2026, 10, 19)) == (1, ("S-WAITED", 18))
    assert unallocated(south, date(2026, 11, 9)) == (0, None)


def test_today_from_the_case_table_is_the_trend_from_the_history(engine, council) -> None:
    """Today, after the last allocation change, the leads are read from the case table; the
    trend, whose earlier weeks need the history, reads today from the history too."""
    settings = Settings()
    with Session(engine) as session:
        today = staffing_figures(session, as_of=TODAY, settings=settings)
        from_history = staffing_trend(session, as_of=TODAY, settings=settings)[-1]
        before_the_change = staffing_figures(session, as_of=LAST_REALLOCATION - date.resolution,
                                             settings=settings, team_id=council.teams["north"].id)
    assert today == from_history
    # The day before the last reallocation SW1 still held N-LATE: 20 open cases, over the cap.
    assert ("SW1", "Sam Worker", 20, 18.0) in before_the_change.workers_over_cap


def test_every_service_at_once_is_each_service_on_its_own(engine, council) -> None:
    settings = Settings()
    with Session(engine) as session:
        at_once = staffing_by_service(session, as_of=TODAY, settings=settings)
        one_by_one = {
            service_id: staffing_total_and_teams(session, as_of=TODAY, settings=settings,
                                                 service_id=service_id)
            for service_id in at_once
        }
    assert len(at_once) == 2
    assert at_once == one_by_one
