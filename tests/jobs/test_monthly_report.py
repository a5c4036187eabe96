"""SPEC section 11: with REPORT_MONTHLY on, each head of service gets their report by Slack DM on
the first working day of the month (England and Wales bank holidays), exactly once."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlmodel import Session, select

from jobs.monthly_report import MONTHLY_REPORT_JOB_ID, first_working_day, run_monthly_reports
from jobs.scheduler import start_scheduler
from jobs.slack_poster import slack_client
from models import Delivery
from tests.builders import small_council
from tests.jobs.test_scheduler import schedulers  # noqa: F401  (fixture)

LONDON = ZoneInfo("Europe/London")
FIRST_WORKING_DAY_2027 = date(2027, 1, 4)  # 1 January is a bank holiday, then a weekend


def test_the_first_working_day_skips_weekends_and_bank_holidays() -> None:
    assert first_working_day(date(2027, 1, 20)) == FIRST_WORKING_DAY_2027
    assert first_working_day(date(2026, 12, 10)) == date(2026, 12, 1)
    assert first_working_day(date(2026, 8, 31)) == date(2026, 8, 3)  # 1st is a Saturday
    assert first_working_day(date(2027, 5, 9)) == date(2027, 5, 4)  # then early May bank holiday


def test_each_head_of_service_gets_their_report_once_on_the_first_working_day(
    engine, slack, slack_settings
) -> None:
    with Session(engine) as session:
        small_council(session, FIRST_WORKING_DAY_2027)
    settings = replace(slack_settings, report_months=3)
    client = slack_client(settings, backoff_s=0.01)

    assert run_monthly_reports(engine, settings, client, date(2027, 1, 1)).not_first_working_day
    first = run_monthly_reports(engine, settings, client, FIRST_WORKING_DAY_2027)
    again = run_monthly_reports(engine, settings, client, FIRST_WORKING_DAY_2027)
    later = run_monthly_reports(engine, settings, client, date(2027, 1, 5))
    assert (first.sent, first.already, again.sent, again.already) == (1, 0, 0, 1)
    assert later.not_first_working_day and later.sent == 0

    assert [call.body.get("users") for call in slack.calls_to("conversations.open")] == ["UHOS1"]
    [done] = slack.calls_to("files.completeUploadExternal")
    assert done.body["channel_id"].startswith("D")
    upload = slack.calls_to("upload")[0]
    pdf = upload.raw[upload.raw.index(b"%PDF"):]
    cover = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Performance report — Safeguarding" in cover and "31 December 2026" in cover
    with Session(engine) as session:
        rows = session.exec(select(Delivery)).all()
    assert [(row.digest, row.period, row.destination, row.status) for row in rows] == [
        ("report", "2027-01", "slack:dm:UHOS1", "sent")]


def test_the_monthly_job_is_scheduled_only_when_report_monthly_is_on(
    engine, slack_settings, schedulers  # noqa: F811
) -> None:
    quiet = replace(slack_settings, slack_bot_token="")
    running = start_scheduler(replace(quiet, report_monthly=True), engine)
    schedulers.append(running)
    job = running.get_job(MONTHLY_REPORT_JOB_ID)
    local = job.next_run_time.astimezone(LONDON)
    assert local.strftime("%H:%M") == "08:00" and local.weekday() < 5
    running.shutdown(wait=True)

    running = start_scheduler(quiet, engine)  # switched off: the stored job is removed
    schedulers.append(running)
    assert running.get_job(MONTHLY_REPORT_JOB_ID) is None
