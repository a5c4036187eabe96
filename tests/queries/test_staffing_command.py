"""SPEC section 3, /staffing: the staffing digest's figures on demand, with a 12-week trend.

Each figure is the digest's own (queries.staffing), and each weekly point is that same function
at that week's date: the tests compare /staffing with staffing_figures directly.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from config import Settings
from jobs.digests import build_staffing_digest
from models import Service
from queries.access import Identity
from queries.answer import ask
from queries.results import Refusal, StaffingAnswer
from queries.staffing import staffing_figures, week_ends
from render.slack import render_slack
from render.teams import render_teams
from render.text import render_text, sparkline
from tests.builders import Builder, small_council

TODAY = date(2026, 11, 30)


@pytest.fixture
def council(engine):
    with Session(engine, expire_on_commit=False) as session:
        built = small_council(session, TODAY)
        # A starter five weeks ago: headcount rises across the trend.
        Builder(session, TODAY).staff("SW9", "Sal Starter", team=built.teams["north"],
                                      start_date=TODAY - timedelta(weeks=5))
        session.commit()
        return built


def staffing(engine, who: str, text: str = "/staffing"):
    return ask(engine, Identity("cli", staff_id=who), text, today=TODAY,
               settings=Settings()).answer


def row(answer: StaffingAnswer, key: str):
    return next(row for row in answer.rows if row.key == key)


def test_head_of_service_gets_their_services_digest_figures(engine, council) -> None:
    answer = staffing(engine, "HOS1")
    assert isinstance(answer, StaffingAnswer)
    assert answer.title == "Staffing — Safeguarding"
    with Session(engine) as session:
        service = session.get(Service, council.teams["north"].service_id)
        digest = build_staffing_digest(session, service, TODAY, Settings())
    assert row(answer, "headcount").value == digest.total.headcount
    assert row(answer, "caseload_per_fte").value == pytest.approx(digest.total.caseload_per_fte)
    assert row(answer, "unallocated").value == digest.total.unallocated_cases
    assert row(answer, "vacancy_rate").england == Settings().england_vacancy_pct


def test_each_trend_point_is_the_figure_at_that_weeks_date(engine, council) -> None:
    answer = staffing(engine, "HOS1")
    headcount = row(answer, "headcount")
    assert len(headcount.trend) == 12 and headcount.trend[-1] == headcount.value
    service_id = council.teams["north"].service_id
    with Session(engine) as session:
        expected = [staffing_figures(session, as_of=day, settings=Settings(),
                                     service_id=service_id).headcount
                    for day in week_ends(TODAY)]
    assert list(headcount.trend) == expected
    assert expected[0] < expected[-1]  # the starter five weeks ago


def test_a_manager_sees_their_teams_and_an_admin_every_service(engine, council) -> None:
    manager = staffing(engine, "TM1")
    assert manager.title == "Staffing — Assessment North"
    with Session(engine) as session:
        north = staffing_figures(session, as_of=TODAY, settings=Settings(),
                                 team_id=council.teams["north"].id)
    assert row(manager, "headcount").value == north.headcount
    assert staffing(engine, "ADM1").title == "Staffing — All services"


def test_a_practitioner_is_refused(engine, council) -> None:
    answer = staffing(engine, "SW1")
    assert isinstance(answer, Refusal) and "heads of service" in answer.reason


def test_sparkline_runs_low_to_high_and_marks_gaps() -> None:
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5, 5]) == "▁▁▁"
    assert sparkline([None, 0, 10]) == "·▁█"


def test_every_front_end_shows_the_figures_and_trend(engine, council) -> None:
    answer = staffing(engine, "HOS1")
    trend = sparkline(row(answer, "headcount").trend)
    assert "Headcount (employed)" in render_text(answer) and trend in render_text(answer)
    assert trend in str(render_slack(answer)["blocks"])
    assert trend in str(render_teams(answer).card)


def test_staffing_parses_its_scopes() -> None:
    from commands import ParseError, parse
    assert parse("/staffing").scope == "figures"
    assert parse("staffing agency").scope == "agency"
    assert parse("/staffing Registration").scope == "registration"
    assert isinstance(parse("/staffing payroll"), ParseError)
