"""SPEC section 3 over Slack: every command and argument form, for every role, through real HTTP.

Each row is one promise: who asks (by Slack user id), what they type, what the answer must say
and what it must not (another team's people, another service's actions).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import Action, ActionUpdate, Supervision
from tests.handlers.slack.harness import (
    DM,
    SETTLE_SECONDS,
    ServedSlack,
    answer_text,
    audit_entries,
)

PRACTITIONER = "USW1"  # Sam Worker, Assessment North, over cap
NQSW = "UNQ1"  # Nia Newly, month 4 of her ASYE, lead on a CP case
MANAGER = "UTM1"  # Tara Manager, Assessment North
HEAD = "UHOS1"  # Helen Head, head of Safeguarding (North and South)
ADMIN = "UADM1"
#: Out of scope or nonexistent: the same words (queries/access.py).
NOT_YOURS = "not found or not yours to see"

# (asker, command, text, must contain, must not contain)
CASES: list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = [
    # --- practitioner ---
    (PRACTITIONER, "/caseload", "", ("Your caseload", "N-CP-001", "visit 38d overdue"),
     ("Sue Worker",)),
    (PRACTITIONER, "/caseload", "<@USW1|sam.worker>", ("Your caseload", "N-LAC-001"), ()),
    (PRACTITIONER, "/caseload", "SW1", ("Your caseload",), ()),
    (PRACTITIONER, "/caseload", "<@USW2|sue>", (NOT_YOURS,), ("N2-CIN", "Sue Worker")),
    (PRACTITIONER, "/caseload", "team Assessment North", ("for team managers",), ("Sue Worker",)),
    (PRACTITIONER, "/caseload", "unallocated", ("for team managers",), ("N-UNALLOC",)),
    (PRACTITIONER, "/caseload", "overdue", ("Your overdue visits and reviews", "N-LAC-001"),
     ("N-CP-001",)),
    (PRACTITIONER, "/caseload", "capacity", ("for team managers",), ()),
    (PRACTITIONER, "/caseload", "help", ("what you can ask", "/caseload capacity"), ()),
    (PRACTITIONER, "/protected", "", ("not in your protected year",), ()),
    (NQSW, "/protected", "", ("month 4 of 12", "BREACH", "N-NQ-CP", "2 of 6 academy modules"),
     ()),
    (PRACTITIONER, "/protected", "team", ("for team managers",), ("Nia Newly",)),
    (PRACTITIONER, "/protected", "NQ1", (NOT_YOURS,), ("month 4", "Nia Newly")),
    (PRACTITIONER, "/actions", "", ("Your outstanding actions", "A1", "12d overdue"),
     ("Reduce unallocated", "CFA-01")),
    (PRACTITIONER, "/actions", "mine", ("Your outstanding actions", "A1"), ("CFA-01",)),
    (PRACTITIONER, "/actions", "overdue", ("Your overdue actions", "A1"), ()),
    (PRACTITIONER, "/actions", "plan Improvement", ("Improvement", "A1"), ("CFA-01",)),
    (PRACTITIONER, "/actions", "done A1 Monthly report shows 96% of visits in time",
     ("marked done by Sam Worker", "96% of visits"), ()),
    (PRACTITIONER, "/actions", "update A1 Visits rota agreed", ("Update added", "rota"), ()),
    (PRACTITIONER, "/actions", "done A3 not mine", (NOT_YOURS,), ("Reduce unallocated",)),
    (PRACTITIONER, "/supervision", "", ("Your supervision", "32d overdue"), ("Sue Worker",)),
    (PRACTITIONER, "/supervision", "log SW2 2026-03-10", (NOT_YOURS,), ("Sue Worker",)),
    # --- team manager ---
    (MANAGER, "/caseload", "", ("Caseload — Assessment North", "Sam Worker", "over cap",
                                 "Unallocated"), ("Sid Worker",)),
    (MANAGER, "/caseload", "<@USW1|sam>", ("Caseload — Sam Worker", "N-CP-001"), ()),
    (MANAGER, "/caseload", "sol.worker@council.example", ("Caseload — Sol Worker",), ()),
    (MANAGER, "/caseload", "team assessment north", ("Caseload — Assessment North",), ()),
    (MANAGER, "/caseload", "team Assessment South", (NOT_YOURS, "Assessment North"),
     ("Sid Worker",)),
    (MANAGER, "/caseload", "team Nowhere", (NOT_YOURS, "Assessment North"), ()),
    (MANAGER, "/caseload", "<@USW3|sid>", (NOT_YOURS,), ("S-CIN", "Sid Worker")),
    (MANAGER, "/caseload", "unallocated", ("Unallocated cases", "N-UNALLOC"), ("S-CIN",)),
    (MANAGER, "/caseload", "overdue", ("Overdue visits and reviews", "N-LAC-001"), ()),
    (MANAGER, "/caseload", "capacity", ("Who can take a new case", "Sol Worker", "Nia Newly"),
     ("Sam Worker",)),
    (MANAGER, "/caseload", "capacity cp", ("Who can take a CP case", "Sol Worker"),
     ("Nia Newly",)),
    (MANAGER, "/caseload", "capacity lac", ("Who can take a LAC case",), ()),
    (MANAGER, "/caseload", "capacity dog", ("isn't a case type",), ()),
    (MANAGER, "/protected", "team", ("NQSW protection", "Nia Newly", "BREACH"), ()),
    (MANAGER, "/protected", "team Assessment North", ("Nia Newly",), ()),
    (MANAGER, "/protected", "<@UNQ1|nia>", ("Protected year — Nia Newly", "month 4 of 12"), ()),
    (MANAGER, "/protected", "<@USW3|sid>", (NOT_YOURS,), ("Sid Worker",)),
    (MANAGER, "/actions", "", ("Outstanding actions", "A1", "A2", "CFA-01"),
     ("Reduce unallocated", "CFA-02")),
    (MANAGER, "/actions", "mine", ("A2",), ("CFA-01",)),
    (MANAGER, "/actions", "overdue", ("Overdue actions", "A1"), ("Protect NQSW",)),
    (MANAGER, "/actions", "plan case file audit q3", ("Case file audit Q3", "CFA-01"), ("A1",)),
    (MANAGER, "/actions", "plan Nothing", (NOT_YOURS, "Improvement"), ()),
    (MANAGER, "/actions", "done A1 Checked twenty files", ("marked done by Tara Manager",), ()),
    (MANAGER, "/actions", "update CFA-01 Chronology started", ("Update added", "CFA-01"), ()),
    (MANAGER, "/actions", "done CFA-02 not my team", (NOT_YOURS,), ()),
    (MANAGER, "/supervision", "", ("Supervision", "Sam Worker", "32d overdue", "NQSW"),
     ("Sid Worker",)),
    (MANAGER, "/supervision", "log SW1 2026-03-13", ("logged by Tara Manager",), ()),
    (MANAGER, "/supervision", "log <@USW1|sam> 13/03/2026", ("logged by Tara Manager",), ()),
    (MANAGER, "/supervision", "log SW1 2026-04-01", ("in the future",), ()),
    (MANAGER, "/supervision", "log SW3 2026-03-13", (NOT_YOURS,), ("Sid Worker",)),
    (MANAGER, "/supervision", "log SW1 2026-02-30", ("isn't a real date",), ()),
    # --- head of service ---
    (HEAD, "/caseload", "", ("Assessment North", "Assessment South", "Sid Worker",
                             "Sam Worker"), ("Eve Helper",)),
    (HEAD, "/caseload", "team Assessment South", ("Caseload — Assessment South", "Sid Worker"),
     ()),
    (HEAD, "/caseload", "team Family Support", (NOT_YOURS,),
     ("Eve Helper",)),
    (HEAD, "/caseload", "<@UEH1|eve>", (NOT_YOURS,), ("F-EH", "Eve Helper")),
    (HEAD, "/caseload", "<@USW3|sid>", ("Caseload — Sid Worker", "S-CIN-001"), ()),
    (HEAD, "/caseload", "unallocated", ("N-UNALLOC",), ()),
    (HEAD, "/caseload", "overdue", ("N-LAC-001",), ()),
    (HEAD, "/caseload", "capacity cin", ("Who can take a CIN case", "Sid Worker"), ()),
    (HEAD, "/protected", "team", ("Nia Newly", "BREACH"), ()),
    (HEAD, "/protected", "", ("not in your protected year",), ()),
    (HEAD, "/actions", "", ("A1", "A2", "Reduce unallocated", "CFA-01"), ("CFA-02",)),
    (HEAD, "/actions", "overdue", ("A1", "A3"), ("CFA-02",)),
    (HEAD, "/actions", "done A3 Unallocated cases down to 0", ("marked done by Helen Head",), ()),
    (HEAD, "/supervision", "", ("Sid Worker", "Sam Worker", "Tara Manager"), ("Eve Helper",)),
    (HEAD, "/supervision", "log TM1 2026-03-12", ("logged by Helen Head",), ()),
    (HEAD, "/supervision", "log SW1 2026-03-12", ("Only Sam Worker's manager",), ()),
    # --- admin ---
    (ADMIN, "/caseload", "", ("Eve Helper", "Sid Worker", "Sam Worker"), ()),
    (ADMIN, "/caseload", "team Family Support", ("Caseload — Family Support", "Eve Helper"), ()),
    (ADMIN, "/caseload", "<@UEH1|eve>", ("Caseload — Eve Helper", "F-EH-001"), ()),
    (ADMIN, "/caseload", "unallocated", ("N-UNALLOC",), ()),
    (ADMIN, "/caseload", "capacity", ("Eve Helper",), ()),
    (ADMIN, "/protected", "team", ("Nia Newly",), ()),
    (ADMIN, "/actions", "", ("CFA-02", "A1", "A3"), ()),
    (ADMIN, "/actions", "done CFA-02 Step-down recorded", ("marked done by Adam Admin",), ()),
    (ADMIN, "/supervision", "", ("Eve Helper", "Sam Worker"), ()),
    (ADMIN, "/supervision", "log SW1 2026-03-12", ("Only Sam Worker's manager",), ()),
    # --- /remind: the asker's own reminders ---
    (PRACTITIONER, "/remind", "", ("Your daily reminders are on", "Next:"), ()),
    (PRACTITIONER, "/remind", "off", ("Daily reminders are off.", "/remind on"), ()),
    (PRACTITIONER, "/remind", "at 07:45", ("Daily reminders moved", "07:45"), ()),
    (PRACTITIONER, "/remind", "at 05:00", ("outside working hours",), ()),
    # --- what anyone may type wrong ---
    (PRACTITIONER, "/caseload", "banana split!", ("isn't a /caseload option",
                                                  "/caseload team NAME"), ()),
    (PRACTITIONER, "/caseload", "banana split", ("banana split",), ("Sam Worker",)),
    (MANAGER, "/caseload", "capacty cp", ("Did you mean /caseload capacity cp?",), ()),
    (MANAGER, "/actions", "done", ("Say which action",), ()),
    (MANAGER, "/supervision", "log", ("Say whose supervision",), ()),
]


def case_id(case: tuple[str, str, str, tuple[str, ...], tuple[str, ...]]) -> str:
    asker, command, text, *_ = case
    return f"{asker}:{command} {text}".strip()


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_each_command_and_argument_form_answers_correctly_for_each_role(
    seeded_slack: ServedSlack, case: tuple[str, str, str, tuple[str, ...], tuple[str, ...]],
) -> None:
    asker, command, text, must, must_not = case
    answer = seeded_slack.ask(asker, command, text)
    shown = answer_text(answer)
    for words in must:
        assert words in shown, f"{words!r} missing from {shown[:600]}"
    for words in must_not:
        assert words not in shown, f"{words!r} should not be shown: {shown[:600]}"
    assert answer.body["response_type"] == "ephemeral"  # asked in a channel


def test_mark_done_by_command_records_who_when_and_evidence(
    seeded_slack: ServedSlack, engine: Engine,
) -> None:
    seeded_slack.ask(PRACTITIONER, "/actions", "done A1 Audit of 20 files: every visit in time")
    with Session(engine) as session:
        action = session.exec(select(Action).where(Action.ref == "A1")).one()
        update = session.exec(select(ActionUpdate).where(ActionUpdate.action_id == action.id)).one()
    assert (action.status, action.evidence) == ("done",
                                               "Audit of 20 files: every visit in time")
    assert action.completed_date is not None and action.completed_by_id == update.author_id
    entry = audit_entries(engine)[-1]
    assert (entry.front_end, entry.actor, entry.outcome) == ("slack", "SW1", "changed")
    assert entry.command.startswith("/actions done A1")


def test_supervision_log_is_recorded_by_the_manager(seeded_slack: ServedSlack,
                                                    engine: Engine) -> None:
    seeded_slack.ask(MANAGER, "/supervision", "log SW1 2026-03-13")
    with Session(engine) as session:
        logged = session.exec(select(Supervision).where(Supervision.kind == "logged in chat")).one()
    assert logged.date.isoformat() == "2026-03-13"


def test_every_question_is_audited_with_the_slack_front_end(seeded_slack: ServedSlack,
                                                            engine: Engine) -> None:
    seeded_slack.ask(MANAGER, "/caseload", "team Assessment South")
    entry = audit_entries(engine)[-1]
    assert (entry.front_end, entry.actor, entry.command, entry.outcome) == (
        "slack", "TM1", "/caseload team Assessment South", "refused")
    assert "xoxb" not in entry.command + entry.detail + entry.scope


def test_another_teams_data_is_refused(seeded_slack: ServedSlack) -> None:
    refused = answer_text(seeded_slack.ask(MANAGER, "/caseload", "team Assessment South"))
    assert NOT_YOURS in refused and "Sid Worker" not in refused


def test_unknown_user_is_refused_politely_with_how_to_register(
    seeded_slack: ServedSlack, engine: Engine,
) -> None:
    answer = seeded_slack.ask("UNOBODY", "/caseload")
    shown = answer_text(answer)
    assert "don't know who you are yet" in shown and "Ask your team manager" in shown
    assert answer.body["response_type"] == "ephemeral"
    entry = audit_entries(engine)[-1]
    assert (entry.actor, entry.outcome) == ("UNOBODY", "refused")


def test_slack_email_matches_a_user_without_a_slack_id(seeded_slack: ServedSlack) -> None:
    seeded_slack.fake.add_user("UNEWSOL", email="Sol.Worker@council.example")
    shown = answer_text(seeded_slack.ask("UNEWSOL", "/caseload"))
    assert "Your caseload" in shown
    assert seeded_slack.fake.calls_to("users.info")[-1].body["user"] == "UNEWSOL"


def test_answers_listing_people_are_ephemeral_even_in_a_dm(seeded_slack: ServedSlack) -> None:
    answer = seeded_slack.ask(MANAGER, "/caseload", "", channel=DM)
    assert answer.body["response_type"] == "ephemeral"


def test_answers_listing_nobody_are_shown_in_a_dm(seeded_slack: ServedSlack) -> None:
    help_answer = seeded_slack.ask(MANAGER, "/caseload", "help", channel=DM)
    assert help_answer.body["response_type"] == "in_channel"
    in_channel = seeded_slack.ask(MANAGER, "/caseload", "help")
    assert in_channel.body["response_type"] == "ephemeral"


def test_refusals_are_ephemeral_even_in_a_dm(seeded_slack: ServedSlack) -> None:
    refusal = seeded_slack.ask(PRACTITIONER, "/caseload", "team Assessment North", channel=DM)
    assert refusal.body["response_type"] == "ephemeral"


def test_words_typed_in_the_bots_dm_are_answered_there(seeded_slack: ServedSlack) -> None:
    response = seeded_slack.send_dm(MANAGER, "caseload team Assessment North", channel="D0TARA")
    assert response.status_code == 200
    posted = seeded_slack.fake.wait_for("chat.postMessage",
                                        where=lambda call: call.body["channel"] == "D0TARA")[0]
    assert "Caseload — Assessment North" in answer_text(posted)


def test_help_in_the_dm_lists_every_command(seeded_slack: ServedSlack) -> None:
    seeded_slack.send_dm(PRACTITIONER, "help", channel="D0SAMHELP")
    posted = seeded_slack.fake.wait_for("chat.postMessage",
                                        where=lambda call: call.body["channel"] == "D0SAMHELP")[0]
    shown = answer_text(posted)
    for command in ("/caseload", "/protected", "/actions", "/supervision"):
        assert command in shown


def test_the_bots_own_messages_and_edits_are_not_answered(seeded_slack: ServedSlack) -> None:
    seeded_slack.send_event({"type": "message", "channel_type": "im", "channel": "D0LOOP",
                             "user": "UBOT", "bot_id": "BBOT", "text": "caseload"})
    seeded_slack.send_event({"type": "message", "subtype": "message_changed",
                             "channel_type": "im", "channel": "D0LOOP", "user": "USW1",
                             "text": "caseload"})
    seeded_slack.send_dm(PRACTITIONER, "help", channel="D0LOOP")  # a real one, to wait for
    seeded_slack.fake.wait_for("chat.postMessage",
                               where=lambda call: call.body["channel"] == "D0LOOP")
    time.sleep(SETTLE_SECONDS)  # anything wrongly answered would have arrived by now
    assert len([call for call in seeded_slack.fake.calls_to("chat.postMessage")
                if call.body["channel"] == "D0LOOP"]) == 1


def test_a_redelivered_event_is_answered_once(seeded_slack: ServedSlack) -> None:
    event = {"type": "message", "channel_type": "im", "channel": "D0TWICE", "user": "USW1",
             "text": "help"}
    seeded_slack.send_event(event, event_id="Ev0SAME")
    seeded_slack.send_event(event, event_id="Ev0SAME")
    seeded_slack.send_dm(PRACTITIONER, "caseload", channel="D0TWICE")
    seeded_slack.fake.wait_for("chat.postMessage", count=2,
                               where=lambda call: call.body["channel"] == "D0TWICE")
    time.sleep(SETTLE_SECONDS)
    assert len([call for call in seeded_slack.fake.calls_to("chat.postMessage")
                if call.body["channel"] == "D0TWICE"]) == 2


def test_slack_email_lookups_are_cached_per_user(seeded_slack: ServedSlack) -> None:
    seeded_slack.fake.add_user("UCACHED", email="sol.worker@council.example")
    for _ in range(3):
        assert "Your caseload" in answer_text(seeded_slack.ask("UCACHED", "/caseload"))
    asked = [call for call in seeded_slack.fake.calls_to("users.info")
             if call.body["user"] == "UCACHED"]
    assert len(asked) == 1


@pytest.mark.parametrize(("asker", "command", "words", "out_of_scope", "nonexistent"), [
    (PRACTITIONER, "/caseload", "{}", "SW3", "SW999"),
    (MANAGER, "/protected", "{}", "<@USW3|sid>", "<@UNOBODY|x>"),
    (MANAGER, "/supervision", "log {} 2026-03-13", "SW3", "SW999"),
    (MANAGER, "/caseload", "team {}", "Assessment South", "Nowhere Else"),
    (PRACTITIONER, "/actions", "plan {}", "Case file audit Q3", "No Such Plan"),
    (PRACTITIONER, "/actions", "done {} evidence", "A3", "ZZ9"),
    (MANAGER, "/actions", "update {} a note", "CFA-02", "ZZ9"),
], ids=["person by id", "person by mention", "supervision log", "team",
        "plan", "action done", "action update"])
def test_out_of_scope_and_nonexistent_are_refused_alike(
    seeded_slack: ServedSlack, asker: str, command: str, words: str, out_of_scope: str,
    nonexistent: str,
) -> None:
    """Whether a person, team, plan or action exists outside the asker's scope or not at all,
    the refusal is word for word the same (but for what was typed), and names nothing else."""
    refusals = []
    for typed in (out_of_scope, nonexistent):
        shown = answer_text(seeded_slack.ask(asker, command, words.format(typed)))
        assert NOT_YOURS in shown
        refusals.append(shown.replace(typed.split("|")[0].strip("<@"), "TYPED")
                        .replace(typed, "TYPED"))
    assert refusals[0] == refusals[1]
    for hidden in ("Sid Worker", "Case file audit Q3", "Reduce unallocated", "S-CIN"):
        assert hidden not in refusals[0].replace("TYPED", "")
