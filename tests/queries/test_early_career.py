"""SPEC section 4, early career programmes: the ASYE now, the two-year ECDP from September 2027.

Rules at the edges (ECDP months 12, 13, 24, 25; the blank programme on 31 August and 1 September
2027), then the same rules through /protected, /caseload, capacity and the staffing figures.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from config import Settings, settings_from
from jobs.digests import build_staffing_digest
from models import Service
from queries.access import Identity
from queries.answer import ask
from queries.protection_rules import early_career_on, programme_of
from queries.staffing import staffing_figures
from render.digest_text import render_digest_text
from render.text import render_text
from tests.builders import Builder

ECDP_START = date(2027, 9, 1)


@pytest.mark.parametrize(("today", "month", "year", "cap_ratio"), [
    (date(2028, 8, 31), 12, 1, 0.90),
    (date(2028, 9, 1), 13, 2, 0.95),
    (date(2029, 8, 31), 24, 2, 0.95),
])
def test_ecdp_month_and_year_set_the_protected_cap(today, month, year, cap_ratio) -> None:
    period = early_career_on(ECDP_START, None, "ecdp", today, Settings())
    assert period is not None
    assert (period.month, period.year) == (month, year)
    assert period.cap_ratio == pytest.approx(cap_ratio)
    assert period.month_text == f"ECDP year {year}, month {month} of 24"
    assert not period.cp_lead_allowed  # year 1 no; year 2 co-worked only, by default


def test_ecdp_month_25_is_past_the_programme() -> None:
    assert early_career_on(ECDP_START, None, "ecdp", date(2029, 9, 1), Settings()) is None


def test_asye_is_unchanged_by_default() -> None:
    start = date(2026, 3, 1)
    assert early_career_on(start, None, None, date(2027, 2, 28), Settings()).month_text \
        == "month 12 of 12"
    assert early_career_on(start, None, None, date(2027, 3, 1), Settings()) is None
    assert early_career_on(start, None, "asye", date(2027, 2, 28), Settings()).cap_ratio == 0.9


@pytest.mark.parametrize(("start", "programme"), [
    (date(2027, 8, 31), "asye"),
    (date(2027, 9, 1), "ecdp"),
])
def test_a_blank_programme_is_ecdp_for_starts_from_1_september_2027(start, programme) -> None:
    assert programme_of(None, start, Settings()).code == programme
    assert programme_of("", start, Settings()).code == programme


def test_a_recorded_programme_wins_over_the_start_date() -> None:
    assert programme_of("asye", date(2027, 9, 1), Settings()).code == "asye"
    assert programme_of("ECDP", date(2026, 9, 1), Settings()).code == "ecdp"


def test_each_programme_number_is_a_setting() -> None:
    settings = settings_from({"ECDP_CAP_PCT_BY_YEAR": "80,100", "ECDP_MONTHS": "18",
                              "ECDP_CP_LEAD_ALLOWED_BY_YEAR": "no,yes",
                              "ECDP_FROM": "2027-10-01"})
    assert programme_of(None, date(2027, 9, 1), settings).code == "asye"
    period = early_career_on(ECDP_START, None, "ecdp", date(2028, 9, 1), settings)
    assert period.cap_ratio == pytest.approx(1.0) and period.cp_lead_allowed
    assert early_career_on(ECDP_START, None, "ecdp", date(2029, 3, 1), settings) is None


# --- through the answers ----------------------------------------------------------------------

TODAY = date(2028, 10, 20)  # ECDP month 14 for a 1 September 2027 start


@pytest.fixture
def ecdp_council(engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        build = Builder(session, TODAY)
        service = build.service()
        team = build.team("Assessment", service)
        manager = build.staff("TM1", "Tara Manager", "team_manager", team=team)
        build.set_manager(team, manager)
        ecdp = build.staff("EC1", "Ed Early", "social_worker", team=team, manager=manager,
                           asye_start=ECDP_START, start_date=ECDP_START)
        build.staff("SW1", "Sam Worker", "social_worker", team=team, manager=manager)
        build.supervision(ecdp, TODAY)
        build.cases("EC-CIN", 17, "CIN", team, ecdp)
        build.case("EC-CP", "CP", team, ecdp)
        session.commit()


def ask_as(engine, who: str, text: str):
    return ask(engine, Identity("cli", staff_id=who), text, today=TODAY,
               settings=Settings()).answer


def test_protected_shows_the_ecdp_year_and_month(engine, ecdp_council) -> None:
    answer = ask_as(engine, "EC1", "/protected")
    status = answer.statuses[0]
    assert status.in_protected_year and status.programme == "ECDP"
    assert status.month_text == "ECDP year 2, month 14 of 24"
    assert status.protected_cap == pytest.approx(17.1)  # 95 % of 18 in year 2
    assert status.breaches == ("caseload 18 over protected cap 17.1", "lead on 1 CP case")
    text = render_text(answer)
    assert "ECDP started Wed 01 Sep 2027; ECDP year 2, month 14 of 24" in text


def test_caseload_and_capacity_use_the_programme_year(engine, ecdp_council) -> None:
    table = ask_as(engine, "TM1", "/caseload")
    row = next(row for row in table.rows if row.staff_id == "EC1")
    assert row.cap == pytest.approx(17.1) and row.over_cap
    assert "ECDP year 2" in row.flags
    capacity = ask_as(engine, "TM1", "/caseload capacity cp")
    assert [row.staff_id for row in capacity.rows] == ["SW1"]


def test_staffing_counts_ecdp_workers_and_their_cap(engine, ecdp_council) -> None:
    with Session(engine) as session:
        figures = staffing_figures(session, as_of=TODAY, settings=Settings())
    assert figures.nqsws == 1
    assert figures.workers_over_cap == (("EC1", "Ed Early", 18, 17.1),)


def test_the_staffing_digest_shows_the_ecdp_year(engine, ecdp_council) -> None:
    with Session(engine) as session:
        digest = build_staffing_digest(session, session.exec(select(Service)).one(), TODAY,
                                       Settings())
    [line] = digest.nqsws
    assert line.position == "ECDP year 2, month 14 of 24" and line.protected_cap == 17.1
    assert "ECDP year 2, month 14 of 24" in render_digest_text(digest, named=True)
