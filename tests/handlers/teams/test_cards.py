"""render/teams.py: every answer and digest as an Adaptive Card that Teams will take (inside its
size limit, cut with "… and N more"), mirroring the console's words."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import Session

from config import Settings
from jobs.digests import build_digest
from models import Service
from queries.access import Identity
from queries.answer import ask
from queries.results import ActionList, ActionRow, CaseloadTable, WorkerLoad
from render.teams import (
    MAX_CARD_BYTES,
    card_bytes,
    plain,
    render_digest_teams,
    render_teams,
    teams_words,
)
from tests.handlers.teams.test_messages import EVERY_COMMAND, REFUSED
from tests.builders import COUNCIL_DAY as TODAY

ELEMENTS = {"TextBlock", "Table", "FactSet", "Container", "ActionSet", "Image", "Input.Text"}
ACTIONS = {"Action.ShowCard", "Action.Submit"}


def check_card(card: dict) -> None:
    """The shape Teams needs: known element types, tables as wide as their columns, in budget."""
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card_bytes(card) <= MAX_CARD_BYTES
    assert card["fallbackText"]

    def walk(element: object) -> None:
        if isinstance(element, list):
            for item in element:
                # Teams draws nothing for a list inside a list (a table not spread into the body)
                assert isinstance(item, dict), f"{type(item).__name__} among elements: {item!r:.60}"
                walk(item)
            return
        if not isinstance(element, dict):
            return
        kind = element.get("type")
        if kind == "Table":
            for row in element["rows"]:
                assert len(row["cells"]) == len(element["columns"])
        if kind == "TextBlock":
            assert element["text"].strip() or element["text"] == " "
        if kind in ACTIONS and kind == "Action.Submit":
            assert set(element["data"]) in ({"verb", "ref", "input"},  # Mark done, Add update
                                            {"verb", "offset"})  # More (the next page)
        assert kind is None or kind in ELEMENTS | ACTIONS | {
            "AdaptiveCard", "TableRow", "TableCell"}, kind
        for value in element.values():
            walk(value)

    walk(card["body"])


def test_every_answer_is_a_card_teams_accepts(engine, council) -> None:
    # One test over every command, so the store is built once (the answers only read it, bar
    # one supervision logged and one refused action).
    for who, text, _expected in EVERY_COMMAND + REFUSED:
        outcome = ask(engine, Identity("cli", staff_id=who), text, today=TODAY,
                      settings=Settings())
        message = render_teams(outcome.answer, limit=40)
        try:
            check_card(message.card)
        except AssertionError as problem:
            raise AssertionError(f"{who}: {text}: {problem}") from problem
        assert message.summary and len(message.summary) <= 200, (who, text)


def worker(number: int) -> WorkerLoad:
    return WorkerLoad(staff_id=f"SW{number}", name=f"Worker Number {number:03d}", team="North",
                      fte=1.0, cp=5, cin=5, lac=5, other=5, total=20, cap=18.0, is_nqsw=False,
                      overdue_visits=2, overdue_reviews=1, supervision_overdue_days=30)


def test_a_long_table_is_cut_to_the_row_limit_and_says_how_many_more() -> None:
    table = CaseloadTable(title="Caseload — North", as_of=TODAY,
                          rows=tuple(worker(n) for n in range(200)), total_cases=4000,
                          total_fte=200.0, unallocated=3)
    message = render_teams(table, limit=10)
    check_card(message.card)
    words = json.dumps(message.card)
    assert "Worker Number 009" in words and "Worker Number 010" not in words
    assert "… and 190 more" in message.card["body"][-2]["text"]
    assert message.card["body"][-1]["actions"][0]["data"] == {"verb": "more_rows", "offset": 10}
    assert message.text.startswith("Caseload — North (as of Mon 23 Nov 2026)")
    assert message.text.endswith("…")  # the text fallback is cut at whole lines


def test_a_table_too_big_for_one_message_shows_fewer_rows_and_says_so() -> None:
    table = CaseloadTable(title="Caseload — North", as_of=TODAY,
                          rows=tuple(worker(n) for n in range(200)), total_cases=4000,
                          total_fte=200.0, unallocated=3)
    card = render_teams(table, limit=40).card
    check_card(card)
    shown = len(next(element for element in card["body"] if element["type"] == "Table")["rows"]) - 1
    assert 10 <= shown < 40  # a desktop table and a phone layout of the same rows, in 26 KB
    assert card["body"][-2]["text"] == f"… and {200 - shown} more"
    assert card["body"][-1]["actions"][0]["data"]["offset"] == shown  # More: from the next row


def test_long_actions_show_fewer_rows_rather_than_failing() -> None:
    rows = tuple(
        ActionRow(plan="Ofsted ILACS 2025", ref=f"{n}.1", action="Improve " + "x" * 550,
                  owner="Tess Manager", owner_staff_id="TM1", agency="Children's Social Care",
                  area=None, due_date=date(2026, 11, 1), days_overdue=22, measure="m" * 290,
                  status="open", last_note="n" * 290)
        for n in range(40))
    message = render_teams(ActionList(title="Outstanding actions", as_of=TODAY, rows=rows,
                                      empty_message=""), limit=40)
    check_card(message.card)
    assert "more" in message.card["body"][-2]["text"]


def test_teams_users_are_shown_the_words_not_slash_commands() -> None:
    assert teams_words("Try /caseload for your own cases.") == "Try caseload for your own cases."
    assert teams_words("/supervision log @person YYYY-MM-DD (or DD/MM/YYYY)") == \
        "supervision log @person YYYY-MM-DD (or DD/MM/YYYY)"


def test_a_link_typed_into_evidence_is_shown_not_followed() -> None:
    assert plain("see [the audit](https://evil.example)") != "see [the audit](https://evil.example)"
    assert "https://evil.example" in plain("see [the audit](https://evil.example)")


@pytest.mark.parametrize("kind", ["staffing", "supervision", "actions"])
def test_digests_are_cards_named_only_for_the_head_of_service(engine, council, kind) -> None:
    with Session(engine) as session:
        service = session.get(Service, council["service"].id)
        digest = build_digest(session, kind, service, TODAY, Settings())
    named = render_digest_teams(digest, named=True)
    channel = render_digest_teams(digest, named=False)
    for message in (named, channel):
        check_card(message.card)
        assert f"Weekly {kind} digest — Safeguarding" in message.text
    if kind != "staffing":  # the staffing digest names people only when someone is over cap
        assert "Sam Worker" in json.dumps(named.card)
    assert "Sam Worker" not in json.dumps(channel.card)


def test_a_late_digest_says_so(engine, council) -> None:
    from datetime import datetime, timezone

    with Session(engine) as session:
        digest = build_digest(session, "actions", session.get(Service, council["service"].id),
                              TODAY, Settings())
    late = replace(digest, header=replace(digest.header,
                                          late_for=datetime(2026, 11, 23, 8, tzinfo=timezone.utc)))
    assert "Posted late" in json.dumps(render_digest_teams(late).card)


@pytest.mark.parametrize("kind", ["staffing", "supervision", "actions"])
def test_a_digests_shorter_tables_never_say_a_negative_number_more(engine, council,
                                                                   kind) -> None:
    with Session(engine) as session:
        service = session.get(Service, council["service"].id)
        digest = build_digest(session, kind, service, TODAY, Settings())
    assert "and -" not in json.dumps(render_digest_teams(digest, named=True).card,
                                     ensure_ascii=False)


def test_each_form_after_try_is_a_line_of_its_own() -> None:
    """Adaptive Cards markdown joins lines split by one newline, so the usage forms after an
    unknown command ran into one paragraph: one TextBlock a form."""
    from queries.results import Invalid

    usage = "/caseload\n/caseload @person\n/caseload team NAME"
    body = render_teams(Invalid("I don't know 'hello'.", usage)).card["body"]
    forms = [block["text"] for block in body[2:]]
    assert body[1]["text"] == "Try:"
    assert forms == ["caseload", "caseload @person", "caseload team NAME"]
    assert all(block.get("fontType") == "Monospace" for block in body[2:])
    assert all("\n" not in text for text in forms)


def test_every_command_is_shown_as_the_words_a_teams_user_types() -> None:
    """Teams has no slash commands: /staffing and /remind read as plain words, like the rest."""
    from commands.grammar import VERBS
    from render.teams import teams_words

    assert teams_words(" ".join(f"/{verb} x" for verb in VERBS)) == " ".join(
        f"{verb} x" for verb in VERBS)
