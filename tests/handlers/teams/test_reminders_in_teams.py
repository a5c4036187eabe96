"""SPEC section 10 in Teams: a reminder goes to the person's stored 1:1 chat, once a day, through
the same delivery record as Slack's; a note's button is answered as the command it names."""

from __future__ import annotations

from sqlmodel import Session, select

from config import Settings
from jobs.notes import PacedSender, TeamsNotes
from jobs.reminders import run_reminders
from models import Delivery
from tests.handlers.teams.test_install import added_to_personal_chat
from tests.builders import COUNCIL_DAY as TODAY

SAM_CHAT = "a:personal-29:sam"


def test_a_reminder_goes_to_the_persons_teams_chat_once(chat, council, engine) -> None:
    chat.post(added_to_personal_chat(chat, "SW1"))
    chat.connector.reset()
    poster = TeamsNotes(Settings(), engine)
    run_reminders(engine, Settings(), TODAY, [poster], pace=PacedSender(0))
    run_reminders(engine, Settings(), TODAY, [poster], pace=PacedSender(0))
    [sent] = chat.connector.activities(SAM_CHAT)
    assert "Your reminders for Mon 23 Nov" in sent.text
    with Session(engine) as session:
        row = session.exec(select(Delivery).where(
            Delivery.destination == "teams-dm:aad-sw1")).one()
    assert (row.digest, row.period, row.status, row.attempts) == ("reminder", "2026-11-23",
                                                                  "sent", 1)


def test_a_note_button_is_answered_as_the_command_it_names(chat, council) -> None:
    conversation = chat.send("SW1", value={"command": "caseload overdue"})
    assert "overdue" in chat.reply(conversation).lower()


def test_remind_off_in_teams_is_the_same_command(chat, council) -> None:
    assert "Daily reminders are off." in chat.ask("SW1", "remind off")
    assert "working days at 07:30" in chat.ask("SW1", "remind at 07:30")
