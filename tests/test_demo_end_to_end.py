"""The README's promise: seed the demo council through the real importers, then ask it questions
in the console and through `bot.py ask`, end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from config import Settings
from demo.console import run_console
from demo.seed import seed, seed_if_empty
from models import AuditEntry, Case, Staff

TODAY = date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent.parent


def test_demo_seeds_through_the_importers_once(engine, tmp_path) -> None:
    loaded = seed(engine, TODAY, out_dir=tmp_path, scale=0.3)
    assert loaded["staff"] > 0 and loaded["cases"] > 0
    with Session(engine) as session:
        staff_count = session.exec(select(func.count()).select_from(Staff)).one()
        assert session.exec(select(func.count()).select_from(Case)).one() == loaded["cases"]
    assert seed_if_empty(engine, TODAY) == ""  # not empty: left alone
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Staff)).one() == staff_count


def test_console_answers_a_managers_and_an_nqsws_questions(engine, tmp_path) -> None:
    seed(engine, TODAY, out_dir=tmp_path, scale=0.3)
    typed = iter(["TM0001", "/caseload", "/protected team", "as SW0003", "/protected",
                  "/caseload overdeu", "quit"])
    shown: list[str] = []
    run_console(engine, TODAY, Settings(), read=lambda _prompt: next(typed), write=shown.append)
    screen = "\n".join(shown)
    assert "Caseload — " in screen and "unallocated" in screen
    assert "NQSW protection" in screen and "BREACH" in screen
    assert "Your protected year" in screen and "month" in screen
    assert "Did you mean /caseload overdue?" in screen and "Try: /caseload overdue" in screen
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.front_end == "console")).all()
    assert [(e.actor, e.outcome) for e in entries] == [
        ("TM0001", "answered"), ("TM0001", "answered"), ("SW0003", "answered"),
        ("SW0003", "invalid")]


def test_bot_ask_prints_the_answer_as_plain_text(engine, database_url, tmp_path) -> None:
    seed(engine, TODAY, out_dir=tmp_path, scale=0.3)
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "bot.py", "ask", "--as", "TM0001", "--date", "2026-11-23",
         "/caseload team Child Protection East"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Caseload — Child Protection East (as of Mon 23 Nov 2026)" in result.stdout
    assert "Traceback" not in result.stderr

    refused = subprocess.run(
        [sys.executable, "bot.py", "ask", "--as", "NOBODY", "/caseload"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert refused.returncode == 1 and "don't know who you are" in refused.stdout


def test_make_run_without_chat_credentials_opens_the_demo(engine, database_url, tmp_path) -> None:
    """`make run` calls `bot.py run`: no Slack or Teams credentials means the local demo."""
    seed(engine, TODAY, out_dir=tmp_path, scale=0.3)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SLACK_", "TEAMS_"))}
    env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "bot.py", "run"], cwd=ROOT, env=env, input="TM0001\n/caseload\nquit\n",
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "starting the local demo" in result.stdout
    assert "Caseload — " in result.stdout and "Traceback" not in result.stderr
