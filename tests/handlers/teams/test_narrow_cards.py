"""Issue #14: Teams cards readable on a phone. Every answer's card and the digests are drawn by
Microsoft's Adaptive Cards renderer in headless Chromium at 360 px (a phone) and 900 px (a
desktop chat), and no header, number or word may be cut: each text's glyphs must sit inside the
space its card gives it. Screenshots: build/card-screens/cards-360.png and cards-900.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import Session

from config import Settings
from jobs.digests import build_digest
from models import Service
from queries.access import Identity
from queries.answer import ask
from queries.results import CaseloadTable, WorkerLoad
from render.teams import card, render_digest_teams, render_teams, wide_table
from tests.handlers.teams.card_browser import SCREENS, draw, missing_tools
from tests.handlers.teams.test_messages import EVERY_COMMAND
from tests.builders import COUNCIL_DAY as TODAY

WIDTHS = (360, 900)


@pytest.fixture(scope="module", autouse=True)
def card_tools() -> None:
    """The renderer and Chromium are installed by `make card-tools` (which `make test` runs);
    CI must have them, so only a developer's machine without them skips, and says why."""
    missing = missing_tools()
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must draw the cards: {missing}")
    if missing:
        pytest.skip(f"cannot draw Teams cards here: {missing}")


def busy_table() -> CaseloadTable:
    """A team at its worst: long names, every flag, several teams (the Team column too)."""
    rows = tuple(
        WorkerLoad(staff_id=f"SW{n}", name=f"Oluwaseun Featherstonehaugh-{n:02d}",
                   team=("Children in Need North East", "Assessment South")[n % 2], fte=0.8,
                   cp=12, cin=10, lac=10, other=3, total=35, cap=14.4 if n % 3 else 12.96,
                   is_nqsw=n % 3 == 0, overdue_visits=12, overdue_reviews=3,
                   supervision_overdue_days=120)
        for n in range(6))
    return CaseloadTable(title="Caseload — Children in Need North East and 1 more team",
                         as_of=TODAY, rows=rows, total_cases=210, total_fte=4.8,
                         unallocated=17)


def every_card(engine, council) -> dict[str, dict]:
    cards: dict[str, dict] = {}
    for who, text, _expected in EVERY_COMMAND:
        answer = ask(engine, Identity("cli", staff_id=who), text, today=TODAY,
                     settings=Settings()).answer
        cards[f"{who}: {text}"] = render_teams(answer, limit=40).card
    with Session(engine) as session:
        service = session.get(Service, council["service"].id)
        for kind in ("staffing", "supervision", "actions"):
            digest = build_digest(session, kind, service, TODAY, Settings())
            cards[f"{kind} digest"] = render_digest_teams(digest, named=True).card
    cards["busy team table"] = render_teams(busy_table(), limit=40).card
    return cards


@pytest.fixture(scope="module")
def drawn(tmp_path_factory, migrated_engine) -> dict[int, dict]:
    from tests.database import wipe
    from tests.builders import query_council

    wipe(migrated_engine)
    with Session(migrated_engine, expire_on_commit=False) as session:
        council = query_council(session)
    cards = every_card(migrated_engine, council)
    folder = Path(tmp_path_factory.mktemp("cards"))
    return {width: {found.name: found for found in draw(cards, width, folder)}
            for width in WIDTHS}


@pytest.mark.parametrize("width", WIDTHS)
def test_no_header_number_or_word_of_any_card_is_cut(drawn, width) -> None:
    cut = {name: found.cut for name, found in drawn[width].items() if found.cut}
    assert not cut, f"cut at {width} px: {cut}"
    assert all(found.texts for found in drawn[width].values())  # every card drew its texts
    assert (SCREENS / f"cards-{width}.png").stat().st_size > 0


def test_the_team_table_is_a_table_on_a_desktop_and_stacked_on_a_phone(drawn) -> None:
    name = "TM1: caseload"
    assert drawn[900][name].texts > drawn[360][name].texts  # headers and cells vs a block a row


def test_the_old_ten_column_table_would_be_cut_on_a_phone(tmp_path) -> None:
    """The check can see the fault it guards against: the desktop table alone at 360 px."""
    table = busy_table()
    headers = ["Worker", "Team", "FTE", "CP", "CIN", "LAC", "Other", "Total", "Load", "Flags"]
    from render.teams import Cell

    rows = [[Cell(row.name), Cell(row.team), Cell(f"{row.fte:g}"), Cell(str(row.cp)),
             Cell(str(row.cin)), Cell(str(row.lac)), Cell(str(row.other)), Cell(str(row.total)),
             Cell(f"{row.load_pct}% of {row.cap:g}"), Cell(", ".join(row.flags))]
            for row in table.rows]
    old = wide_table(headers, rows, [3, 2, 1, 1, 1, 1, 1, 1, 2, 3])
    old.pop("targetWidth")
    [found] = draw({"old table": card([old], "old")}, 360, tmp_path, label="old-table")
    assert {"FTE", "Other", "Total"} <= {item["text"] for item in found.cut}
