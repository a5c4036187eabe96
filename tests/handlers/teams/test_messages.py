"""SPEC section 3 in Teams: the commands as messages to the bot, answered per role (section 2),
over real HTTP, with what the bot sent read back from the connector it was given."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies
from sqlmodel import Session, select

from models import AuditEntry, Supervision
from queries.access import NOT_REGISTERED
from queries.results import Unavailable
from tests.handlers.teams.conftest import USERS

# (who, words typed to the bot, phrases the answer must contain)
EVERY_COMMAND = [
    # A practitioner: their own cases, status, actions and supervision.
    ("SW1", "caseload", ["Your caseload", "CR-S00", "visit 39d overdue"]),
    ("SW1", "caseload SW1", ["Your caseload", "CR-S01"]),
    ("SW1", "caseload overdue", ["Your overdue visits and reviews", "review 4d overdue"]),
    ("SW1", "protected", ["You are not in your protected year"]),
    ("SW1", "actions", ["Your outstanding actions", "3.1", "Practitioner reflective logs",
                        "Mark done", "Add update"]),
    ("SW1", "actions mine", ["Your outstanding actions", "3.1"]),
    ("SW1", "actions overdue", ["Your overdue actions", "Nothing outstanding"]),
    ("SW1", "supervision", ["Your supervision", "Sam Worker", "12d overdue"]),
    ("SW1", "help", ["what you can ask", "caseload capacity [cp|cin|lac]",
                     "actions done REF evidence text"]),
    ("SW1", "caseload help", ["caseload team NAME", "caseload unallocated"]),
    # An NQSW: their protected year, breach and all.
    ("NQ1", "protected", ["Your protected year", "month 3 of 12", "BREACH", "CR-N03"]),
    # A team manager: their team.
    ("TM1", "caseload", ["Caseload — Assessment North", "Priya Parttime", "102% of 10.8",
                         "over cap", "Unallocated"]),
    ("TM1", "caseload team Assessment North", ["Caseload — Assessment North", "Nia Newly"]),
    ("TM1", "caseload @sam", ["Caseload — Sam Worker", "CR-S00"]),
    ("TM1", "caseload sam@council.gov.uk", ["Caseload — Sam Worker"]),
    ("TM1", "caseload unallocated", ["Unallocated cases", "CR-U01", "unallocated"]),
    ("TM1", "caseload overdue", ["Overdue visits and reviews — Assessment North", "CR-S00"]),
    ("TM1", "caseload capacity cp", ["Who can take a CP case", "Sam Worker", "Headroom"]),
    ("TM1", "protected team", ["NQSW protection — Assessment North", "Nia Newly", "BREACH"]),
    ("TM1", "protected NQ1", ["Protected year — Nia Newly", "CP cases as lead"]),
    ("TM1", "actions", ["Outstanding actions", "1.1", "22d overdue", "3.1"]),
    ("TM1", "actions overdue", ["Overdue actions", "1.1", "90% of visits in timescale"]),
    ("TM1", "actions plan Ofsted ILACS 2025", ["Ofsted ILACS 2025", "1.1", "3.1"]),
    ("TM1", "supervision", ["Supervision", "Sam Worker", "Nia Newly", "fortnightly"]),
    ("TM1", "supervision log NQ1 2026-11-20", ["Supervision for **Nia Newly** on Fri 20 Nov "
                                               "2026 logged by Tess Manager"]),
    # A head of service: every team in their service.
    ("HS1", "caseload", ["Assessment North, Child Protection East", "Carl Protect"]),
    ("HS1", "caseload team Child Protection East", ["Caseload — Child Protection East",
                                                     "Carl Protect"]),
    ("HS1", "protected team", ["Nia Newly", "BREACH"]),
    ("HS1", "actions", ["1.1", "1.2", "Reduce unallocated cases"]),
    ("HS1", "supervision", ["Colin Manager", "Carl Protect"]),
    ("HS1", "staffing agency", ["Agency workers — Your service",
                                "DfE quarterly agency return due"]),
    ("HS1", "staffing registration", ["Social Work England registration — Your service"]),
    # An admin: everything.
    ("AD1", "caseload team Children in Care 1", ["Cleo Care"]),
    ("AD1", "actions", ["2.1", "Care plan quality", "53d overdue"]),
    ("AD1", "caseload unallocated", ["CR-U01"]),
    ("AD1", "supervision", ["Cara Manager", "Cleo Care"]),
]

NOT_YOURS = ": not found or not yours to see"  # out of scope or nonexistent alike
REFUSED = [
    ("SW1", "caseload team Assessment North", "That question is for team managers"),
    ("SW1", "caseload unallocated", "That question is for team managers"),
    ("SW1", "caseload SW2", "I can't show you 'SW2'" + NOT_YOURS),
    ("SW1", "supervision log NQ1 2026-11-20", "I can't show you 'NQ1'" + NOT_YOURS),
    ("TM1", "caseload team Child Protection East",
     "I can't show you team 'Child Protection East'" + NOT_YOURS),
    ("TM1", "caseload SW3", "I can't show you 'SW3'" + NOT_YOURS),
    ("HS1", "caseload team Children in Care 1",
     "I can't show you team 'Children in Care 1'" + NOT_YOURS),
    ("TM1", "actions plan Nope", "I can't show you plan 'Nope'" + NOT_YOURS),
    ("SW1", "actions done 1.1 I did it", "I can't show you action '1.1'" + NOT_YOURS),
]


@pytest.mark.parametrize(("who", "text", "phrases"), EVERY_COMMAND,
                         ids=[f"{who}: {text}" for who, text, _ in EVERY_COMMAND])
def test_every_command_is_answered_for_each_role(chat, council, who, text, phrases) -> None:
    reply = chat.ask(who, text)
    for phrase in phrases:
        assert phrase in reply


@pytest.mark.parametrize(("who", "text", "reason"), REFUSED,
                         ids=[f"{who}: {text}" for who, text, _ in REFUSED])
def test_what_a_role_may_not_see_is_refused_and_audited(chat, council, engine, who, text,
                                                       reason) -> None:
    assert reason in chat.ask(who, text)
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).order_by(
            AuditEntry.id.desc())).first()  # type: ignore[union-attr]
    assert (entry.front_end, entry.actor, entry.outcome) == ("teams", who, "refused")
    assert entry.command == text


def test_an_answer_is_an_adaptive_card_table_with_flags_and_a_text_fallback(chat, council
                                                                             ) -> None:
    conversation = chat.send("TM1", "caseload")
    sent = chat.connector.activities(conversation)[0]
    card = sent.card
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    table = next(element for element in card["body"] if element["type"] == "Table")
    header = [cell["items"][0]["text"] for cell in table["rows"][0]["cells"]]
    assert header[0] == "Worker" and header[-1] == "Flags"
    priya = next(row for row in table["rows"][1:]
                 if row["cells"][0]["items"][0]["text"] == "Priya Parttime")
    flags = priya["cells"][-1]["items"][0]
    assert flags["text"] == "over cap" and flags["color"] == "Attention"
    assert "Priya Parttime" in card["fallbackText"]
    assert sent.body["summary"].startswith("Caseload — Assessment North")


def test_the_reply_goes_to_the_conversation_at_the_activity_service_url(chat, council) -> None:
    conversation = chat.send("SW1", "caseload")
    [sent] = chat.connector.activities(conversation)
    assert sent.path.startswith(f"/v3/conversations/{conversation}/activities")
    assert sent.authorization is None  # anonymous local mode: no token sent either


def test_a_user_is_matched_by_their_entra_object_id_without_asking_the_roster(chat, council
                                                                             ) -> None:
    assert "Your caseload" in chat.ask("SW1", "caseload")
    assert chat.connector.of_kind("member") == []


def test_a_user_unknown_by_object_id_is_matched_by_the_roster_email_once(chat, council) -> None:
    # Priya's staff record has no Teams id; the roster gives her e-mail (in another case).
    assert "Your caseload" in chat.ask("SW2", "caseload")
    [lookup] = chat.connector.of_kind("member")
    assert lookup.path == "/v3/conversations/a:personal-29:priya/members/29:priya"
    chat.send("SW2", "supervision")
    assert chat.connector.of_kind("member") == [lookup]  # cached: the roster is asked once


def test_an_unknown_user_is_refused_politely_and_the_refusal_audited(chat, council, engine
                                                                     ) -> None:
    reply = chat.ask("STRANGER", "caseload")
    assert NOT_REGISTERED.reason in reply
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.front_end, entry.actor, entry.outcome, entry.scope) == (
        "teams", "aad-stranger", "refused", "unknown user")


def test_a_mention_of_the_bot_is_not_part_of_the_command(chat, council) -> None:
    chat.connector.reset()
    conversation = chat.send("TM1", "<at>Caseload bot</at> supervision log NQ1 2026-11-21")
    assert "logged by Tess Manager" in chat.reply(conversation)


def test_a_supervision_logged_in_teams_is_in_the_store(chat, council, engine) -> None:
    chat.ask("TM1", "supervision log NQ1 21/11/2026")
    with Session(engine) as session:
        dates = [row.date.isoformat() for row in session.exec(select(Supervision)).all()]
    assert "2026-11-21" in dates


def test_words_not_understood_get_what_was_wrong_and_the_right_form(chat, council) -> None:
    reply = chat.ask("TM1", "caseload capacity dogs")
    assert "isn't a case type I can check capacity for" in reply
    assert "caseload capacity [cp|cin|lac]" in reply
    assert "/caseload" not in reply  # Teams users type the words, not a slash command


def test_an_empty_message_says_there_is_no_command(chat, council) -> None:
    assert "There is no command in that message" in chat.ask("SW1", "")


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=strategies.text(max_size=300))
def test_junk_text_always_gets_a_short_plain_answer_never_an_error(chat, council, junk) -> None:
    reply = chat.ask("TM1", junk)
    assert reply
    assert "Traceback" not in reply and "Exception" not in reply
    assert Unavailable().message not in reply


def test_a_nul_character_in_a_message_is_answered_not_an_outage(chat, council) -> None:
    # PostgreSQL cannot store NUL in the audit log's text; the words are still answered.
    assert "Your caseload" in chat.ask("SW1", "case\x00load")
    assert "There is no command in that message" in chat.ask("SW1", "\x00")


def test_a_database_outage_is_the_plain_try_again_message(chat, council, monkeypatch) -> None:
    import handlers.teams.bot as bot_module
    from sqlalchemy.exc import OperationalError

    def store_down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(bot_module.TeamsBot, "known", store_down)
    reply = chat.ask("SW1", "caseload")
    assert reply == Unavailable().message


def test_a_roster_outage_is_the_plain_try_again_message(chat, council) -> None:
    chat.connector.reset()
    chat.connector.failing.add("member")
    conversation = chat.send("SW2", "caseload")
    assert chat.replies(conversation) == [Unavailable().message]


def test_a_person_is_named_by_the_mention_entity_not_the_shortened_mention_text(
        chat, council) -> None:
    """Teams lets a user shorten a mention pill to "Nia"; the entity still says who it is
    (a Teams id, which the roster turns into the Entra object id on the staff record)."""
    user = USERS["TM1"]
    conversation, channel_data = chat.place(user, "personal")
    nia = USERS["NQ1"]
    activity = chat.activity(
        "message", user, conversation, channel_data, textFormat="plain",
        text="caseload <at>Nia</at>",
        entities=[{"type": "mention", "text": "<at>Nia</at>",
                   "mentioned": {"id": nia.id, "name": "Nia Newly"}}])
    chat.connector.reset()
    response = chat.post(activity)
    assert response.status_code in (200, 202)
    reply = chat.reply(conversation["id"])
    assert "Caseload — Nia Newly" in reply


def test_a_long_table_has_a_more_button_that_asks_again_for_the_next_page(
        chat, council, engine) -> None:
    from datetime import timedelta

    from sqlmodel import Session

    from models import Staff
    from tests.builders import COUNCIL_DAY as TODAY

    with Session(engine) as session:
        north = council["north"]
        for number in range(45):
            session.add(Staff(staff_id=f"XW{number:03d}", name=f"Extra Worker{number:03d}",
                              email=f"xw{number:03d}@council.gov.uk", role="social_worker",
                              team_id=north.id, service_id=north.service_id, fte=1.0,
                              start_date=TODAY - timedelta(days=400)))
        session.commit()
    chat.ask("HS1", "caseload")
    card = chat.connector.activities()[-1].card
    buttons = [action for element in card["body"] if element.get("type") == "ActionSet"
               for action in element["actions"]]
    assert [button["data"]["verb"] for button in buttons] == ["more_rows"]
    data = buttons[0]["data"]
    assert data["command"] == "caseload" and data["offset"] > 0

    chat.connector.reset()
    conversation = chat.send("HS1", value=data)
    second = chat.reply(conversation)
    assert f"Showing {data['offset'] + 1}–" in second
