"""Issue #14: flags where a manager looks — an NQSW leading a CP case in the team table, how
long each unallocated case has waited, cut text that says it was cut, proper plurals, and a
header on every column."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlmodel import Session

from config import Settings
from queries.access import Identity
from queries.answer import ask
from queries.results import CaseList, CaseloadTable
from render.slack import render_blocks, render_slack
from render.teams import render_teams
from render.text import render_text
from tests.builders import Builder, small_council

TODAY = date(2026, 3, 2)


@pytest.fixture
def council(engine):
    with Session(engine, expire_on_commit=False) as session:
        people = small_council(session, TODAY)
        build = Builder(session, TODAY)
        build.case("N-WAIT-OLD", "CP", people.teams["north"], None,
                   start_date=TODAY - timedelta(days=200))
        build.action(people.plans["improvement"], "A9", "Audit every CP plan " + "x" * 120,
                     people["SW1"], TODAY + timedelta(days=3), measure="m" * 80)
        session.commit()
        return people


def answer(engine, who: str, text: str):
    return ask(engine, Identity("cli", staff_id=who), text, today=TODAY,
               settings=Settings()).answer


def test_an_nqsw_leading_a_cp_case_is_flagged_in_the_team_table(engine, council) -> None:
    table = answer(engine, "TM1", "/caseload")
    assert isinstance(table, CaseloadTable)
    nia = next(row for row in table.rows if row.staff_id == "NQ1")
    assert "NQSW lead on 1 CP case" in nia.flags
    assert "NQSW lead on 1 CP case" in render_text(table)
    slack = json.dumps(render_slack(table)["blocks"])  # a Block Kit table: emoji + bold text
    assert '{"type": "emoji", "name": "red_circle"}, {"type": "text", "text": " NQSW lead on 1 ' \
           'CP case", "style": {"bold": true}}' in slack
    assert ":red_circle: *NQSW lead on 1 CP case*" in str(render_blocks(table))  # App Home
    assert "NQSW lead on 1 CP case" in str(render_teams(table).card)


def test_the_unallocated_list_shows_how_long_each_case_has_waited(engine, council) -> None:
    unallocated = answer(engine, "TM1", "/caseload unallocated")
    assert isinstance(unallocated, CaseList)
    assert [(row.case_ref, row.days_waiting) for row in unallocated.cases] == [
        ("N-WAIT-OLD", 200), ("N-UNALLOC", 90)]  # longest wait first
    shown = render_text(unallocated)
    assert "waiting 200 days" in shown and "waiting 90 days" in shown


def test_cut_text_ends_with_an_ellipsis(engine, council) -> None:
    shown = render_text(answer(engine, "TM1", "/actions"))
    line = next(line for line in shown.splitlines() if line.startswith("A9"))
    assert "Audit every CP plan xxxx" in line and "x…" in line and "m…" in line


COMMANDS = ["/caseload", "/caseload overdue", "/caseload unallocated", "/caseload capacity",
            "/protected team", "/actions", "/supervision", "/caseload Nia Newly"]


@pytest.mark.parametrize("typed", COMMANDS)
def test_no_answer_says_case_s_or_visit_s(engine, council, typed) -> None:
    found = answer(engine, "TM1", typed)
    for shown in (render_text(found), str(render_slack(found)), str(render_teams(found).card)):
        assert not re.search(r"\w\(s\)", shown), shown


def test_every_supervision_column_has_a_header(engine, council) -> None:
    supervision = answer(engine, "TM1", "/supervision")
    header = render_text(supervision).splitlines()[2]
    assert header.split() == ["Name", "Team", "NQSW", "Frequency", "Last", "Next", "due",
                              "Status"]
    table = next(item for item in render_teams(supervision).card["body"]
                 if item["type"] == "Table")
    headers = [cell["items"][0]["text"].strip() for cell in table["rows"][0]["cells"]]
    assert all(headers) and "NQSW" in headers
