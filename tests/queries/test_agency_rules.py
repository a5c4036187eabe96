"""SPEC section 4, agency social workers: the DfE statutory guidance's rules at each boundary,
then /staffing agency and the staffing digest's count."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from config import Settings, settings_from
from jobs.digests import build_staffing_digest
from models import Service
from queries.access import Identity
from queries.agency_rules import AgencyFacts, check_agency_worker
from queries.answer import ask
from queries.results import AgencyAnswer, Refusal
from render.digest_text import render_digest_text
from render.text import render_text
from tests.builders import Builder, one_worker_council

START = date(2026, 9, 1)  # the assignment starts
GOOD = dict(role="social_worker", start_date=START, qualified_date=date(2020, 7, 1),
            agency_reference=True, agency_notice_weeks=4, agency_hourly_rate=40.0)


def breaches(**changes) -> tuple[str, ...]:
    return check_agency_worker(AgencyFacts(**{**GOOD, **changes}), Settings()).breaches


def test_a_worker_meeting_every_rule_is_within_them() -> None:
    check = check_agency_worker(AgencyFacts(**GOOD), Settings())
    assert check.breaches == () and check.not_recorded == () and not check.outside_rules


@pytest.mark.parametrize(("qualified", "broken"), [
    (date(2023, 9, 1), False),  # exactly 3 years' PQE on the day the assignment starts
    (date(2023, 9, 2), True),  # a day short
])
def test_pqe_of_exactly_3_years_meets_the_rule(qualified, broken) -> None:
    assert bool(breaches(qualified_date=qualified)) == broken


@pytest.mark.parametrize(("weeks", "broken"), [(4, False), (5, True)])
def test_notice_of_exactly_4_weeks_meets_the_rule(weeks, broken) -> None:
    assert bool(breaches(agency_notice_weeks=weeks)) == broken


@pytest.mark.parametrize(("role", "rate", "broken"), [
    ("social_worker", 45.00, False),  # at the cap
    ("social_worker", 45.01, True),
    ("senior_practitioner", 48.00, False),
    ("team_manager", 55.50, True),
])
def test_a_rate_at_the_cap_for_the_job_meets_the_rule(role, rate, broken) -> None:
    assert bool(breaches(role=role, agency_hourly_rate=rate)) == broken


@pytest.mark.parametrize(("left", "broken"), [
    (date(2026, 6, 1), False),  # left exactly 3 months before the assignment
    (date(2026, 6, 2), True),
    (None, False),  # never held a permanent post in the region
])
def test_cool_off_of_3_months_after_a_permanent_post(left, broken) -> None:
    assert bool(breaches(left_permanent_post=left)) == broken


def test_no_reference_breaks_the_rule_and_every_rule_is_named() -> None:
    found = breaches(agency_reference=False, agency_notice_weeks=6, agency_hourly_rate=50.0)
    assert found == ("no practice-based reference", "notice 6 weeks, over 4",
                     "£50.00 an hour, over the £45.00 cap for social worker")


def test_an_approved_exception_keeps_a_worker_within_the_rules() -> None:
    check = check_agency_worker(AgencyFacts(**{**GOOD, "agency_notice_weeks": 8,
                                               "agency_exception_approved_by": "DCS J Smith"}),
                                Settings())
    assert check.breaches and not check.outside_rules
    assert check.exception_approved_by == "DCS J Smith"


def test_facts_not_recorded_are_not_breaches() -> None:
    check = check_agency_worker(AgencyFacts(role="social_worker", start_date=START), Settings())
    assert check.breaches == () and not check.recorded
    assert check.not_recorded == ("qualified_date", "agency_reference", "agency_notice_weeks",
                                  "agency_hourly_rate")


def test_every_agency_number_is_a_setting() -> None:
    settings = settings_from({"AGENCY_MIN_PQE_YEARS": "2", "AGENCY_MAX_NOTICE_WEEKS": "8",
                              "AGENCY_RATE_CAPS": "social_worker=50", "AGENCY_COOL_OFF_MONTHS": "6"})
    facts = AgencyFacts(**{**GOOD, "qualified_date": date(2024, 9, 1), "agency_notice_weeks": 8,
                           "agency_hourly_rate": 50.0, "left_permanent_post": date(2026, 4, 1)})
    assert check_agency_worker(facts, settings).breaches == (
        "engaged within 6 months of leaving a permanent post",)


# --- /staffing agency and the digest -----------------------------------------------------------

TODAY = date(2026, 11, 30)


@pytest.fixture
def agency_council(engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        build = Builder(session, TODAY)
        service = build.service()
        team = build.team("Assessment", service)
        hos = build.staff("HOS1", "Helen Head", "head_of_service", service=service)
        manager = build.staff("TM1", "Tara Manager", "team_manager", team=team, manager=hos)
        build.set_manager(team, manager)
        common = dict(team=team, manager=manager, agency=True, start_date=START)
        build.staff("AG1", "Ann Agency", **common, **{k: v for k, v in GOOD.items()
                                                        if k not in ("role", "start_date")})
        build.staff("AG2", "Bob Agency", **common, qualified_date=date(2024, 1, 1),
                    agency_reference=False, agency_notice_weeks=4, agency_hourly_rate=45.0)
        build.staff("AG3", "Cat Agency", **common, qualified_date=date(2015, 1, 1),
                    agency_reference=True, agency_notice_weeks=12, agency_hourly_rate=45.0,
                    agency_exception_approved_by="DCS J Smith")
        build.staff("SW1", "Sam Worker", team=team, manager=manager)
        session.commit()


def ask_as(engine, who: str, text: str):
    return ask(engine, Identity("cli", staff_id=who), text, today=TODAY,
               settings=Settings()).answer


def test_staffing_agency_lists_each_worker_with_the_rule_broken(engine, agency_council) -> None:
    answer = ask_as(engine, "TM1", "/staffing agency")
    assert isinstance(answer, AgencyAnswer)
    assert [row.staff_id for row in answer.rows] == ["AG2", "AG3", "AG1"]  # outside rules first
    bob, cat, ann = answer.rows
    assert bob.outside_rules and bob.breaches == (
        "under 3 years' post-qualifying experience", "no practice-based reference")
    assert not cat.outside_rules and cat.status.startswith("exception approved by DCS J Smith")
    assert ann.status == "within the rules"
    assert answer.outside_count == 1
    text = render_text(answer)
    assert "1 outside the DfE agency rules" in text and "no practice-based reference" in text


def test_a_practitioner_may_not_ask_about_agency_workers(engine, agency_council) -> None:
    assert isinstance(ask_as(engine, "SW1", "/staffing agency"), Refusal)


def test_the_staffing_digest_counts_agency_workers_outside_the_rules(engine,
                                                                      agency_council) -> None:
    with Session(engine) as session:
        service = session.exec(select(Service)).one()
        digest = build_staffing_digest(session, service, TODAY, Settings())
    assert digest.total.agency_outside_rules == 1
    assert "Agency workers outside the DfE rules" in render_digest_text(digest, named=True)
    answer = ask_as(engine, "HOS1", "/staffing")
    assert next(row for row in answer.rows if row.key == "agency_outside_rules").value == 1


def test_no_agency_facts_recorded_means_no_figure_and_an_unchanged_digest(engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        build = Builder(session, TODAY)
        service = build.service()
        team = build.team("Assessment", service)
        build.staff("AG1", "Ann Agency", team=team, agency=True)
        session.commit()
        digest = build_staffing_digest(session, service, TODAY, Settings())
    assert digest.total.agency_outside_rules is None
    assert "Agency workers outside" not in render_digest_text(digest, named=True)


# --- the DfE quarterly agency return beside them -------------------------------------------------

RETURN_LINE = "DfE quarterly agency return due Sun 31 Jan 2027 (in 62 days)"


def test_staffing_agency_says_when_the_quarterly_return_is_due_on_every_front_end(
        engine, agency_council) -> None:
    import json

    from render.slack import render_blocks
    from render.teams import render_card

    answer = ask_as(engine, "TM1", "/staffing agency")
    assert answer.agency_return is not None and not answer.agency_return.soon
    assert RETURN_LINE in render_text(answer)
    assert RETURN_LINE in json.dumps(render_blocks(answer), ensure_ascii=False)
    assert RETURN_LINE in json.dumps(render_card(answer), ensure_ascii=False)


def test_a_return_due_soon_is_marked_on_every_front_end(engine, agency_council) -> None:
    import json

    from render.slack import render_blocks
    from render.teams import render_card

    answer = ask(engine, Identity("cli", staff_id="TM1"), "/staffing agency",
                 today=date(2027, 1, 25), settings=Settings()).answer
    line = "DfE quarterly agency return due Sun 31 Jan 2027 (in 6 days) — due soon"
    assert line in render_text(answer)
    blocks = json.dumps(render_blocks(answer), ensure_ascii=False)
    assert f"*{line}*" in blocks  # bold, with the red mark
    card = render_card(answer)
    reminder = next(element for element in card["body"] if element.get("text") == line)
    assert reminder["color"] == "Attention"


def test_the_staffing_digest_and_census_summary_show_the_return_beside_the_count(
        engine, agency_council) -> None:
    from exporters.census_summary import census_summary, render_census_summary
    from render.digest_text import staffing_summary_rows

    with Session(engine) as session:
        service = session.exec(select(Service)).one()
        digest = build_staffing_digest(session, service, TODAY, Settings())
        summary = census_summary(session, as_of=TODAY, settings=Settings())
    assert ["DfE quarterly agency return", "due Sun 31 Jan 2027 (in 62 days)", ""] in (
        staffing_summary_rows(digest, named=True))
    assert "due Sun 31 Jan 2027 (in 62 days)" in render_digest_text(digest, named=True)
    lines = {line.figure: line.council for line in summary.lines}
    assert lines["Agency outside rules"] == "1"
    text = render_census_summary(summary)
    assert "Agency outside rules" in text and text.endswith(RETURN_LINE)


def test_a_service_without_agency_workers_gets_no_return_reminder(engine) -> None:
    from exporters.census_summary import census_summary, render_census_summary

    with Session(engine, expire_on_commit=False) as session:
        service = one_worker_council(session, TODAY)
        digest = build_staffing_digest(session, service, TODAY, Settings())
        summary = census_summary(session, as_of=TODAY, settings=Settings())
    assert digest.agency_return is None and summary.agency_return is None
    assert "agency return" not in render_digest_text(digest, named=True)
    assert "agency return" not in render_census_summary(summary)
    assert "Agency outside rules" not in render_census_summary(summary)
