"""SPEC section 10's breach alerts after each import: new breaches to the manager at once (an
unallocated case to the head of service too), once per breach episode — again only if it
cleared and came back. Through the recording Slack API and the real delivery record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from jobs.alerts import (
    DETECTORS,
    agency_worker_outside_rules,
    send_alerts_after_import,
)
from jobs.notes import PacedSender, SlackNotes
from jobs.slack_poster import slack_client
from models import AlertEpisode, Case, Delivery, Service
from tests.builders import Builder

TUESDAY = date(2026, 12, 1)


@pytest.fixture
def team(session):  # type: ignore[no-untyped-def]
    """North (manager TM1, head of service HOS1): SW1 at 17 of 18 cases, NQ1 an NQSW with one
    CIN case, a CP case waiting for allocation since it opened 3 working days ago."""
    build = Builder(session, TUESDAY)
    service = build.service()
    north = build.team("Assessment North", service)
    hos = build.staff("HOS1", "Helen Head", "head_of_service", service=service,
                      slack_user_id="UHOS1")
    tm1 = build.staff("TM1", "Tara Manager", "team_manager", team=north, slack_user_id="UTM1")
    build.set_manager(north, tm1)
    sw1 = build.staff("SW1", "Sam Worker", team=north, manager=tm1, slack_user_id="USW1")
    nq1 = build.staff("NQ1", "Nia Newly", "nqsw", team=north, manager=tm1, slack_user_id="UNQ1",
                      asye_start=TUESDAY - timedelta(days=60),
                      start_date=TUESDAY - timedelta(days=60))
    build.cases("N-SW1", 17, "CIN", north, sw1)
    build.case("N-NQ-CIN", "CIN", north, nq1)
    build.case("N-WAIT", "CP", north, None, start_date=date(2026, 11, 26))
    session.commit()
    return {"north": north, "hos": hos, "sw1": sw1, "nq1": nq1}


def alerts(engine, slack_settings, today: date = TUESDAY):  # type: ignore[no-untyped-def]
    poster = SlackNotes(slack_settings, client=slack_client(slack_settings, backoff_s=0.05))
    return send_alerts_after_import(engine, slack_settings, today, [poster],
                                    pace=PacedSender(0))


def posts(slack) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(call.body["channel"], call.body["text"])
            for call in slack.calls_to("chat.postMessage")]


def change(engine, case_ref: str, **values) -> None:  # type: ignore[no-untyped-def]
    """What an import does to a case (an allocation, a reallocation)."""
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.case_ref == case_ref)).one()
        for name, value in values.items():
            setattr(case, name, value)
        session.add(case)
        session.commit()


def test_no_breach_no_alert(engine, team, slack, slack_settings) -> None:
    run = alerts(engine, slack_settings)
    assert run.opened == [] and slack.calls == []


def test_an_nqsw_made_lead_on_a_cp_case_is_alerted_to_the_manager_once(
        engine, team, slack, slack_settings) -> None:
    change(engine, "N-NQ-CIN", case_type="CP")
    first = alerts(engine, slack_settings)
    assert first.opened == ["nqsw_cp_lead NQ1/N-NQ-CIN"] and first.sent == 1
    [(to, text)] = posts(slack)
    assert to == "UTM1"
    assert "Nia Newly (NQ1) is in their protected year and is lead worker on CP case N-NQ-CIN" \
        in text and "Reallocate N-NQ-CIN" in text
    again = alerts(engine, slack_settings)  # the next import: the breach persists
    assert again.opened == [] and len(posts(slack)) == 1


def test_an_alert_episode_that_clears_and_returns_is_alerted_again(
        engine, team, slack, slack_settings) -> None:
    build_more = [f"N-SW1-X{n}" for n in range(2)]
    with Session(engine) as session:
        builder = Builder(session, TUESDAY)
        for ref in build_more:
            builder.case(ref, "CIN", team["north"], team["sw1"])
        session.commit()
    assert alerts(engine, slack_settings).opened == ["over_cap SW1"]  # 19 against 18
    change(engine, "N-SW1-X0", end_date=TUESDAY - timedelta(days=1))
    change(engine, "N-SW1-X1", end_date=TUESDAY - timedelta(days=1))
    cleared = alerts(engine, slack_settings)
    assert cleared.cleared == 1 and cleared.opened == []
    change(engine, "N-SW1-X0", end_date=None)
    change(engine, "N-SW1-X1", end_date=None)
    back = alerts(engine, slack_settings)
    assert back.opened == ["over_cap SW1"] and back.sent == 1
    over_cap = [text for to, text in posts(slack) if "Sam Worker (SW1) leads 19" in text]
    assert len(over_cap) == 2
    with Session(engine) as session:
        episodes = session.exec(select(AlertEpisode).order_by(AlertEpisode.id)).all()
    assert [(e.kind, e.subject, e.cleared_on) for e in episodes] == [
        ("over_cap", "SW1", TUESDAY), ("over_cap", "SW1", None)]


def test_a_case_unallocated_beyond_5_working_days_goes_to_the_manager_and_head(
        engine, team, slack, slack_settings) -> None:
    # Opened Thu 26 Nov: 3 working days by Tue 1 Dec, 6 by Fri 4 Dec.
    assert alerts(engine, slack_settings).opened == []
    later = alerts(engine, slack_settings, today=date(2026, 12, 4))
    assert later.opened == ["unallocated N-WAIT"] and later.sent == 2
    assert sorted(to for to, _text in posts(slack)) == ["UHOS1", "UTM1"]
    assert all("CP case N-WAIT has had no allocated social worker for 6 working days" in text
               for _to, text in posts(slack))
    with Session(engine) as session:
        periods = {row.period for row in session.exec(select(Delivery)).all()}
    assert len(periods) == 1 and periods.pop().startswith("episode-")


def test_an_alert_carries_a_button_that_runs_the_command_showing_the_detail(
        engine, team, slack, slack_settings) -> None:
    change(engine, "N-NQ-CIN", case_type="CP")
    alerts(engine, slack_settings)
    [call] = slack.calls_to("chat.postMessage")
    [buttons] = [block for block in call.body["blocks"] if block["type"] == "actions"]
    assert [(b["action_id"], b["value"]) for b in buttons["elements"]] == [
        ("run_command:0", "protected NQ1")]


def test_an_agency_worker_newly_outside_the_rules_is_alerted_until_an_exception_is_recorded(
        engine, team, slack, slack_settings, session) -> None:
    assert agency_worker_outside_rules in DETECTORS
    build = Builder(session, TUESDAY)
    build.staff("AG1", "Alex Agency", team=team["north"], agency=True,
                qualified_date=TUESDAY - timedelta(days=365 * 5), agency_reference=True,
                agency_notice_weeks=6, agency_hourly_rate=40.0)  # notice over 4 weeks
    session.commit()
    first = alerts(engine, slack_settings)
    assert first.opened == ["agency_rules AG1"] and first.sent == 1
    [(to, text)] = posts(slack)
    assert to == "UTM1" and "Alex Agency (AG1)" in text and "notice 6 weeks, over 4" in text
    assert alerts(engine, slack_settings).opened == []  # the same episode: not again
    with Session(engine) as later:
        from models import Staff
        worker = later.exec(select(Staff).where(Staff.staff_id == "AG1")).one()
        worker.agency_exception_approved_by = "HOS1"
        later.add(worker)
        later.commit()
    assert alerts(engine, slack_settings).cleared == 1


@pytest.mark.parametrize("what", ["file", "folder"])
def test_bot_import_alerts_after_a_committed_import_and_not_after_a_dry_run(
        engine, team, slack, tmp_path, database_url, monkeypatch, what: str) -> None:
    """`bot.py import cases FILE` and `bot.py import FOLDER` alike."""
    from typer.testing import CliRunner

    import bot
    from config import reset_settings_cache

    folder = tmp_path / "extract"
    folder.mkdir()
    extract = folder / "cases.csv"
    extract.write_text("case_ref,case_type,start_date,team,allocated_worker_id\n"
                       "N-NEW-CP,CP,2026-11-30,Assessment North,NQ1\n")
    command = ["import", "cases", str(extract)] if what == "file" else ["import", str(folder)]
    for name, value in (("DATABASE_URL", database_url), ("SLACK_BOT_TOKEN", "xoxb-test"),
                        ("SLACK_API_URL", slack.url), ("REMIND_SENDS_PER_SECOND", "0")):
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    try:
        dry = CliRunner().invoke(bot.app, [*command, "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "Breach alerts" not in dry.output and slack.calls == []
        done = CliRunner().invoke(bot.app, command)
        assert done.exit_code == 0, done.output
    finally:
        reset_settings_cache()
    assert "Breach alerts: " in done.output  # the run's "today" is the real one (the CLI's)
    [to] = [to for to, text in posts(slack) if "lead worker on CP case N-NEW-CP" in text]
    assert to == "UTM1"


def test_the_nightly_ingest_alerts_after_a_load(engine, team, slack, slack_settings,
                                                tmp_path) -> None:
    from dataclasses import replace
    from datetime import datetime, timezone

    from jobs.ingest import ingest

    folder = tmp_path / "nightly"
    folder.mkdir()
    (folder / "cases.csv").write_text("case_ref,case_type,start_date,team,allocated_worker_id\n"
                                      "N-NEW-CP,CP,2026-11-30,Assessment North,NQ1\n")
    settings = replace(slack_settings, import_dir=str(folder), remind_sends_per_second=0)
    outcome = ingest(engine, settings, now=datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc))
    assert outcome.status == "loaded"
    [to] = [to for to, text in posts(slack) if "lead worker on CP case N-NEW-CP" in text]
    assert to == "UTM1"


def test_an_alert_slack_refused_is_sent_on_the_next_import_while_the_breach_lasts(
        engine, team, slack, slack_settings) -> None:
    change(engine, "N-NQ-CIN", case_type="CP")
    slack.fail_next("chat.postMessage", 500, times=3)  # the client's retries used up
    first = alerts(engine, slack_settings)
    assert first.sent == 0 and len(first.failed) == 1
    second = alerts(engine, slack_settings)
    assert second.opened == [] and second.sent == 1
    assert [to for to, _text in posts(slack)] == ["UTM1"]
    assert alerts(engine, slack_settings).sent == 0  # sent: not again


def test_the_whole_council_checks_stream_the_cases_never_holding_them_all(
        session, team, monkeypatch) -> None:
    """After every import the over-cap check and the daily reminders pass over every open case
    in the council: at a million cases, holding them as a list took an import's memory from
    96 MB to 900 MB (bench.import_memory). The cases must reach the rules as a stream, and the
    over-cap check take a few teams at a time."""
    import jobs.alerts
    import queries.reminders
    from config import Settings
    from jobs.alerts import worker_over_cap
    from queries.reminders import build_reminders

    seen: list[object] = []

    def spying(real):  # type: ignore[no-untyped-def]
        def spy(workers, cases, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(cases)
            return real(workers, cases, *args, **kwargs)
        return spy

    monkeypatch.setattr(jobs.alerts, "worker_loads", spying(jobs.alerts.worker_loads))
    monkeypatch.setattr(jobs.alerts, "ALERT_TEAMS_PER_PASS", 1)
    build = Builder(session, TUESDAY)
    south = build.team("Assessment South", session.get(Service, team["north"].service_id))
    heavy = build.staff("SW2", "Sid Worker", team=south)
    build.cases("S-SW2", 19, "CIN", south, heavy)
    session.commit()

    found = worker_over_cap(session, TUESDAY, Settings())
    assert [breach.subject for breach in found] == ["SW2"]  # 19 against 18; SW1 17 is not
    assert len(seen) == 2  # one pass a team
    assert not any(isinstance(cases, (list, tuple)) or hasattr(cases, "__len__")
                   for cases in seen)

    streamed: list[object] = []
    real_open_cases = queries.reminders.stream_open_cases

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        streamed.append(result := real_open_cases(*args, **kwargs))
        return result

    monkeypatch.setattr(queries.reminders, "stream_open_cases", recording)
    assert build_reminders(session, TUESDAY, Settings())
    assert streamed and not any(hasattr(cases, "__len__") for cases in streamed)
