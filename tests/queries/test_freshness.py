"""Every answer and digest says how fresh its data is; stale data gets a warning (SPEC 9), and
admins see the imports' state with `/caseload status` (SPEC 3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from config import Settings
from jobs.digests import all_services, build_digest
from queries.access import Identity
from queries.answer import ask
from queries.results import StatusAnswer
from render.digest_text import render_digest_text
from render.slack import render_slack
from render.teams import render_teams
from render.text import render_text
from tests.builders import Builder, small_council

LONDON = ZoneInfo("Europe/London")
#: 09:30 on a winter Tuesday in London (UTC = local time).
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
TODAY = NOW.date()
STALE = "Warning: this data is"


@pytest.fixture
def council(session: Session):  # type: ignore[no-untyped-def]
    return small_council(session, TODAY)


def loaded(session: Session, at: datetime, **extra) -> None:  # type: ignore[no-untyped-def]
    Builder(session, TODAY).import_run("cases", at, **extra)
    session.commit()


def answer_as(engine, who: str, text: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return ask(engine, Identity("cli", staff_id=who), text, today=TODAY, settings=Settings(),
               now=now).answer


def test_every_answer_ends_with_when_its_data_was_loaded(engine, session, council) -> None:
    loaded(session, datetime(2026, 12, 1, 6, 2, tzinfo=timezone.utc))
    for who, text in (("TM1", "/caseload"), ("SW1", "/caseload"), ("NQ1", "/protected"),
                      ("TM1", "/actions"), ("TM1", "/supervision"), ("TM1", "/caseload overdue"),
                      ("TM1", "/caseload capacity cp"), ("TM1", "/caseload unallocated"),
                      ("TM1", "/staffing"), ("TM1", "/staffing agency"),
                      ("TM1", "/staffing registration"), ("TM1", "who can take a CP case?")):
        answer = answer_as(engine, who, text)
        assert render_text(answer).endswith("\nData from the 06:02 import today."), text
        slack_last = render_slack(answer)["blocks"][-1]
        assert slack_last["elements"][0]["text"] == "Data from the 06:02 import today."
        assert render_teams(answer).card["body"][-1]["text"] == \
            "Data from the 06:02 import today."


def test_a_refused_load_is_not_fresh_data(engine, session, council) -> None:
    loaded(session, datetime(2026, 11, 30, 6, 2, tzinfo=timezone.utc))
    loaded(session, datetime(2026, 12, 1, 6, 2, tzinfo=timezone.utc), refused=True)
    assert render_text(answer_as(engine, "TM1", "/caseload")).endswith(
        "\nData from the 06:02 import yesterday.")


@pytest.mark.parametrize(("age", "stale"), [
    (timedelta(hours=36), False),
    (timedelta(hours=36, minutes=1), True),
])
def test_data_older_than_stale_after_hours_gets_a_warning(engine, session, council, age,
                                                          stale) -> None:
    loaded(session, NOW - age)
    text = render_text(answer_as(engine, "TM1", "/caseload"))
    assert (STALE in text) is stale
    if stale:
        assert text.endswith("Data from the import of Sun 29 Nov 2026 at 21:29.\nWarning: this "
                             "data is 36 hours old (more than 36 hours), so it may be out of "
                             "date. Ask the bot's administrator to check the imports.")


def test_a_stale_answer_warns_in_slack_and_teams_too(engine, session, council) -> None:
    loaded(session, NOW - timedelta(days=4))
    answer = answer_as(engine, "TM1", "/caseload")
    assert render_slack(answer)["blocks"][-1]["elements"][0]["text"].startswith(
        ":warning: Warning: this data is 4 days old")
    assert render_teams(answer).card["body"][-1]["color"] == "Warning"


def test_every_digest_says_how_fresh_its_data_is(engine, session, council) -> None:
    loaded(session, datetime.now(timezone.utc) - timedelta(days=3))
    [service, *_] = all_services(session)
    for kind in ("staffing", "supervision", "actions"):
        text = render_digest_text(build_digest(session, kind, service, TODAY, Settings()))
        assert "Data from the import of" in text and STALE in text, kind


def test_no_recorded_load_says_nothing_rather_than_guess(engine, council) -> None:
    assert "Data from" not in render_text(answer_as(engine, "TM1", "/caseload"))


def test_caseload_status_shows_admins_the_last_loads_refusals_and_unmatched_users(
    engine, session, council
) -> None:
    build = Builder(session, TODAY)
    build.import_run("staff", datetime(2026, 11, 30, 6, 1, tzinfo=timezone.utc), created=3)
    build.import_run("cases", datetime(2026, 11, 30, 6, 2, tzinfo=timezone.utc), updated=5,
                     closed=2, rows_read=40)
    build.import_run("cases", datetime(2026, 12, 1, 6, 2, tzinfo=timezone.utc), refused=True,
                     problems=3)
    session.commit()
    ask(engine, Identity("slack", slack_user_id="UNOBODY"), "/caseload", today=TODAY,
        settings=Settings(), now=NOW - timedelta(hours=1))

    answer = answer_as(engine, "ADM1", "/caseload status")
    assert isinstance(answer, StatusAnswer)
    text = render_text(answer)
    assert "cases (cases.csv): refused Tue 01 Dec 2026 06:02 by job:ingest, 3 problems" in text
    assert ("staff (staff.csv): Mon 30 Nov 2026 06:01 by job:ingest, 0 rows read, 3 created, "
            "0 updated, 0 closed") in text
    assert "UNOBODY (slack): refused 1 time, last Tue 01 Dec 2026 08:30" in text
    assert text.endswith("Data from the 06:02 import yesterday.")
    for block in render_slack(answer)["blocks"]:
        assert block["type"] in ("header", "context", "section")


def test_caseload_status_is_for_admins_only(engine, council) -> None:
    refusal = answer_as(engine, "TM1", "/caseload status")
    assert "administrators" in render_text(refusal)
