"""SPEC section 4, family help lead practitioners (Working Together 2023): they may lead CIN, EH
and OTHER cases, never CP or LAC; they are not social workers in the staffing figures."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from config import Settings
from importers import import_rows
from models import Staff
from queries.access import Identity
from queries.answer import ask
from queries.staffing import staffing_figures
from tests.builders import CASES, IMPORT_DAY, STAFF, Builder, load_council

TODAY = date(2026, 11, 30)


@pytest.fixture
def family_help_council(engine):
    with Session(engine, expire_on_commit=False) as session:
        build = Builder(session, TODAY)
        service = build.service()
        team = build.team("Family Help", service)
        manager = build.staff("TM1", "Tara Manager", "team_manager", team=team)
        build.set_manager(team, manager)
        helper = build.staff("FH1", "Fay Helper", "family_help_practitioner", team=team,
                             manager=manager, fte=1.0)
        worker = build.staff("SW1", "Sam Worker", team=team, manager=manager, fte=1.0)
        build.cases("FH-EH", 4, "EH", team, helper)
        build.cases("SW-CIN", 10, "CIN", team, worker)
        session.commit()
        return team


def ask_as(engine, who: str, text: str):
    return ask(engine, Identity("cli", staff_id=who), text, today=TODAY,
               settings=Settings()).answer


@pytest.mark.parametrize(("command", "listed"), [
    ("/caseload capacity", ["FH1", "SW1"]),
    ("/caseload capacity cin", ["FH1", "SW1"]),
    ("/caseload capacity cp", ["SW1"]),
    ("/caseload capacity lac", ["SW1"]),
])
def test_capacity_never_offers_family_help_a_cp_or_lac_case(engine, family_help_council,
                                                             command, listed) -> None:
    answer = ask_as(engine, "TM1", command)
    assert [row.staff_id for row in answer.rows] == listed
    if command.endswith(("cp", "lac")):
        assert "Family help practitioners are left out" in answer.note


def test_a_family_help_lead_on_a_cp_case_is_flagged(engine, family_help_council) -> None:
    with Session(engine, expire_on_commit=False) as session:
        build = Builder(session, TODAY)
        helper = session.exec(select(Staff).where(Staff.staff_id == "FH1")).one()
        build.case("FH-CP", "CP", family_help_council, helper)
        build.case("FH-LAC", "LAC", family_help_council, helper)
        session.commit()
    row = next(row for row in ask_as(engine, "TM1", "/caseload").rows if row.staff_id == "FH1")
    assert row.barred_leads == 2 and "family help: leads 2 CP/LAC cases" in row.flags


def test_family_help_is_not_counted_in_social_worker_figures(engine, family_help_council) -> None:
    with Session(engine) as session:
        figures = staffing_figures(session, as_of=TODAY, settings=Settings())
    assert figures.headcount == 2  # the manager and the social worker
    assert figures.case_holders == 1 and figures.caseload_per_fte == pytest.approx(10.0)
    assert figures.open_cases == 14  # the team's cases are still the team's


def test_importing_a_family_help_lead_on_a_cp_case_is_flagged(session) -> None:
    load_council(session)
    staff = [dict(STAFF[3], staff_id="FH1", name="Fay Helper", email="fay@council.gov.uk",
                  role="family_help_practitioner")]
    assert import_rows(session, "staff", staff, source="staff.csv", today=IMPORT_DAY).ok
    cases = [dict(CASES[0], case_ref="CR-2001", allocated_worker_id="FH1", co_worker_id=""),
             dict(CASES[1], case_ref="CR-2002", allocated_worker_id="FH1")]
    report = import_rows(session, "cases", cases, source="cases.csv", today=IMPORT_DAY)
    assert report.ok and report.created == 2
    assert any("family help practitioner as lead" in note and "CR-2001" in note
               and "CR-2002" not in note for note in report.notes)
