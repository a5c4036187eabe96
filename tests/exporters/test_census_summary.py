"""`export census-summary`: the council's figures by the census definitions, beside England's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from exporters.census_summary import census_summary, render_census_summary
from tests.builders import Builder

AS_OF = date(2025, 9, 30)  # the census reference date

#: SPEC section 4's definitions, as the summary must quote them.
SPEC_DEFINITIONS = (
    "turnover (rolling 12 months) = FTE of leavers in the period ÷ FTE in post at the period end",
    "agency rate = agency FTE ÷ (agency FTE + employed FTE)",
    "vacancy rate = vacant FTE ÷ (vacant FTE + FTE in post), vacant FTE = establishment − FTE in "
    "post (never below 0)",
    "average caseload = cases held by case-holding workers ÷ FTE of workers holding at least one "
    "case",
)


@pytest.fixture
def council(session: Session) -> None:
    """Hand-countable: establishment 10.0 FTE in one team.

    Employed in post: A 1.0, B 0.8, C 0.6 (social workers), M 1.0 (team manager): 3.4 FTE, 4 people.
    Agency in post: E 1.0. Leavers in the 12 months to 30 September 2025: L 1.0 (employed; the
    agency leaver G does not count). Outside: an older leaver, a starter after the date, the head
    of service. Cases open on the date held as lead: A 10, B 5, E 6 = 21, by 2.8 FTE.
    """
    build = Builder(session, AS_OF)
    service = build.service("Children's Services")
    team = build.team("Assessment North", service, establishment_fte=10.0)
    start = date(2020, 1, 6)
    a = build.staff("A", "Ann A", team=team, fte=1.0, start_date=start)
    b = build.staff("B", "Bea B", team=team, fte=0.8, start_date=start)
    build.staff("C", "Cal C", team=team, fte=0.6, start_date=start)
    build.staff("M", "Max M", "team_manager", team=team, fte=1.0, start_date=start)
    e = build.staff("E", "Eve E", team=team, fte=1.0, start_date=start, agency=True)
    leaver = build.staff("L", "Lou L", team=team, fte=1.0, start_date=start,
                         end_date=date(2025, 6, 30), leaving_reason="Resignation")
    build.staff("G", "Gil G", team=team, fte=1.0, start_date=start, agency=True,
                end_date=date(2025, 5, 1))
    build.staff("O", "Old O", team=team, fte=1.0, start_date=start, end_date=date(2024, 6, 28))
    build.staff("F", "Fay F", team=team, fte=1.0, start_date=date(2025, 10, 6))
    build.staff("H", "Hal H", "head_of_service", service=service, start_date=start)
    opened = date(2025, 6, 2)
    build.cases("A", 10, "CIN", team, a, start_date=opened)
    build.cases("B", 5, "CP", team, b, start_date=opened)
    build.cases("E", 6, "LAC", team, e, start_date=opened)
    build.case("A-closed", "CIN", team, a, start_date=opened, end_date=date(2025, 9, 1))
    build.case("L-left", "CIN", team, leaver, start_date=opened)  # a leaver's: unallocated
    session.commit()


def test_the_summary_gives_the_census_figures_worked_by_hand(session, council, settings):
    lines = {line.figure: line for line in
             census_summary(session, as_of=AS_OF, settings=settings).lines}
    assert {figure: (line.council, line.england) for figure, line in lines.items()} == {
        "FTE in post": ("3.4", None),
        "Headcount": ("4", None),
        "Turnover (12 months)": ("29.4 %", "11.8 %"),  # 1.0 ÷ 3.4
        "Agency rate": ("22.7 %", "13.0 %"),  # 1.0 ÷ (1.0 + 3.4)
        "Vacancy rate": ("66.0 %", "14.2 %"),  # (10.0 − 3.4) ÷ (6.6 + 3.4)
        "Average caseload": ("7.5", "15.2"),  # 21 ÷ 2.8
    }
    assert lines["Turnover (12 months)"].working == "1.0 FTE leavers ÷ 3.4 FTE in post"
    assert lines["Average caseload"].working == "21 cases held ÷ 2.8 FTE of 3 case holders"
    assert lines["Vacancy rate"].working == (
        "6.6 vacant FTE (establishment 10.0 − 3.4 in post) ÷ (6.6 + 3.4)")


def test_the_summary_quotes_the_spec_definitions_beside_england(session, council, settings):
    text = render_census_summary(census_summary(session, as_of=AS_OF, settings=settings))
    for definition in SPEC_DEFINITIONS:
        assert definition in text
    assert "All services, 2025-09-30" in text
    assert "Average caseload              7.5       15.2" in text


def test_england_s_figures_come_from_the_settings(session, council, settings):
    from dataclasses import replace

    ours = replace(settings, england_caseload_per_fte=16.0, england_turnover_pct=15.4)
    lines = {line.figure: line for line in
             census_summary(session, as_of=AS_OF, settings=ours).lines}
    assert (lines["Average caseload"].england, lines["Turnover (12 months)"].england) == (
        "16.0", "15.4 %")


def test_an_empty_store_says_n_a_rather_than_dividing_by_nothing(session, settings):
    text = render_census_summary(census_summary(session, as_of=AS_OF, settings=settings))
    assert "Turnover (12 months)          n/a     11.8 %" in text


def test_the_cli_prints_the_summary(session, council, database_url, monkeypatch):
    from typer.testing import CliRunner

    import bot
    from config import reset_settings_cache

    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_settings_cache()
    try:
        result = CliRunner().invoke(bot.app, ["export", "census-summary", "--date", "30/09/2025"])
    finally:
        reset_settings_cache()
    assert result.exit_code == 0, result.output
    assert "29.4 %" in result.output and SPEC_DEFINITIONS[0] in result.output
