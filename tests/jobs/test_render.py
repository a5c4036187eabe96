"""Digest renderers: Slack's limits (50 blocks, 3,000 characters a section), the text version,
and the charts drawn headless. Built from result objects alone: renderers never touch the store."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timezone

from jobs.digest_results import (
    ActionsDigest,
    DigestHeader,
    EnglandFigures,
    NqswLine,
    StaffingDigest,
    SupervisionDigest,
    TeamSupervision,
)
from queries.results import ActionRow, SupervisionRow
from queries.staffing import StaffingFigures
from render.charts import charts_for
from render.digest_slack import MAX_BLOCKS, MAX_SECTION_CHARS, render_digest_slack
from render.digest_text import render_digest_text

AS_OF = date(2026, 11, 23)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def head(kind: str, late: bool = False) -> DigestHeader:
    return DigestHeader(kind=kind, service_id=1, service="Safeguarding & Assessment", as_of=AS_OF,
                        period="2026-W48",
                        late_for=datetime(2026, 11, 23, 8, tzinfo=timezone.utc) if late else None)


def figures(scope: str, over_cap: int = 0, caseload: float | None = 16.0) -> StaffingFigures:
    return StaffingFigures(
        scope=scope, as_of=AS_OF, headcount=10, fte_in_post=9.5, establishment_fte=11.0,
        vacant_fte=1.5, vacancy_rate_pct=13.6, agency_fte=1.0, agency_rate_pct=9.5,
        leavers_12m_fte=1.0, turnover_12m_pct=10.5, starters_week=0, leavers_week=1,
        open_cases=150, case_holders=9, case_holder_fte=8.5, caseload_per_fte=caseload,
        unallocated_cases=3, oldest_unallocated=("CR-001", 40), new_cases_week=7,
        new_cases_12w_weekly_avg=6.5, nqsws=1, managers_over_span=(("TM9", "Tom Nine", 11),),
        workers_over_cap=tuple((f"SW{n}", f"Worker Number {n}", 20, 18.0) for n in range(over_cap)),
    )


def big_staffing(late: bool = False) -> StaffingDigest:
    teams = (figures("Fostering & Adoption"),
             *(figures(f"Team {n:02d} with a long name", over_cap=8) for n in range(60)))
    return StaffingDigest(
        header=head("staffing", late), total=figures("Safeguarding", over_cap=480),
        teams=teams,
        nqsws=tuple(NqswLine(f"NQ{n}", f"Newly Qualified {n}", "Team 01", 4, 17, 16.2,
                             ("caseload 17 over protected cap 16.2",)) for n in range(150)),
        cap_per_fte=18.0, span_of_control_max=8,
        england=EnglandFigures(15.2, 11.8, 13.0, 14.2),
    )


def supervision_row(n: int) -> SupervisionRow:
    return SupervisionRow(staff_id=f"SW{n}", name=f"Worker {n}", team="Team 01", is_nqsw=n % 5 == 0,
                          frequency="monthly", last=date(2026, 9, 1), next_due=date(2026, 9, 29),
                          days_overdue=55)


def action_row(n: int, overdue: int) -> ActionRow:
    return ActionRow(plan="Ofsted ILACS 2025", ref=f"{n}.1", action="Improve " * 20,
                     owner=f"Owner {n}", owner_staff_id=f"O{n}", agency="Children's services",
                     area=None, due_date=date(2026, 11, 1), days_overdue=overdue, measure=None,
                     status="open", last_note=None)


def assert_within_slack_limits(blocks: list[dict]) -> None:
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_CHARS
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150


def test_a_large_staffing_digest_fits_slacks_limits_and_says_how_many_more() -> None:
    message = render_digest_slack(big_staffing(), named=True)
    assert_within_slack_limits(message.blocks)
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert re.search(r"… and \d+ more", text)
    assert "Worker Number 0" in text
    # The by-team figures are a Block Kit table: raw_text is never parsed, so "&" is as typed.
    [teams] = [block for block in message.blocks if block["type"] == "table"]
    assert any(row[0].get("text") == "Fostering & Adoption" for row in teams["rows"])
    assert len(teams["rows"]) <= 100
    assert message.text.startswith("Weekly staffing digest — Safeguarding & Assessment")


def test_large_supervision_and_actions_digests_fit_slacks_limits() -> None:
    rows = tuple(supervision_row(n) for n in range(400))
    supervision = SupervisionDigest(
        header=head("supervision"), total=TeamSupervision("Safeguarding", 400, 0, 80, 0),
        teams=tuple(TeamSupervision(f"Team {n}", 10, 5, 1, 1) for n in range(80)),
        overdue=rows, nqsws=tuple(row for row in rows if row.is_nqsw), interval_days=28)
    actions = ActionsDigest(header=head("actions"), outstanding=300,
                            overdue=tuple(action_row(n, 22) for n in range(200)),
                            due_soon=tuple(action_row(n, 0) for n in range(100)), completed=(),
                            due_soon_days=14)
    for digest in (supervision, actions):
        for named in (True, False):
            message = render_digest_slack(digest, named=named)
            assert_within_slack_limits(message.blocks)
            tables = [block for block in message.blocks if block["type"] == "table"]
            assert len(tables) <= 1  # one table a message, as Slack allows
            everything_shown = tables and len(tables[0]["rows"]) - 1 == len(digest.teams)
            assert everything_shown and not named or re.search(
                r"… and \d+ more", json.dumps(message.blocks, ensure_ascii=False))


def test_a_channel_post_names_nobody() -> None:
    digest = big_staffing()
    for text in (json.dumps(render_digest_slack(digest, named=False).blocks),
                 render_digest_text(digest, named=False)):
        assert "Worker Number" not in text and "Newly Qualified" not in text
        assert "Tom Nine" not in text and "CR-001" not in text
        assert "Team 00 with a long name" in text  # team figures are shown
    actions = ActionsDigest(header=head("actions"), outstanding=1,
                            overdue=(action_row(1, 22),), due_soon=(), completed=(),
                            due_soon_days=14)
    assert "Owner 1" in render_digest_text(actions, named=True)
    assert "Owner 1" not in render_digest_text(actions, named=False)


def test_a_late_digest_says_so() -> None:
    text = render_digest_text(big_staffing(late=True))
    assert "Posted late: this digest was due Mon 23 Nov 2026 08:00" in text
    blocks = json.dumps(render_digest_slack(big_staffing(late=True)).blocks)
    assert "Posted late" in blocks
    assert "Posted late" not in render_digest_text(big_staffing())


def test_the_text_digest_shows_englands_figures_beside_the_councils() -> None:
    text = render_digest_text(big_staffing())
    vacancy = next(line for line in text.splitlines() if line.startswith("Vacancy rate"))
    assert vacancy.split()[-2:] == ["13.6%", "14.2%"]
    caseload = next(line for line in text.splitlines() if line.startswith("Caseload per FTE"))
    assert caseload.split()[-2:] == ["16.0", "15.2"]


def test_charts_are_png_images_drawn_without_a_display() -> None:
    digest = big_staffing()
    digest = replace(digest, teams=(figures("North", caseload=20.5),
                                    figures("East", caseload=None)))
    (chart,) = charts_for(digest)
    assert chart.png.startswith(PNG_MAGIC) and chart.filename == "caseload-per-fte-2026-W48.png"
    supervision = SupervisionDigest(
        header=head("supervision"), total=TeamSupervision("S", 3, 2, 0, 0),
        teams=(TeamSupervision("North", 2, 2, 0, 0), TeamSupervision("Empty", 0, 0, 0, 0)),
        overdue=(), nqsws=(), interval_days=28)
    (chart,) = charts_for(supervision)
    assert chart.png.startswith(PNG_MAGIC) and "Supervision on time" in chart.title
    assert charts_for(replace(digest, teams=())) == []
