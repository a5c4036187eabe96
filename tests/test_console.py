"""Issue #14: the demo console — `as` checks the staff list, `quit` says goodbye, `more` pages a
long answer, and the console's own errors have the shape every error has: what was wrong, then
"Try: …"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from config import Settings
from demo.console import run_console
from tests.builders import Builder, small_council

TODAY = date(2026, 3, 2)


@pytest.fixture
def council(engine):
    with Session(engine, expire_on_commit=False) as session:
        people = small_council(session, TODAY)
        build = Builder(session, TODAY)
        for number in range(50):
            build.staff(f"XW{number:03d}", f"Extra Worker{number:03d}",
                        team=people.teams["north"], start_date=TODAY - timedelta(days=400))
        session.commit()
        return people


def console(engine, *typed: str, start_as: str | None = "TM1") -> str:
    lines = iter(typed)
    shown: list[str] = []
    run_console(engine, TODAY, Settings(), start_as=start_as, read=lambda _prompt: next(lines),
                write=shown.append)
    return "\n".join(shown)


def test_as_someone_not_on_the_staff_list_is_refused(engine, council) -> None:
    screen = console(engine, "as SOMEONE", "/caseload", "quit")
    assert "There is no staff member 'SOMEONE'.\nTry: users" in screen
    assert "You are now SOMEONE" not in screen
    assert "Caseload — Assessment North" in screen  # still Tara


def test_as_a_real_staff_member_switches(engine, council) -> None:
    screen = console(engine, "as sw1", "/caseload", "quit")
    assert "You are now SW1." in screen and "Your caseload" in screen


def test_quit_says_goodbye(engine, council) -> None:
    assert console(engine, "quit").rstrip().endswith("Goodbye.")


def test_a_start_as_nobody_is_refused_and_a_user_picked(engine, council) -> None:
    screen = console(engine, "NOBODY", "SW1", "quit", start_as="GHOST")
    assert "There is no staff member 'GHOST'." in screen
    assert "There is no staff member 'NOBODY'." in screen
    assert "You are SW1." in screen


def test_more_shows_the_next_page_of_a_long_table(engine, council) -> None:
    screen = console(engine, "/caseload", "more", "more", "quit")
    assert "Type more for the next" in screen
    assert "Showing 41–" in screen
    assert screen.count("Extra Worker049") == 1  # every worker shown once across the pages
    assert screen.count("Extra Worker000") == 1
    assert "There is nothing more to show.\nTry:" in screen


def test_console_errors_say_what_was_wrong_then_try(engine, council) -> None:
    screen = console(engine, "caseloda", "as", "quit")
    assert "Did you mean /caseload?\nTry: /caseload" in screen
    assert "Say who to switch to.\nTry: as SW0005" in screen
