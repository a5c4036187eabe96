"""SPEC section 4, weighted caseloads and families: points beside the count where CASE_WEIGHTS
and WEIGHTED_CAP_PER_FTE are set (capacity then uses points); "18 children, 9 families"."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from config import Settings, settings_from
from queries.access import Identity
from queries.answer import ask
from render.text import render_text
from tests.builders import Builder

TODAY = date(2026, 11, 30)
WEIGHTED = settings_from({"CASE_WEIGHTS": "CP=1.5,CIN=1,LAC=1.25,CL=0.5,EH=0.5,OTHER=1",
                          "WEIGHTED_CAP_PER_FTE": "24"})


@pytest.fixture
def weighted_council(engine):
    with Session(engine, expire_on_commit=False) as session:
        build = Builder(session, TODAY)
        service = build.service()
        team = build.team("Assessment", service)
        manager = build.staff("TM1", "Tara Manager", "team_manager", team=team)
        build.set_manager(team, manager)
        heavy = build.staff("SW1", "Sam Worker", team=team, manager=manager)
        light = build.staff("SW2", "Sue Worker", team=team, manager=manager)
        # Sam: 14 CP cases = 14 cases (4 under the count cap) but 21 points (3 under 24)
        for number in range(14):
            build.case(f"CP-{number:02d}", "CP", team, heavy, family_id=f"F{number // 2}")
        # Sue: 16 EH cases = 16 cases (2 under the count cap) but 8 points (16 under 24)
        build.cases("EH", 16, "EH", team, light)
        session.commit()


def ask_as(engine, who: str, text: str, settings: Settings):
    return ask(engine, Identity("cli", staff_id=who), text, today=TODAY,
               settings=settings).answer


def test_points_are_shown_beside_the_count(engine, weighted_council) -> None:
    table = ask_as(engine, "TM1", "/caseload", WEIGHTED)
    sam = next(row for row in table.rows if row.staff_id == "SW1")
    assert (sam.total, sam.points, sam.points_cap) == (14, 21.0, 24.0)
    assert sam.points_text == "21 of 24 points"
    assert "21 of 24 points" in render_text(table)


def test_capacity_uses_points_when_weighted(engine, weighted_council) -> None:
    counted = ask_as(engine, "TM1", "/caseload capacity", Settings())
    assert [row.staff_id for row in counted.rows] == ["SW1", "SW2"]  # 4 and 2 cases of room
    weighted = ask_as(engine, "TM1", "/caseload capacity cp", WEIGHTED)
    assert [(row.staff_id, row.headroom) for row in weighted.rows] == [("SW2", 16.0),
                                                                        ("SW1", 3.0)]
    assert "points" in weighted.note


def test_children_and_families(engine, weighted_council) -> None:
    table = ask_as(engine, "TM1", "/caseload", Settings())
    # 14 CP cases in 7 families, 16 EH cases with no family_id (each its own)
    assert table.children_text == "30 children, 23 families"
    assert "30 cases (30 children, 23 families)" in render_text(table)
    sam = ask_as(engine, "TM1", "/caseload SW1", Settings())
    assert "14 children, 7 families" in sam.summary


def test_without_the_settings_or_family_ids_nothing_changes(engine, weighted_council) -> None:
    table = ask_as(engine, "TM1", "/caseload", Settings())
    assert all(row.points is None and row.points_text == "" for row in table.rows)
    assert "points" not in render_text(table)
    sue = ask_as(engine, "TM1", "/caseload SW2", Settings())  # no family_id on her cases
    assert sue.summary == "16 cases as lead (cap 18 at 1 FTE), 0 co-worked"
    only_weights = settings_from({"CASE_WEIGHTS": "CP=2"})  # no points cap: still off
    assert not only_weights.weighted
