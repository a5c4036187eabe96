"""Issue #14: a head of service's long table is paged, not cut at 40 rows — a "More" button in
Slack asks the same question again and shows the next page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from render.slack import ACTION_MORE
from tests.builders import Builder, Council
from tests.fakes.slack_api import RESPONSE_URL_METHOD
from tests.handlers.slack.harness import TODAY, ServedSlack, answer_text, audit_entries
from tests.handlers.slack.test_interactivity import click

WORKERS = 70


def add_workers(engine: Engine, council: Council) -> None:
    with Session(engine, expire_on_commit=False) as session:
        build = Builder(session, TODAY)
        north = session.merge(council.teams["north"])
        for number in range(WORKERS):
            build.staff(f"XW{number:03d}", f"Extra Worker{number:03d}", team=north,
                        start_date=TODAY - timedelta(days=400))
        session.commit()


def more_button(call) -> dict:
    for block in call.body["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == ACTION_MORE:
                return {"action_id": ACTION_MORE, "block_id": block["block_id"],
                        "value": element["value"], "type": "button",
                        "action_ts": "1700000000.2"}
    raise AssertionError("no More button")


def test_a_long_table_is_paged_with_a_more_button_that_shows_the_next_rows(
        slack: ServedSlack, engine: Engine, council: Council) -> None:
    add_workers(engine, council)
    first = slack.ask("UHOS1", "/caseload")
    assert len(first.body["blocks"]) <= 50
    shown = answer_text(first)
    assert "Extra Worker000" in shown and "more" in shown
    pressed = more_button(first)
    assert pressed["block_id"].endswith("|/caseload")  # the question rides on the button

    before = len(slack.fake.calls_to(RESPONSE_URL_METHOD))
    click(slack, "UHOS1", pressed, slack.fake.base + first.path)
    second = slack.fake.wait_for(RESPONSE_URL_METHOD, count=before + 1)[-1]
    following = answer_text(second)
    start = int(pressed["value"])
    assert f"Showing {start + 1}–" in following
    names_first = {name for name in (f"Extra Worker{n:03d}" for n in range(WORKERS))
                   if name in shown}
    names_second = {name for name in (f"Extra Worker{n:03d}" for n in range(WORKERS))
                    if name in following}
    assert names_second and not names_first & names_second  # the next rows, not the same
    assert [entry.command for entry in audit_entries(engine)][-1] == "/caseload"
