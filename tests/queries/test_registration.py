"""SPEC section 4, Social Work England registration and CPD: on 31 August, 1 September,
1 November and 1 December; then /staffing registration and the supervision digest."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from config import Settings
from jobs.digests import build_supervision_digest
from queries.access import Identity
from queries.answer import ask
from queries.registration_rules import (
    AT_RISK,
    NO_NUMBER,
    NOT_MET,
    registration_flag,
    registration_year,
)
from queries.results import RegistrationAnswer
from render.digest_text import render_digest_text
from render.text import render_text
from tests.builders import Builder, one_worker_council


def flag(today: date, swe_no: str | None = "SW123456", records: int | None = 1,
         reflection: bool | None = False, role: str = "social_worker") -> str | None:
    return registration_flag(role, swe_no, records, reflection, today, Settings())


@pytest.mark.parametrize(("today", "expected"), [
    (date(2027, 8, 31), None),  # renewal not open yet
    (date(2027, 9, 1), NOT_MET),  # renewal opens
    (date(2027, 10, 31), NOT_MET),
    (date(2027, 11, 1), AT_RISK),
    (date(2027, 11, 30), AT_RISK),  # the last day to renew
    (date(2027, 12, 1), None),  # a new registration year
])
def test_cpd_not_met_is_flagged_from_1_september_and_at_risk_from_1_november(today,
                                                                             expected) -> None:
    assert flag(today) == expected


@pytest.mark.parametrize(("records", "reflection", "met"), [
    (2, True, True), (5, True, True), (2, False, False), (1, True, False), (None, None, False),
])
def test_cpd_needs_two_records_one_with_peer_reflection(records, reflection, met) -> None:
    assert (flag(date(2027, 11, 1), records=records, reflection=reflection) is None) == met


@pytest.mark.parametrize("today", [date(2027, 8, 31), date(2027, 9, 1), date(2027, 11, 1),
                                   date(2027, 12, 1)])
def test_no_swe_number_is_flagged_at_any_time(today) -> None:
    assert flag(today, swe_no=None, records=3, reflection=True) == NO_NUMBER
    assert flag(today, swe_no="  ", role="team_manager") == NO_NUMBER


def test_roles_that_need_no_registration_are_never_flagged() -> None:
    assert flag(date(2027, 11, 1), swe_no=None, role="family_help_practitioner") is None
    assert flag(date(2027, 11, 1), swe_no=None, role="admin") is None


def test_the_registration_year_runs_1_december_to_30_november() -> None:
    year = registration_year(date(2027, 12, 1), Settings())
    assert (year.starts, year.ends) == (date(2027, 12, 1), date(2028, 11, 30))
    assert (year.renewal_opens, year.at_risk_from) == (date(2028, 9, 1), date(2028, 11, 1))
    assert registration_year(date(2027, 11, 30), Settings()).starts == date(2026, 12, 1)


# --- /staffing registration and the supervision digest -----------------------------------------

TODAY = date(2027, 11, 1)


@pytest.fixture
def registration_council(engine):
    with Session(engine, expire_on_commit=False) as session:
        build = Builder(session, TODAY)
        service = build.service()
        team = build.team("Assessment", service)
        hos = build.staff("HOS1", "Helen Head", "head_of_service", service=service,
                          swe_no="SW000001", cpd_records=2, cpd_peer_reflection=True)
        manager = build.staff("TM1", "Tara Manager", "team_manager", team=team, manager=hos,
                              swe_no="SW000002", cpd_records=2, cpd_peer_reflection=True)
        build.set_manager(team, manager)
        build.staff("SW1", "Sam Worker", team=team, manager=manager, swe_no="SW000003",
                    cpd_records=1, cpd_peer_reflection=True)
        build.staff("SW2", "Sue Worker", team=team, manager=manager)  # no SWE number
        build.staff("SW3", "Sid Worker", team=team, manager=manager, swe_no="SW000004",
                    cpd_records=2, cpd_peer_reflection=True)
        build.staff("FH1", "Fay Helper", "family_help_practitioner", team=team, manager=manager)
        session.commit()
        return service


def test_staffing_registration_lists_who_needs_to_act(engine, registration_council) -> None:
    answer = ask(engine, Identity("cli", staff_id="TM1"), "/staffing registration",
                 today=TODAY, settings=Settings()).answer
    assert isinstance(answer, RegistrationAnswer)
    assert [(row.staff_id, row.flag) for row in answer.rows] == [("SW2", NO_NUMBER),
                                                                 ("SW1", AT_RISK)]
    assert answer.people == 4  # the manager and three social workers; not family help
    text = render_text(answer)
    assert "2 of 4 social workers need attention" in text and "1 CPD, peer reflection" in text


def test_the_supervision_digest_lists_registration(engine, registration_council) -> None:
    with Session(engine) as session:
        digest = build_supervision_digest(session, registration_council, TODAY, Settings())
    assert [row.staff_id for row in digest.registration] == ["SW2", "SW1"]
    text = render_digest_text(digest, named=True)
    assert "Social Work England registration and CPD" in text and "Sue Worker" in text
    assert "Sue Worker" not in render_digest_text(digest, named=False)


def test_a_service_recording_no_registration_keeps_its_digest(engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        service = one_worker_council(session, TODAY)
        digest = build_supervision_digest(session, service, TODAY, Settings())
    assert digest.registration == () and not digest.registration_recorded
    assert "Social Work England" not in render_digest_text(digest, named=True)
