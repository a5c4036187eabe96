"""SPEC section 10's daily reminders: the days, the window, what each person sees, exactly once.

The council is built with tests/builders.py; messages go to the recording Slack Web API
(tests/fakes/slack_api.py) through the real slack_sdk client, retries and all.

Thursday 24 December 2026 is a working day; Christmas (Fri 25) and the substitute Boxing Day
(Mon 28) are England and Wales bank holidays, so three working days on from the 24th is Thursday
31 December.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from jobs.notes import PacedSender, SlackNotes
from jobs.reminders import NOTHING_DUE, preview, run_reminders
from jobs.slack_poster import slack_client
from models import Delivery, ReminderPreference
from queries.calendar import add_working_days
from queries.reminders import build_reminders
from tests.builders import Builder

LONDON = ZoneInfo("Europe/London")
THURSDAY = date(2026, 12, 24)
AT_0830 = datetime(2026, 12, 24, 8, 30, tzinfo=LONDON)
CASE_REF = re.compile(r"\b[A-Z]{1,4}\d?-[A-Z0-9-]+\b")


def cp_visit_due_on(due: date) -> date:
    """The last visit that makes a CP case's next visit (every 10 working days) due on `due`."""
    return add_working_days(due, -10)


@pytest.fixture
def people(session):  # type: ignore[no-untyped-def]
    """North (manager TM1, Slack UTM1): SW1 with cases due in and beyond the window, SW2 with
    nothing due, NQ1 an NQSW leading a CP case (a breach TM1 hears about); an unallocated case."""
    build = Builder(session, THURSDAY)
    service = build.service()
    north = build.team("Assessment North", service)
    tm1 = build.staff("TM1", "Tara Manager", "team_manager", team=north, slack_user_id="UTM1")
    build.set_manager(north, tm1)
    sw1 = build.staff("SW1", "Sam Worker", team=north, manager=tm1, slack_user_id="USW1")
    sw2 = build.staff("SW2", "Sue Worker", team=north, manager=tm1, slack_user_id="USW2")
    nq1 = build.staff("NQ1", "Nia Newly", "nqsw", team=north, manager=tm1, slack_user_id="UNQ1",
                      asye_start=THURSDAY - timedelta(days=60),
                      start_date=THURSDAY - timedelta(days=60))
    build.case("N-IN-WINDOW", "CP", north, sw1, last_visit=cp_visit_due_on(date(2026, 12, 31)))
    build.case("N-AFTER", "CP", north, sw1, last_visit=cp_visit_due_on(date(2027, 1, 4)))
    build.case("N-LATE", "CP", north, sw1, last_visit=cp_visit_due_on(date(2026, 12, 21)))
    build.case("N-REVIEW", "CIN", north, sw1, next_review=date(2026, 12, 29))
    build.case("N-SW2", "CIN", north, sw2)
    build.case("N-NQ-CP", "CP", north, nq1, last_visit=cp_visit_due_on(date(2026, 12, 23)))
    build.case("N-NOBODY", "CIN", north, None)
    for person in (tm1, sw1, sw2, nq1):
        build.supervision(person, THURSDAY - timedelta(days=3))
    plan = build.plan("Improvement")
    build.action(plan, "A1", "Audit the CP visits", sw1, THURSDAY + timedelta(days=6))
    build.action(plan, "A2", "Later work", sw1, THURSDAY + timedelta(days=30))
    session.commit()
    return {"tm1": tm1, "sw1": sw1, "sw2": sw2, "nq1": nq1}


def notes(slack_settings):  # type: ignore[no-untyped-def]
    return [SlackNotes(slack_settings, client=slack_client(slack_settings, backoff_s=0.05))]


def unpaced() -> PacedSender:
    return PacedSender(0)


def posted(slack) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {call.body["channel"]: call.body["text"] for call in slack.calls_to("chat.postMessage")}


def reminder_rows(engine) -> list[Delivery]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.digest == "reminder")).all())


def test_the_window_is_three_working_days_across_the_christmas_bank_holidays(
        session, people, settings) -> None:
    by_staff = {r.staff_id: r for r in build_reminders(session, THURSDAY, settings)}
    visits = {visit.case_ref: visit for visit in by_staff["SW1"].visits}
    assert set(visits) == {"N-IN-WINDOW", "N-LATE"}  # due Thu 31 Dec: in; Mon 4 Jan: not
    assert visits["N-LATE"].days_overdue == 3 and visits["N-IN-WINDOW"].days_overdue == 0
    assert [review.case_ref for review in by_staff["SW1"].reviews] == ["N-REVIEW"]
    assert [action.ref for action in by_staff["SW1"].actions] == ["A1"]  # A2 is 30 days away
    assert by_staff["SW2"].empty


def test_a_manager_hears_of_their_teams_in_counts(session, people, settings) -> None:
    [team] = {r.staff_id: r for r in build_reminders(session, THURSDAY, settings)}["TM1"].teams
    assert (team.team, team.overdue_visits, team.nqsw_breaches, team.unallocated) == (
        "Assessment North", 2, 1, 1)


@pytest.mark.parametrize("holiday", [date(2026, 12, 26), date(2026, 12, 27), date(2026, 12, 25),
                                     date(2026, 12, 28)], ids=["sat", "sun", "christmas",
                                                               "boxing-day-substitute"])
def test_no_reminders_on_weekends_or_bank_holidays(engine, people, slack, slack_settings,
                                                   holiday) -> None:
    run = run_reminders(engine, slack_settings, holiday, notes(slack_settings), pace=unpaced())
    assert "not a reminder day" in run.note
    assert slack.calls == [] and reminder_rows(engine) == []


def test_one_dm_each_to_those_with_something_due_and_none_to_the_rest(
        engine, people, slack, slack_settings) -> None:
    run = run_reminders(engine, slack_settings, THURSDAY, notes(slack_settings),
                        pace=unpaced())
    assert run.ok and sorted(run.sent) == ["NQ1", "SW1", "TM1"]
    assert sorted(posted(slack)) == ["UNQ1", "USW1", "UTM1"]  # SW2 has nothing due: no message
    rows = {row.destination: (row.status, row.period, row.message_ref) for row in
            reminder_rows(engine)}
    assert rows["slack-dm:USW2"] == ("sent", "2026-12-24", NOTHING_DUE)
    again = run_reminders(engine, slack_settings, THURSDAY, notes(slack_settings),
                          pace=unpaced())
    assert again.sent == [] and len(slack.calls_to("chat.postMessage")) == 3


def test_no_reminder_names_a_child_or_shows_another_persons_cases(
        engine, people, slack, slack_settings) -> None:
    run_reminders(engine, slack_settings, THURSDAY, notes(slack_settings), pace=unpaced())
    own = {"USW1": {"N-IN-WINDOW", "N-LATE", "N-REVIEW"}, "UNQ1": {"N-NQ-CP"}, "UTM1": set()}
    for call in slack.calls_to("chat.postMessage"):
        shown = str(call.body["blocks"]) + call.body["text"]
        assert set(CASE_REF.findall(shown)) - {"A1"} <= own[call.body["channel"]]
        # staff names of others never appear, nor any child detail (there is none to show)
        for name in ("Sam Worker", "Sue Worker", "Nia Newly"):
            assert name not in shown
    nq1 = posted(slack)["UNQ1"]
    assert "N-NQ-CP" in nq1 and "N-IN-WINDOW" not in nq1


def test_opt_out_is_honoured_and_a_chosen_time_waits_for_its_hour(
        engine, people, slack, slack_settings) -> None:
    with Session(engine) as session:
        session.add(ReminderPreference(staff_id=people["sw1"].id, enabled=False,
                                       updated_at=AT_0830))
        session.add(ReminderPreference(staff_id=people["nq1"].id, enabled=True, at_time="10:00",
                                       updated_at=AT_0830))
        session.commit()
    first = run_reminders(engine, slack_settings, THURSDAY, notes(slack_settings),
                          now=AT_0830, pace=unpaced())
    assert first.sent == ["TM1"]
    later = run_reminders(engine, slack_settings, THURSDAY, notes(slack_settings),
                          now=AT_0830.replace(hour=10, minute=15), pace=unpaced())
    assert later.sent == ["NQ1"]
    assert "USW1" not in posted(slack)


def test_a_slack_429_is_waited_out_and_retried_and_each_person_gets_one(
        engine, people, slack, slack_settings) -> None:
    slack.fail_next("chat.postMessage", 429, times=2, retry_after=1)
    run = run_reminders(engine, slack_settings, THURSDAY, notes(slack_settings),
                        pace=unpaced())
    assert run.ok and len(run.sent) == 3
    assert len(slack.calls_to("chat.postMessage", ok_only=False)) == 5  # two refused, retried
    assert sorted(posted(slack)) == ["UNQ1", "USW1", "UTM1"]
    assert len(slack.calls_to("chat.postMessage")) == 3


def test_sends_are_spread_at_the_configured_rate(engine, people, slack, slack_settings) -> None:
    pauses: list[float] = []
    fixed = PacedSender(2.0, sleep=pauses.append, clock=lambda: 100.0)
    run_reminders(engine, slack_settings, THURSDAY, notes(slack_settings), pace=fixed)
    assert pauses == [0.5, 1.0]  # three messages at 2 a second: the 2nd and 3rd wait their turn


def test_the_dry_run_preview_posts_and_records_nothing(engine, people, slack,
                                                       slack_settings) -> None:
    shown = dict(preview(engine, replace(slack_settings, slack_bot_token=""), THURSDAY))
    assert sorted(shown) == ["NQ1", "SW1", "TM1"]
    assert "N-LATE (CP) — overdue by 3 days" in shown["SW1"]
    assert slack.calls == [] and reminder_rows(engine) == []


def test_bot_remind_dry_run_prints_each_message_and_a_real_run_sends_once(
        engine, people, slack, slack_settings, capsys) -> None:
    from jobs.remind_cli import run_remind_command

    settings = replace(slack_settings, remind_sends_per_second=0)
    assert run_remind_command(THURSDAY, True, settings) == 0
    out = capsys.readouterr().out
    assert "--- to SW1 ---" in out and "N-IN-WINDOW (CP) — due Thu 31 Dec" in out
    assert "nothing was posted or recorded" in out and slack.calls == []
    assert run_remind_command(THURSDAY, False, settings) == 0
    assert run_remind_command(THURSDAY, False, settings) == 0
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert run_remind_command(date(2026, 12, 25), False, settings) == 0
    assert "not a reminder day" in capsys.readouterr().out


def test_cpd_and_registration_are_reminded_in_the_renewal_season_only() -> None:
    """From 1 September: CPD not yet met; from 1 November: at risk; before: nothing (SPEC 4)."""
    from config import Settings
    from models import Staff
    from queries.reminders import registration_lines

    settings = Settings()
    short = Staff(staff_id="SW9", name="Sasha Short", email="sw9@x.org", role="social_worker",
                  fte=1.0, start_date=date(2020, 1, 1), swe_no="SW123456", cpd_records=1,
                  cpd_peer_reflection=False)
    assert registration_lines(short, date(2027, 8, 31), settings) == ()
    [september] = registration_lines(short, date(2027, 9, 1), settings)
    assert september.startswith("Your CPD for the registration year is not yet met: 1 record, "
                                "none with peer reflection")
    [november] = registration_lines(short, date(2027, 11, 1), settings)
    assert november.startswith("At risk: your CPD") and "30 November" in november
    done = Staff(**{**short.model_dump(), "cpd_records": 2, "cpd_peer_reflection": True})
    assert registration_lines(done, date(2027, 11, 1), settings) == ()
    unnumbered = Staff(**{**short.model_dump(), "swe_no": None})
    [missing] = registration_lines(unnumbered, date(2027, 10, 1), settings)
    assert missing.startswith("No Social Work England registration number")
