"""The small council with a past: a leaver, a late agency starter, a reallocated case and a
case that waited for a worker, so a month end differs from today (built with tests.builders)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from tests.builders import Builder, Council, small_council

TODAY = date(2026, 12, 1)
OCTOBER_END = date(2026, 10, 31)
NOVEMBER_END = date(2026, 11, 30)


def council_with_history(session: Session) -> Council:
    council = small_council(session, TODAY)
    build = Builder(session, TODAY)
    north, south = council.teams["north"], council.teams["south"]
    leaver = build.staff("SW5", "Lee Leaver", team=north, manager=council["TM1"],
                         end_date=date(2026, 11, 15), fte=0.8)
    build.staff("AG1", "Ava Agency", team=south, manager=council["TM2"], agency=True,
                start_date=date(2026, 11, 10))
    # Held by the leaver until they left, then by SW2 (the case table shows SW2 now).
    moved = build.case("N-MOVED", "CIN", north, council["SW2"], start_date=date(2026, 9, 1))
    build.allocation(moved, leaver, date(2026, 9, 1), date(2026, 11, 15))
    build.allocation(moved, council["SW2"], date(2026, 11, 15))
    # Waited for a worker until 20 November.
    waited = build.case("S-WAITED", "CP", south, council["SW3"], start_date=date(2026, 10, 1))
    build.allocation(waited, council["SW3"], date(2026, 11, 20))
    session.commit()
    council.staff.update({"SW5": leaver})
    return council
