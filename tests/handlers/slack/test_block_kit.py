"""render/slack.py: every answer as Block Kit, inside Slack's limits, flags loud, user text inert.

(Renderer tests sit with the Slack front end they serve; they need no server.)
"""

from __future__ import annotations

import json
import typing
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from queries import results
from queries.results import (
    AgencyAnswer,
    AgencyRow,
    RegistrationAnswer,
    RegistrationRow,
    StaffingAnswer,
    StaffingFigureRow,
    ActionChanged,
    ActionList,
    ActionRow,
    CapacityList,
    CapacityRow,
    CaseList,
    CaseloadTable,
    CaseRow,
    HelpAnswer,
    Invalid,
    ProtectionAnswer,
    ReadAs,
    ProtectionStatus,
    Refusal,
    ReportRequested,
    SupervisionList,
    StatusAnswer,
    ReminderSettings,
    SupervisionLogged,
    LoadLine,
    UnmatchedUser,
    SupervisionRow,
    Unavailable,
    WorkerLoad,
)
from render.slack import clip, escape, render_blocks, render_slack
from render.text import render_text

DAY = date(2026, 3, 16)
HOSTILE = "<!channel> & <@U0BOSS|boss> <https://evil.example|click>"


def load(name: str = "Sam Worker", total: int = 10, **extra: Any) -> WorkerLoad:
    values: dict[str, Any] = dict(staff_id="SW1", name=name, team="North", fte=1.0, cp=2, cin=5,
                                  lac=2, other=total - 9, total=total, cap=18.0, is_nqsw=False,
                                  overdue_visits=0, overdue_reviews=0,
                                  supervision_overdue_days=0)
    return WorkerLoad(**{**values, **extra})


def case(ref: str = "CR-1", **extra: Any) -> CaseRow:
    values: dict[str, Any] = dict(case_ref=ref, case_type="CP", team="North", lead="Sam Worker",
                                  co_worker=None, start_date=DAY, last_visit=DAY, visit_due=DAY,
                                  visit_days_overdue=0, next_review=DAY, review_days_overdue=0)
    return CaseRow(**{**values, **extra})


def status(name: str = "Nia Newly", **extra: Any) -> ProtectionStatus:
    values: dict[str, Any] = dict(
        staff_id="NQ1", name=name, team="North", in_protected_year=True,
        asye_start=DAY - timedelta(days=100), protection_end=DAY + timedelta(days=265), month=4,
        open_cases=5, protected_cap=16.2, cp_lead_cases=(), cp_co_worked=1, academy_passed=2,
        academy_required=6, supervision_frequency="fortnightly", last_supervision=DAY,
        next_supervision_due=DAY + timedelta(days=14), supervision_overdue_days=0,
        next_review=(6, DAY + timedelta(days=80)), development_time_pct=10)
    return ProtectionStatus(**{**values, **extra})


def action(ref: str = "A1", **extra: Any) -> ActionRow:
    values: dict[str, Any] = dict(plan="Improvement", ref=ref, action="Visit every child",
                                  owner="Sam Worker", owner_staff_id="SW1", agency=None,
                                  area=None, due_date=DAY, days_overdue=0, measure=None,
                                  status="open", last_note=None)
    return ActionRow(**{**values, **extra})


def supervision(name: str = "Sam Worker", **extra: Any) -> SupervisionRow:
    values: dict[str, Any] = dict(staff_id="SW1", name=name, team="North", is_nqsw=False,
                                  frequency="monthly", last=DAY, next_due=DAY, days_overdue=0)
    return SupervisionRow(**{**values, **extra})


def every_answer(rows: int) -> list[Any]:
    """One of every result type, each listing `rows` rows."""
    return [
        Refusal("No.", "Ask your manager."),
        Invalid("Not understood.", "/caseload team NAME"),
        Unavailable(),
        HelpAnswer((("/caseload", "your scope"),) * rows),
        CaseloadTable("Caseload — North", DAY, tuple(load(f"W{i}") for i in range(rows)),
                      10 * rows, float(rows), 3),
        CaseList("Unallocated cases", DAY, tuple(case(f"CR-{i}") for i in range(rows)),
                 "None.", "summary"),
        CapacityList("Who can take a new case", DAY, None,
                     tuple(CapacityRow(f"S{i}", f"W{i}", "North", 1.0, 4, 18.0, False)
                           for i in range(rows)), "note"),
        ProtectionAnswer("NQSW protection", DAY, tuple(status(f"N{i}") for i in range(rows))),
        ActionList("Outstanding actions", DAY, tuple(action(f"A{i}") for i in range(rows)),
                   "Nothing outstanding."),
        ActionChanged("Improvement", "A1", "done", "Sam Worker", DAY, "evidence"),
        SupervisionList("Supervision", DAY, tuple(supervision(f"W{i}") for i in range(rows)),
                        "empty"),
        SupervisionLogged("SW1", "Sam Worker", DAY, "Tara Manager", DAY + timedelta(days=28)),
        StatusAnswer("Data status", DAY,
                     tuple(LoadLine(f"kind{i}", datetime(2026, 3, 16, 6, 2), "job:ingest",
                                    "cases.csv", 10, 1, 2, 3, False, 0) for i in range(rows)),
                     tuple(LoadLine("cases", datetime(2026, 3, 15, 6, 2), "job:ingest",
                                    "cases.csv", 10, 0, 0, 0, True, 4) for _ in range(rows)),
                     tuple(UnmatchedUser("slack", f"U{i}", 2, datetime(2026, 3, 16, 9, 0))
                           for i in range(rows)), 30),
        StaffingAnswer("Staffing — North", DAY,
                       tuple(StaffingFigureRow(f"k{i}", f"Figure {i}", "pct", 1.0 * i, 13.0,
                                               (1.0, None, 2.0)) for i in range(rows)), 12),
        AgencyAnswer("Agency workers — Your teams", DAY,
                     tuple(AgencyRow(f"A{i}", f"W{i}", "North", "social_worker", DAY,
                                     ("no practice-based reference",), ("qualified_date",), None)
                           for i in range(rows))),
        RegistrationAnswer("Social Work England registration — Your teams", DAY,
                           tuple(RegistrationRow(f"S{i}", f"W{i}", "North", "social_worker",
                                                 None, 1, False, "CPD not yet met")
                                 for i in range(rows)), rows, DAY, DAY),
        ReadAs("/caseload unallocated",
               CaseList("Unallocated cases", DAY, tuple(case(f"CR-{i}") for i in range(rows)),
                        "None.", "summary")),
        ReportRequested("Safeguarding", 1, DAY, 12),
        ReminderSettings(True, "08:30", False, datetime(2026, 3, 17, 8, 30), changed="on"),
    ]


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    texts = []
    for block in blocks:
        for part in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(part, dict) and part.get("type") == "mrkdwn":
                texts.append(part["text"])
    return texts


def assert_within_slack_limits(message: dict[str, Any]) -> None:
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= 50
    assert message["text"] and len(message["text"]) <= 3000
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(field["text"]) <= 2000 for field in block.get("fields", []))
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
        if block["type"] == "actions":
            assert len(block["block_id"]) <= 255
            for element in block["elements"]:
                assert len(element["value"]) <= 2000 and len(element["text"]["text"]) <= 75


def test_every_answer_type_has_a_slack_rendering() -> None:
    answer_types = typing.get_args(results.Answer)
    assert {type(answer) for answer in every_answer(2)} == set(answer_types)
    for answer in every_answer(2):
        assert_within_slack_limits(render_slack(answer))


@pytest.mark.parametrize("rows", [0, 1, 60, 400])
def test_long_answers_stay_inside_slacks_limits_and_say_how_many_more(rows: int) -> None:
    for answer in every_answer(rows):
        message = render_slack(answer)
        assert_within_slack_limits(message)
        listed = next((getattr(answer, name) for name in ("rows", "cases", "statuses")
                       if hasattr(answer, name)), None)
        tables = [block for block in message["blocks"] if block["type"] == "table"]
        assert len(tables) <= 1  # Slack allows one table a message
        for found in tables:
            assert len(found["rows"]) <= 100 and all(len(row) <= 20 for row in found["rows"])
        shown = len(tables[0]["rows"]) - 1 if tables else None
        if listed is not None and rows >= 60 and (shown is None or shown < rows):
            note, button = message["blocks"][-2:]
            assert "… and" in json.dumps(note, ensure_ascii=False), type(answer).__name__
            assert button["elements"][0]["action_id"] == "more_rows"  # the next page


def test_a_later_page_says_where_it_is_and_shows_the_next_rows() -> None:
    table = CaseloadTable("Caseload", DAY, tuple(load(f"W{i}") for i in range(12)), 120, 12.0, 0)
    blocks = render_blocks(table, limit=5, offset=5)  # App Home's layout: a section a row
    texts = json.dumps(blocks, ensure_ascii=False)
    assert "Showing 6–10 of 12" in texts and "*W5*" in texts and "*W4*" not in texts
    assert blocks[-1]["block_id"] == "more_rows_10"


def test_the_row_limit_cuts_rows_and_counts_the_rest() -> None:
    table = CaseloadTable("Caseload", DAY, tuple(load(f"W{i}") for i in range(12)), 120, 12.0, 0)
    blocks = render_blocks(table, limit=5)  # App Home's layout: a section a row
    rows = [b for b in blocks if b["type"] == "section" and "text" in b]
    assert len(rows) == 5
    assert blocks[-2]["elements"][0]["text"] == "… and 7 more"


def test_over_cap_nqsw_and_overdue_flags_stand_out() -> None:
    table = CaseloadTable("Caseload", DAY, (
        load("Over", total=20, overdue_visits=2, supervision_overdue_days=5),
        load("New", total=3, is_nqsw=True, cp=0),
        load("Lead", total=3, is_nqsw=True, cp=1, may_lead_cp=False),
    ), 23, 2.0, 1)
    over, new, lead = [t for t in mrkdwn_texts(render_blocks(table)) if "Total" in t]
    assert ":red_circle: *over cap*" in over and ":warning: 2 visits overdue" in over
    assert ":warning: supervision 5d overdue" in over
    assert ":seedling: NQSW" in new and ":red_circle:" not in new
    # An NQSW leading a CP case is a breach of the protected year: red, in the team table.
    assert ":red_circle: *NQSW lead on 1 CP case*" in lead


def test_a_protection_breach_stands_out() -> None:
    answer = ProtectionAnswer("NQSW protection", DAY, (
        status("Broken", open_cases=20, cp_lead_cases=("CR-9",)), status("Kept")))
    texts = mrkdwn_texts(render_slack(answer)["blocks"])
    broken = next(t for t in texts if "Broken" in t)
    kept = next(t for t in texts if "Kept" in t)
    assert ":red_circle: *BREACH:*" in broken and "CR-9" in broken
    assert ":white_check_mark: Protection is being kept." in kept
    assert any(":red_circle: 1 with a breach" in t for t in texts)


def test_overdue_actions_stand_out_and_carry_done_and_update_buttons() -> None:
    answer = ActionList("Outstanding actions", DAY, (action("A1", days_overdue=12),), "none")
    blocks = render_slack(answer)["blocks"]
    assert any(":red_circle: *12d overdue*" in t for t in mrkdwn_texts(blocks))
    buttons = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("action_done", "Improvement/A1"), ("action_update", "Improvement/A1")]


def test_user_derived_text_is_escaped_so_nothing_can_ping() -> None:
    answers = [
        CaseloadTable(HOSTILE, DAY, (load(HOSTILE),), 10, 1.0, 0),
        ActionList(HOSTILE, DAY, (action(HOSTILE, action=HOSTILE, owner=HOSTILE,
                                         measure=HOSTILE, last_note=HOSTILE),), "none"),
        ActionChanged(HOSTILE, HOSTILE, "done", HOSTILE, DAY, HOSTILE),
        Refusal(HOSTILE, HOSTILE),
        Invalid(HOSTILE, HOSTILE),
        CaseList(HOSTILE, DAY, (case(HOSTILE, team=HOSTILE, lead=HOSTILE),), HOSTILE, HOSTILE),
        SupervisionList(HOSTILE, DAY, (supervision(HOSTILE, team=HOSTILE),), HOSTILE),
    ]
    for answer in answers:
        message = render_slack(answer)
        for text in [message["text"], *mrkdwn_texts(message["blocks"])]:
            assert "<" not in text and ">" not in text, text
        assert "&lt;!channel&gt; &amp;" in json.dumps(message)


def test_text_fallback_is_the_console_rendering() -> None:
    for answer in every_answer(3):
        fallback = render_slack(answer)["text"]
        assert fallback
        first_line = render_text(answer).splitlines()[0]
        assert fallback.startswith(escape(first_line)[:100])


def test_clipping_never_leaves_half_an_entity() -> None:
    clipped = clip(escape("a" * 10 + "&<>" * 5), 13)
    assert clipped.endswith("…") and not clipped[:-1].rstrip("&amplgt;").endswith("&")
    assert "&am…" not in clipped and "&l…" not in clipped


def test_not_in_protected_year_is_said_plainly() -> None:
    mine = ProtectionAnswer("Your protected year", DAY, (status(in_protected_year=False,
                                                              protection_end=DAY),))
    assert "You are not in your protected year" in json.dumps(render_blocks(mine))


def test_a_team_table_is_one_block_kit_table_with_a_header_on_every_column() -> None:
    table = CaseloadTable("Caseload", DAY, (
        load("Over", total=20, overdue_visits=2, supervision_overdue_days=5),
        load("Lead", total=3, is_nqsw=True, cp=1, may_lead_cp=False),
    ), 23, 2.0, 1)
    message = render_slack(table)
    [found] = [block for block in message["blocks"] if block["type"] == "table"]
    headers = [cell["elements"][0]["elements"][0]["text"] for cell in found["rows"][0]]
    assert headers == ["Worker", "FTE", "CP", "CIN", "LAC", "Other", "Total", "Load", "Flags"]
    assert [row[0]["text"] for row in found["rows"][1:]] == ["Over", "Lead"]
    lead_flags = json.dumps(found["rows"][2][-1])
    assert '"red_circle"' in lead_flags and "NQSW lead on 1 CP case" in lead_flags
    assert "Over" in message["text"] and "Lead" in message["text"]  # the fallback text
    # slack_sdk's own model of the block accepts it
    from slack_sdk.models.blocks import Block as SdkBlock

    parsed = SdkBlock.parse(found)
    assert parsed is not None and parsed.type == "table"
    parsed.validate_json()


def test_a_head_of_services_long_table_is_paged_at_most_99_rows_a_table() -> None:
    table = CaseloadTable("Caseload", DAY, tuple(load(f"W{i:03d}") for i in range(250)), 2500,
                          250.0, 0)
    for offset, expected in ((0, 40), (40, 40), (240, 10)):
        blocks = render_slack(table, limit=40, offset=offset)["blocks"]
        [found] = [block for block in blocks if block["type"] == "table"]
        assert len(found["rows"]) - 1 == expected
        assert found["rows"][1][0]["text"] == f"W{offset:03d}"
        assert len(blocks) <= 50
    whole = render_slack(table)["blocks"]
    [found] = [block for block in whole if block["type"] == "table"]
    assert len(found["rows"]) == 100  # the header and 99 rows: Slack's limit
    assert whole[-1]["block_id"] == "more_rows_99"
