"""SPEC section 8: SQL statements per command stay small and do not grow with the data (no N+1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from config import Settings
from models import Case, Staff, Supervision
from queries.access import Identity
from queries.answer import ask
from tests.database import statements_sent
from tests.builders import COUNCIL_DAY as TODAY

COMMANDS = [
    ("TM1", "/caseload"),
    ("TM1", "/caseload @SW1"),
    ("TM1", "/caseload team Assessment North"),
    ("TM1", "/caseload unallocated"),
    ("TM1", "/caseload overdue"),
    ("TM1", "/caseload capacity cp"),
    ("TM1", "/protected team"),
    ("NQ1", "/protected"),
    ("TM1", "/protected @NQ1"),
    ("TM1", "/actions overdue"),
    ("HS1", "/actions"),
    ("TM1", "/supervision"),
    ("SW1", "/caseload"),
]
CHANGES = [
    ("TM1", "/supervision log SW1 2026-11-20"),
    ("TM1", "/actions update 1.1 chased the audit team"),
]


counting = statements_sent


def statements_per_command(engine, commands=COMMANDS) -> dict[str, int]:
    counts = {}
    for who, text in commands:
        with counting(engine) as statements:
            ask(engine, Identity("cli", staff_id=who), text, today=TODAY, settings=Settings())
        counts[f"{who} {text}"] = len(statements)
    return counts


def grow_the_team(engine, council, workers: int = 25, cases_each: int = 12) -> None:
    """More workers, cases and supervisions in the same team: the work grows, not the queries."""
    with Session(engine) as session:
        north = council["north"]
        for number in range(workers):
            staff = Staff(staff_id=f"SWX{number}", name=f"Extra Worker {number}",
                          email=f"extra{number}@council.gov.uk", role="social_worker",
                          team_id=north.id, service_id=north.service_id,
                          manager_id=council["tm1"].id, start_date=date(2022, 1, 3))
            session.add(staff)
            session.flush()
            session.add(Supervision(staff_id=staff.id, date=TODAY - timedelta(days=9)))
            for case in range(cases_each):
                session.add(Case(case_ref=f"CR-X{number}-{case}", case_type="CIN",
                                 team_id=north.id, start_date=date(2026, 1, 5),
                                 allocated_worker_id=staff.id,
                                 last_visit=TODAY - timedelta(days=case)))
        session.commit()


def test_every_command_uses_at_most_five_statements(engine, council) -> None:
    counts = statements_per_command(engine, COMMANDS + CHANGES)
    assert max(counts.values()) <= 5, counts


def test_statements_per_command_do_not_grow_with_the_data(engine, council) -> None:
    before = statements_per_command(engine)
    grow_the_team(engine, council)
    assert statements_per_command(engine) == before


@pytest.mark.parametrize("who", ["TM1", "HS1", "AD1", "SW1"])
def test_finding_the_asker_and_their_teams_is_one_statement(engine, council, who) -> None:
    from queries.access import resolve_asker

    with Session(engine) as session, counting(engine) as statements:
        asker = resolve_asker(session, Identity("cli", staff_id=who), TODAY)
    assert asker is not None and len(statements) == 1


#: /staffing as each of its scopes: a head of service, a team manager, an admin (every service).
STAFFING = [("HS1", "/staffing"), ("TM1", "/staffing"), ("AD1", "/staffing")]
#: The asker and the audit entry, then the figures for all twelve weekly points of the trend.
STAFFING_STATEMENTS = 2 + 8


def test_staffing_with_its_trend_costs_a_few_statements_for_all_twelve_weeks(
    engine, council
) -> None:
    counts = statements_per_command(engine, STAFFING)
    assert set(counts.values()) == {STAFFING_STATEMENTS}, counts


def test_staffing_statements_do_not_grow_with_the_data(engine, council) -> None:
    before = statements_per_command(engine, STAFFING)
    grow_the_team(engine, council)
    assert statements_per_command(engine, STAFFING) == before
