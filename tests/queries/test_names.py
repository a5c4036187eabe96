"""Issue #14, SPEC section 3: people named as people say them — a full name, a surname, a first
name, "Surname, First" — in every front end, within the asker's scope, and a list to choose from
when a name fits several people."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from config import Settings
from queries.access import Identity
from queries.answer import ask
from queries.results import CaseList, Invalid, ProtectionAnswer, Refusal, SupervisionLogged
from tests.builders import Builder, small_council

TODAY = date(2026, 3, 2)


@pytest.fixture
def council(engine):
    """small_council, plus an Imran Murphy in North and an Ian Murphy in South."""
    with Session(engine, expire_on_commit=False) as session:
        people = small_council(session, TODAY)
        build = Builder(session, TODAY)
        people.staff["SW5"] = build.staff("SW5", "Imran Murphy", team=people.teams["north"],
                                          manager=people["TM1"],
                                          email="imran.murphy@council.example")
        people.staff["SW6"] = build.staff("SW6", "Ian Murphy", team=people.teams["south"],
                                          manager=people["TM2"])
        build.case("N-IM-001", "CIN", people.teams["north"], people["SW5"])
        session.commit()
        return people


def answer(engine, who: str, text: str):
    return ask(engine, Identity("cli", staff_id=who), text, today=TODAY,
               settings=Settings()).answer


@pytest.mark.parametrize("named", [
    "/caseload Imran Murphy",
    "/caseload @Imran Murphy",
    "/caseload imran murphy",
    "/caseload Murphy, Imran",
    "/caseload @imran.murphy",
    "/caseload @Imran",
    "/caseload SW5",
])
def test_a_full_name_first_name_or_surname_first_finds_the_person(engine, council,
                                                                  named) -> None:
    found = answer(engine, "TM1", named)
    assert isinstance(found, CaseList), found
    assert found.title == "Caseload — Imran Murphy"


def test_a_surname_finds_the_one_person_of_that_name_in_scope(engine, council) -> None:
    # Two Murphys in the council, but only Imran is in Tara's team.
    found = answer(engine, "TM1", "/caseload Murphy")
    assert isinstance(found, CaseList) and found.title == "Caseload — Imran Murphy"


def test_a_name_that_fits_several_people_in_scope_lists_them_to_choose_from(engine,
                                                                            council) -> None:
    refused = answer(engine, "HOS1", "/caseload Murphy")
    assert isinstance(refused, Refusal)
    assert "Imran Murphy (SW5, Assessment North)" in refused.reason
    assert "Ian Murphy (SW6, Assessment South)" in refused.reason
    assert refused.hint.startswith("Try:")


def test_the_choices_list_only_people_the_asker_may_see(engine, council) -> None:
    refused = answer(engine, "TM1", "/caseload Worker")
    assert isinstance(refused, Refusal)
    assert "Sam Worker" in refused.reason and "Sue Worker" in refused.reason
    assert "Sid Worker" not in refused.reason  # South: not Tara's to see


def test_a_name_outside_the_askers_scope_is_refused(engine, council) -> None:
    refused = answer(engine, "TM1", "/caseload Ian Murphy")
    assert isinstance(refused, Refusal)
    assert refused.reason == "I can't show you 'Ian Murphy': not found or not yours to see."
    nobody = answer(engine, "TM1", "/caseload Ivan Murphy")  # the same words for nobody at all
    assert isinstance(nobody, Refusal)
    assert nobody.reason.replace("Ivan", "Ian") == refused.reason and nobody.hint == refused.hint


def test_a_name_nobody_has_is_not_guessed_at(engine, council) -> None:
    refused = answer(engine, "TM1", "/caseload Imran Murph")
    assert isinstance(refused, Refusal)


def test_names_work_for_protected_and_supervision_log(engine, council) -> None:
    status = answer(engine, "TM1", "/protected Nia Newly")
    assert isinstance(status, ProtectionAnswer) and status.statuses[0].staff_id == "NQ1"
    logged = answer(engine, "TM1", "/supervision log Newly, Nia 2026-03-01")
    assert isinstance(logged, SupervisionLogged) and logged.staff_id == "NQ1"


def test_the_same_words_work_with_the_verb_given_separately_as_slack_does(engine,
                                                                          council) -> None:
    found = ask(engine, Identity("slack", slack_user_id="UTM1"), "Imran Murphy",
                verb="/caseload", today=TODAY, settings=Settings()).answer
    assert isinstance(found, CaseList) and found.title == "Caseload — Imran Murphy"


def test_a_teams_mention_entity_finds_the_person_by_id_whatever_the_text_says(
        engine, council) -> None:
    with Session(engine) as session:
        imran = session.get(type(council["SW5"]), council["SW5"].id)
        imran.teams_user_id = "aad-imran"
        session.add(imran)
        session.commit()
    text = 'caseload <at data-id="aad-imran" data-name="Imran Murphy">Imran</at>'
    found = answer(engine, "TM1", text)
    assert isinstance(found, CaseList) and found.title == "Caseload — Imran Murphy"


def test_a_teams_mention_without_a_known_id_falls_back_to_the_entitys_full_name(
        engine, council) -> None:
    text = 'caseload <at data-id="29:unknown" data-name="Imran Murphy">Imran</at>'
    found = answer(engine, "TM1", text)
    assert isinstance(found, CaseList) and found.title == "Caseload — Imran Murphy"


def test_a_mistyped_option_that_is_nobodys_name_gets_did_you_mean(engine, council) -> None:
    wrong = answer(engine, "TM1", "/caseload overdeu")
    assert isinstance(wrong, Invalid)
    assert "Did you mean /caseload overdue?" in wrong.message
    assert wrong.usage == "/caseload overdue"  # one line to try, not every form


def test_a_plain_question_is_answered_starting_with_the_command_it_was_read_as(
        engine, council) -> None:
    from queries.results import CapacityList, ReadAs
    from render.slack import render_slack
    from render.teams import render_teams
    from render.text import render_text

    read = answer(engine, "TM1", "who can take a CP case?")
    assert isinstance(read, ReadAs) and isinstance(read.answer, CapacityList)
    assert render_text(read).startswith("Read as: /caseload capacity cp\n")
    slack = render_slack(read)
    assert "Read as: /caseload capacity cp" in slack["blocks"][0]["elements"][0]["text"]
    teams = render_teams(read).card
    assert teams["body"][0]["text"] == "Read as: caseload capacity cp"
    assert all("NQSW" not in row.name for row in read.answer.rows)


def test_a_question_about_a_person_uses_the_same_name_rules(engine, council) -> None:
    from queries.results import ReadAs

    read = answer(engine, "TM1", "how many cases has Imran got?")
    assert isinstance(read, ReadAs) and read.command == "/caseload Imran"
    assert read.answer.title == "Caseload — Imran Murphy"
