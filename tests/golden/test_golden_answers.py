"""Golden answers: every command's answer on the demo council, through every renderer.

Why: the query path is about to be rewritten for speed (issue #11); whatever the rewrite does,
each answer must read exactly as it does now, in the console, in Slack and in Teams. So the demo
council (demo/generate.py, seed 7, seen from a fixed date, loaded through the real importers) is
asked one question per command form, as each demo role, and each answer is rendered by
render/text.py, render/slack.py and render/teams.py and compared with its file in
tests/golden/answers/.

When wording changes on purpose, refresh them with one command and read the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden -q     # or: make golden

Nothing here reads the clock (`today` and `now` are fixed) and answers are only read, never
written, so the files are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings
from demo.seed import seed
from models import ImportRun
from queries.access import Identity
from queries.answer import answer
from render.slack import render_slack
from render.teams import render_teams
from render.text import render_text
from tests.database import wipe

GOLDEN = Path(__file__).resolve().parent / "answers"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
#: When the demo council's files were loaded, as far as the freshness line is concerned.
LOADED_AT = datetime(2026, 11, 23, 6, 2, tzinfo=timezone.utc)
SEED = 7
SCALE = 0.3  # 8 teams: every role and every deliberate breach, in a couple of seconds
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")

#: The demo's people by role (demo/generate.py gives them these Slack ids).
HEAD = "U0DEMO001"
MANAGER = "U0DEMO002"
SENIOR = "U0DEMO003"
WORKER = "U0DEMO004"
NQSW = "U0DEMO005"
ADMIN = "U0DEMO006"


@dataclass(frozen=True)
class Question:
    asker: str
    verb: str
    text: str = ""

    @property
    def name(self) -> str:
        words = f"{self.asker.removeprefix('U0DEMO')}-{self.verb}-{self.text or 'bare'}"
        return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")


QUESTIONS: tuple[Question, ...] = (
    Question(WORKER, "caseload"),
    Question(WORKER, "caseload", "overdue"),
    Question(WORKER, "caseload", "help"),
    Question(MANAGER, "caseload"),
    Question(MANAGER, "caseload", "team Child Protection East"),
    Question(MANAGER, "caseload", f"<@{WORKER}>"),
    Question(MANAGER, "caseload", "unallocated"),
    Question(MANAGER, "caseload", "overdue"),
    Question(MANAGER, "caseload", "capacity"),
    Question(MANAGER, "caseload", "frobnicate"),
    Question(HEAD, "caseload"),
    Question(HEAD, "caseload", "capacity"),
    Question(SENIOR, "caseload"),
    Question(ADMIN, "caseload"),
    Question(NQSW, "protected"),
    Question(WORKER, "protected"),
    Question(MANAGER, "protected", "team"),
    Question(HEAD, "protected", "team"),
    Question(WORKER, "actions"),
    Question(MANAGER, "actions"),
    Question(MANAGER, "actions", "overdue"),
    Question(HEAD, "actions", "overdue"),
    Question(HEAD, "actions", "mine"),
    Question(WORKER, "supervision"),
    Question(MANAGER, "supervision"),
    Question(MANAGER, "supervision", "team"),
    Question(HEAD, "supervision", "team"),
    Question("U0NOBODY", "caseload"),
)


def rendered(result: object, limit: int) -> str:
    """The three renderings of one answer, as one readable file."""
    slack = render_slack(result, limit=limit)
    teams = render_teams(result, limit=limit)
    return "\n".join([
        "## text", render_text(result, limit=limit).rstrip(), "",
        "## slack", json.dumps(slack, indent=1, ensure_ascii=False, sort_keys=True), "",
        "## teams (text)", teams.text.rstrip(), "",
        "## teams (card)", json.dumps(teams.card, indent=1, ensure_ascii=False, sort_keys=True),
        "",
    ])


@pytest.fixture(scope="module")
def demo_council(migrated_engine: Engine, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Engine]:
    wipe(migrated_engine)
    seed(migrated_engine, TODAY, out_dir=tmp_path_factory.mktemp("demo"), seed=SEED,
         scale=SCALE)
    with migrated_engine.begin() as connection:  # the loads' own time, not the run's clock
        connection.execute(update(ImportRun).values(at=LOADED_AT))
    yield migrated_engine
    wipe(migrated_engine)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda question: question.name)
def test_every_answer_reads_as_its_golden_file(demo_council: Engine, question: Question
                                               ) -> None:
    settings = Settings()
    with Session(demo_council) as session:  # read only: rolled back, nothing audited
        outcome = answer(session, Identity("slack", slack_user_id=question.asker),
                         question.text, verb=question.verb, today=TODAY, settings=settings,
                         now=NOW)
        session.rollback()
    got = rendered(outcome.answer, settings.max_rows_in_chat)
    golden = GOLDEN / f"{question.name}.txt"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
        return
    assert golden.exists(), (f"no golden file {golden.name}: make it with UPDATE_GOLDEN=1 "
                             ".venv/bin/python -m pytest tests/golden")
    expected = golden.read_text(encoding="utf-8")
    if got != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                            f"golden/{golden.name}", "now", n=2))
        pytest.fail(f"{question.name} reads differently (if on purpose: UPDATE_GOLDEN=1 "
                    f".venv/bin/python -m pytest tests/golden):\n{diff[:6000]}")


def test_no_golden_file_is_left_without_its_question() -> None:
    """A question removed from the list takes its golden file with it (regenerating prunes)."""
    names = {f"{question.name}.txt" for question in QUESTIONS}
    stale = sorted(path.name for path in GOLDEN.glob("*.txt") if path.name not in names)
    if UPDATE:
        for name in stale:
            (GOLDEN / name).unlink()
        return
    assert not stale, f"golden files with no question: {stale}"
