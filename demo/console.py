"""The demo console: pick a demo user, type the same commands as in Slack or Teams."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from models import Staff, Team
from queries.access import Identity
from queries.answer import ask
from queries.results import ReportRequested
from render.text import render_text

INTRO = """
Caseload bot — local demo (synthetic data: Northshire County Council)
Type a command as you would in Slack or Teams, e.g.  /caseload   /protected team   /actions overdue
  users        list the demo users        as ID      switch to another user
  help         list every command         quit       leave
"""


def demo_users(engine: Engine, limit: int = 12) -> list[tuple[str, str, str, str]]:
    """A few people of each role to try the bot as: (staff id, name, role, team)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Staff.staff_id, Staff.name, Staff.role, Team.name)
            .outerjoin(Team, Team.id == Staff.team_id)
            .where(Staff.slack_user_id.is_not(None), Staff.end_date.is_(None))  # type: ignore[union-attr]
            .order_by(Staff.role, Staff.staff_id)
        ).all()
    return [(sid, name, role, team or "") for sid, name, role, team in rows][:limit]


def run_console(
    engine: Engine, today: date, settings: Settings, start_as: str | None = None,
    read: Callable[[str], str] = input, write: Callable[[str], None] = print,
) -> None:
    """A read-answer loop; `read` and `write` are parameters so the tests can drive it."""
    users = demo_users(engine)
    write(INTRO)
    current = start_as
    if current is None:
        write(users_text(users))
        current = choose_user(users, read, write)
        if current is None:
            return
    write(f"You are {current}. Ask away.")
    while True:
        try:
            line = read(f"[{current}]> ").strip()
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        if not line:
            continue
        if line.lower() in {"quit", "exit", "q"}:
            return
        if line.lower() == "users":
            write(users_text(users))
            continue
        if line.lower().startswith("as "):
            current = pick(users, line[3:].strip()) or line[3:].strip()
            write(f"You are now {current}.")
            continue
        outcome = ask(engine, Identity("console", staff_id=current), line, today=today,
                      settings=settings)
        write(render_text(outcome.answer, limit=settings.max_rows_in_chat))
        if isinstance(outcome.answer, ReportRequested):  # the console's "DM": a file here
            from jobs.report_delivery import report_filename, report_pdf

            scope, pdf = report_pdf(engine, settings, service_id=outcome.answer.service_id,
                                    as_of=today, today=today, months=outcome.answer.months)
            path = Path(report_filename(scope, today))
            path.write_bytes(pdf)
            write(f"Written to {path}")


def users_text(users: list[tuple[str, str, str, str]]) -> str:
    lines = ["Demo users:"]
    for number, (staff_id, name, role, team) in enumerate(users, start=1):
        lines.append(f"  {number:>2}. {staff_id:<8} {name:<24} {role:<20} {team}")
    return "\n".join(lines)


def pick(users: list[tuple[str, str, str, str]], choice: str) -> str | None:
    if choice.isdigit() and 1 <= int(choice) <= len(users):
        return users[int(choice) - 1][0]
    for staff_id, *_rest in users:
        if staff_id.lower() == choice.lower():
            return staff_id
    return None


def choose_user(users, read, write) -> str | None:  # type: ignore[no-untyped-def]
    while True:
        try:
            choice = read("Pick a user (number or staff id): ").strip()
        except (EOFError, KeyboardInterrupt):
            return None
        if choice.lower() in {"quit", "exit", "q"}:
            return None
        picked = pick(users, choice) or (choice if choice else None)
        if picked:
            return picked
        write("Type a number from the list, or a staff id.")
