"""`/remind` (SPEC sections 3 and 10): the asker's own reminders — shown, switched off and on,
moved within working hours; stored per person and audited; the same words in every front end."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from commands import Command, ParseError, parse
from models import AuditEntry, ReminderPreference
from queries.access import Identity
from queries.answer import ask
from render.slack import render_slack
from render.teams import render_teams
from render.text import render_text
from tests.builders import Builder

LONDON = ZoneInfo("Europe/London")
THURSDAY = date(2026, 12, 24)
#: Thursday 24 December 2026, 09:00: today's 08:30 has passed; Fri 25 and Mon 28 are bank
#: holidays, Sat and Sun the weekend, so the next reminder day is Tuesday 29 December.
NOW = datetime(2026, 12, 24, 9, 0, tzinfo=LONDON)


def person(session) -> None:  # type: ignore[no-untyped-def]
    build = Builder(session, THURSDAY)
    team = build.team("North", build.service())
    build.staff("SW1", "Sam Worker", team=team, slack_user_id="USW1")
    build.staff("SW2", "Sue Worker", team=team, slack_user_id="USW2")
    session.commit()


def asked(engine, settings, text: str, who: str = "SW1"):  # type: ignore[no-untyped-def]
    return ask(engine, Identity("cli", staff_id=who), text, today=THURSDAY, settings=settings,
               now=NOW).answer


def test_the_grammar_reads_every_remind_form() -> None:
    assert parse("remind") == Command(verb="remind", scope="show", raw="remind")
    assert parse("off", verb="/remind").scope == "off"
    assert parse("/remind ON").scope == "on"
    assert parse("remind at 7:45").at_time == "07:45"
    for wrong in ("remind at 25:00", "remind at noon", "remind later", "remind off now"):
        assert isinstance(parse(wrong), ParseError), wrong


def test_remind_shows_on_by_default_and_the_next_working_day_after_the_bank_holidays(
        engine, session, settings) -> None:
    person(session)
    shown = asked(engine, settings, "/remind")
    assert (shown.enabled, shown.at_time, shown.own_time) == (True, "08:30", False)
    assert shown.next_time == datetime(2026, 12, 29, 8, 30, tzinfo=LONDON)
    assert "Next: Tue 29 Dec at 08:30." in render_text(shown)


def test_off_on_and_at_are_stored_for_the_asker_only_and_audited(engine, session,
                                                                   settings) -> None:
    person(session)
    off = asked(engine, settings, "/remind off")
    assert not off.enabled and off.next_time is None
    assert "Daily reminders are off." in render_text(off)
    moved = asked(engine, settings, "/remind at 07:15")
    assert (moved.enabled, moved.at_time, moved.own_time) == (True, "07:15", True)
    assert moved.next_time == datetime(2026, 12, 29, 7, 15, tzinfo=LONDON)
    assert asked(engine, settings, "/remind", who="SW2").at_time == "08:30"  # not theirs
    with Session(engine) as fresh:
        [stored] = fresh.exec(select(ReminderPreference)).all()
        assert (stored.enabled, stored.at_time) == (True, "07:15")
        audit = [(entry.command, entry.outcome) for entry in fresh.exec(
            select(AuditEntry).order_by(AuditEntry.id)).all()]
    assert audit == [("/remind off", "changed"), ("/remind at 07:15", "changed"),
                     ("/remind", "answered")]


def test_a_time_outside_working_hours_is_refused(engine, session, settings) -> None:
    person(session)
    refused = asked(engine, settings, "/remind at 06:00")
    assert "outside working hours" in render_text(refused) and "07:00" in render_text(refused)
    with Session(engine) as fresh:
        assert fresh.exec(select(ReminderPreference)).all() == []


def test_slack_and_teams_show_the_same_words(engine, session, settings) -> None:
    person(session)
    shown = asked(engine, settings, "remind")
    assert "Tue 29 Dec at 08:30" in str(render_slack(shown))
    assert "Tue 29 Dec at 08:30" in render_teams(shown).text
