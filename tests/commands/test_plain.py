"""Issue #14: talking like a person. Plain questions read as the commands they mean, by fixed
word rules (one table, every reading tested), and mistyped commands get "did you mean …?"."""

from __future__ import annotations

import pytest

from commands import Command, ParseError, parse, usage
from commands.plain import nearest, read_question

# (what someone types, the command it must be read as)
READINGS = [
    # who can take a case
    ("who can take a CP case?", "/caseload capacity cp"),
    ("Who can take a child protection case?", "/caseload capacity cp"),
    ("who has room for a CIN case", "/caseload capacity cin"),
    ("who has capacity for a looked after child?", "/caseload capacity lac"),
    ("who's got capacity?", "/caseload capacity"),
    ("who has space for another case?", "/caseload capacity"),
    ("who could take a new case", "/caseload capacity"),
    ("can anyone take a LAC case?", "/caseload capacity lac"),
    ("who is free to take a case?", "/caseload capacity"),
    ("which workers have headroom?", "/caseload capacity"),
    ("who can pick up a child in need case?", "/caseload capacity cin"),
    ("any spare capacity for CP?", "/caseload capacity cp"),
    ("who should I allocate the new CP case to?", "/caseload capacity cp"),
    # how many cases has someone got
    ("how many cases has Zoe got?", "/caseload Zoe"),
    ("How many cases does Zoe have?", "/caseload Zoe"),
    ("how many cases has zoe got", "/caseload zoe"),
    ("what is Zoe's caseload?", "/caseload Zoe"),
    ("what's Imran Murphy's caseload", "/caseload Imran Murphy"),
    ("how busy is Zoe?", "/caseload Zoe"),
    ("show me Zoe's cases", "/caseload Zoe"),
    ("how many cases is Imran holding?", "/caseload Imran"),
    ("what cases does Murphy hold?", "/caseload Murphy"),
    ("what's my caseload?", "/caseload"),
    ("how many cases do I have?", "/caseload"),
    ("show my cases", "/caseload"),
    ("what does my team's caseload look like?", "/caseload"),
    ("how many cases has the team got?", "/caseload"),
    ("what's the caseload for team Assessment North?", "/caseload team Assessment North"),
    ("how is the Assessment North team's caseload?", "/caseload team Assessment North"),
    ("who is over cap?", "/caseload"),
    ("who is overloaded in my team?", "/caseload"),
    # protection
    ("which NQSWs are leading CP cases?", "/protected team"),
    ("is Zoe protected?", "/protected Zoe"),
    ("Is Zoe still protected?", "/protected Zoe"),
    ("is zoe in her protected year", "/protected zoe"),
    ("am I protected?", "/protected"),
    ("am i still in my protected year?", "/protected"),
    ("is my workload protected?", "/protected"),
    ("what's my ASYE status?", "/protected"),
    ("are my NQSWs protected?", "/protected team"),
    ("which NQSWs are in breach?", "/protected team"),
    ("is anyone's protection being breached?", "/protected team"),
    ("who is in their protected year?", "/protected team"),
    ("how are the NQSWs in team Assessment North?", "/protected team Assessment North"),
    ("is Imran Murphy's protection being kept?", "/protected Imran Murphy"),
    # overdue visits and reviews
    ("what's overdue in my team?", "/caseload overdue"),
    ("what is overdue?", "/caseload overdue"),
    ("which visits are late?", "/caseload overdue"),
    ("which reviews are overdue?", "/caseload overdue"),
    ("are any visits overdue?", "/caseload overdue"),
    ("what visits have been missed?", "/caseload overdue"),
    ("which children haven't been visited?", "/caseload overdue"),
    ("what's past due?", "/caseload overdue"),
    ("are we behind on visits?", "/caseload overdue"),
    ("which cases are overdue a review?", "/caseload overdue"),
    # unallocated
    ("which cases are unallocated?", "/caseload unallocated"),
    ("what cases have no social worker?", "/caseload unallocated"),
    ("are there any cases without a worker?", "/caseload unallocated"),
    ("which cases are waiting for a worker?", "/caseload unallocated"),
    ("how many unallocated cases are there?", "/caseload unallocated"),
    ("what hasn't been allocated?", "/caseload unallocated"),
    # actions
    ("which actions are late?", "/actions overdue"),
    ("what actions are overdue?", "/actions overdue"),
    ("which improvement plan actions are behind?", "/actions overdue"),
    ("what are my actions?", "/actions mine"),
    ("what actions do I own?", "/actions mine"),
    ("show my actions", "/actions mine"),
    ("what actions are outstanding?", "/actions"),
    ("how is the improvement plan going?", "/actions"),
    ("which audit actions are past due?", "/actions overdue"),
    # supervision
    ("who is overdue for supervision?", "/supervision"),
    ("when is my next supervision?", "/supervision"),
    ("who hasn't been supervised?", "/supervision"),
    ("is supervision up to date in my team?", "/supervision"),
    ("when was Zoe last supervised?", "/supervision"),
    # help
    ("what can you do?", "help"),
    ("what can I ask?", "help"),
    ("how do I use this?", "help"),
]

#: Questions that must get the help, never a guess.
UNREADABLE = [
    "what's the weather like?",
    "who won the match last night?",
    "how do I book annual leave for next summer in Spain?",
    "is the canteen open?",
    "can you order me a taxi?",
    "tell me a joke",
    "what time is it?",
    "where is the car park?",
    "who is the chief executive of the council of England?",
    "hello there, nice bot",
]


def test_the_table_has_at_least_sixty_phrasings() -> None:
    assert len(READINGS) >= 60
    assert len({typed for typed, _ in READINGS}) == len(READINGS)


@pytest.mark.parametrize(("typed", "meant"), READINGS)
def test_a_plain_question_reads_as_the_command_it_means(typed: str, meant: str) -> None:
    assert read_question(typed) == meant


@pytest.mark.parametrize(("typed", "meant"), READINGS)
def test_the_answer_says_what_the_question_was_read_as(typed: str, meant: str) -> None:
    understood = parse(typed)
    assert isinstance(understood, Command), understood
    assert understood.read_as == meant
    assert understood.raw == typed  # the audit log keeps what was asked


@pytest.mark.parametrize("typed", UNREADABLE)
def test_an_unreadable_question_gets_the_help_not_a_guess(typed: str) -> None:
    assert read_question(typed) is None
    result = parse(typed)
    assert isinstance(result, ParseError)
    assert result.usage == usage("all")


def test_words_that_are_not_a_question_are_not_read_as_one() -> None:
    assert read_question("frobnicate the cases") is None


def test_a_question_after_a_slash_command_is_read_too() -> None:
    understood = parse("who can take a cp case?", verb="/caseload")
    assert isinstance(understood, Command)
    assert (understood.scope, understood.case_type) == ("capacity", "CP")
    assert understood.read_as == "/caseload capacity cp"


def test_a_typed_command_is_not_marked_as_read_from_a_question() -> None:
    understood = parse("/caseload capacity cp")
    assert isinstance(understood, Command) and understood.read_as == ""


# --- did you mean ----------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), [
    ("caseloda", "caseload"), ("caselaod", "caseload"), ("protcted", "protected"),
    ("actoins", "actions"), ("supervison", "supervision"), ("/caseloda", "caseload"),
])
def test_a_mistyped_command_is_the_nearest_one(typed: str, meant: str) -> None:
    assert nearest(typed, ("caseload", "protected", "actions", "supervision", "help")) == meant


def test_a_word_far_from_every_choice_is_no_one(typed: str = "frobnicate") -> None:
    assert nearest(typed, ("caseload", "protected", "actions", "supervision", "help")) is None


def test_mistyped_caseload_gets_did_you_mean_not_every_form() -> None:
    wrong = parse("/caseloda")
    assert isinstance(wrong, ParseError)
    assert "Did you mean /caseload?" in wrong.message
    assert wrong.usage == "/caseload"


def test_a_mistyped_command_keeps_its_options_in_the_suggestion() -> None:
    wrong = parse("caseloda overdue")
    assert isinstance(wrong, ParseError) and wrong.usage == "/caseload overdue"


@pytest.mark.parametrize(("typed", "verb", "meant"), [
    ("overdeu", "caseload", "/caseload overdue"),
    ("unalocated", "caseload", "/caseload unallocated"),
    ("capacty cp", "caseload", "/caseload capacity cp"),
    ("taem", "protected", "/protected team"),
])
def test_a_mistyped_option_that_could_be_a_name_carries_the_suggestion(
        typed: str, verb: str, meant: str) -> None:
    understood = parse(typed, verb=verb)
    assert isinstance(understood, Command) and understood.did_you_mean == meant


@pytest.mark.parametrize(("typed", "verb", "meant"), [
    ("overdeu", "actions", "/actions overdue"),
    ("mien", "actions", "/actions mine"),
    ("lgo SW1 2026-03-02", "supervision", "/supervision log SW1 2026-03-02"),
])
def test_a_mistyped_option_with_no_names_gets_did_you_mean_at_once(
        typed: str, verb: str, meant: str) -> None:
    wrong = parse(typed, verb=verb)
    assert isinstance(wrong, ParseError)
    assert f"Did you mean {meant}?" in wrong.message and wrong.usage == meant
