"""SPEC section 4, reg 28 in full (Care Planning, Placement and Case Review (England) Regulations
2010): each placement_type branch across the Christmas 2026 bank holidays.

The child became looked after on Monday 14 December 2026. The first review (reg 33) is due 20
working days later: Thursday 14 January 2027, because Christmas Day, the Boxing Day substitute
(28 December) and New Year's Day are not working days (without them it would be 11 January).
A visit on 12 January is therefore still before the first review: weekly visits go on.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from config import Settings
from importers import import_rows
from models import Case
from queries.access import Identity
from queries.answer import ask
from queries.visits import first_review_due, visit_due
from tests.builders import CASES, IMPORT_DAY, Builder, load_council

LOOKED_AFTER = date(2026, 12, 14)
BEFORE_REVIEW = date(2027, 1, 12)  # after 11 January, before the real first review
AT_REVIEW = date(2027, 1, 14)


def due(last_visit, placement_type, placed=LOOKED_AFTER, long_term=False):
    return visit_due("LAC", last_visit, LOOKED_AFTER, placed, long_term, Settings(),
                     placement_type)


def test_the_first_review_is_20_working_days_after_becoming_looked_after() -> None:
    assert first_review_due(LOOKED_AFTER, Settings()) == AT_REVIEW


@pytest.mark.parametrize(("placement_type", "after_review"), [
    ("parent_interim_care_order", date(2027, 2, 11)),  # reg 28(4): then every 4 weeks
    ("connected_person", date(2027, 2, 11)),  # reg 28(4), reg 24
    ("parent_before_assessment", date(2027, 2, 25)),  # reg 28(3), reg 19: then every 6 weeks
])
def test_weekly_until_the_first_review_then_as_reg_28_sets(placement_type, after_review) -> None:
    assert due(date(2026, 12, 21), placement_type) == date(2026, 12, 28)  # a bank holiday: due
    assert due(BEFORE_REVIEW, placement_type) == date(2027, 1, 19)  # still weekly
    assert due(AT_REVIEW, placement_type) == after_review


def test_with_a_parent_under_a_care_order_within_a_week_then_every_6_weeks() -> None:
    order = date(2026, 12, 23)  # reg 28(5): the care order, recorded as the placement start
    assert due(None, "parent_care_order", placed=order) == date(2026, 12, 30)
    assert due(date(2026, 12, 24), "parent_care_order", placed=order) == date(2027, 2, 4)


@pytest.mark.parametrize("placement_type", [None, "standard"])
def test_the_general_rule_is_unchanged(placement_type) -> None:
    assert due(None, placement_type, placed=date(2026, 12, 22)) == date(2026, 12, 29)
    assert due(BEFORE_REVIEW, placement_type) == date(2027, 2, 23)  # 6 weeks in the first year


@pytest.mark.parametrize("placement_type", ["parent_interim_care_order", "connected_person",
                                            "parent_before_assessment", "parent_care_order"])
def test_every_branch_visits_within_a_week_of_the_placement(placement_type) -> None:
    assert due(None, placement_type, placed=date(2026, 12, 22)) == date(2026, 12, 29)


def test_overdue_visits_follow_the_placement_type(engine) -> None:
    today = date(2027, 1, 21)
    with Session(engine, expire_on_commit=False) as session:
        build = Builder(session, today)
        service = build.service()
        team = build.team("Children in Care", service)
        manager = build.staff("TM1", "Tara Manager", "team_manager", team=team)
        build.set_manager(team, manager)
        worker = build.staff("SW1", "Sam Worker", team=team, manager=manager)
        common = dict(start_date=LOOKED_AFTER, placement_start=LOOKED_AFTER,
                      last_visit=BEFORE_REVIEW)
        build.case("LAC-ICO", "LAC", team, worker, placement_type="parent_interim_care_order",
                   **common)
        build.case("LAC-STD", "LAC", team, worker, **common)
        session.commit()
    overdue = ask(engine, Identity("cli", staff_id="TM1"), "/caseload overdue", today=today,
                  settings=Settings()).answer
    assert [(row.case_ref, row.visit_days_overdue) for row in overdue.cases] == [("LAC-ICO", 2)]


def test_placement_type_is_imported_from_the_cases_file(session) -> None:
    load_council(session)
    rows = [dict(CASES[2], placement_type="Reg 24"), dict(CASES[0], placement_type="")]
    report = import_rows(session, "cases", rows, source="cases.csv", today=IMPORT_DAY)
    assert report.ok, report.problems
    stored = dict(session.exec(select(Case.case_ref, Case.placement_type)).all())
    assert (stored["CR-1003"], stored["CR-1001"]) == ("connected_person", None)
    refused = import_rows(session, "cases", [dict(CASES[2], placement_type="boarding school")],
                          source="cases.csv", today=IMPORT_DAY)
    assert not refused.ok and refused.problems[0].column == "placement_type"
