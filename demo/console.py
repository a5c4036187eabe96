"""The demo console: pick a demo user, type the same commands as in Slack or Teams."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from models import Staff, Team
from queries.access import Identity
from queries.answer import ask
from queries.results import ReportRequested, rows_in, unwrapped
from render.text import render_text

INTRO = """
Caseload bot — local demo (synthetic data: Northshire County Council)
Type a command as you would in Slack or Teams, e.g.  /caseload   /protected team   /actions overdue
or ask a question, e.g.  who can take a CP case?   is Nia protected?
  users        list the demo users        as ID      switch to another user
  help         list every command         more       the next page of a long answer
  quit         leave
"""
GOODBYE = "Goodbye."
NOTHING_MORE = "There is nothing more to show.\nTry: a command, or help."


def console_error(what: str, try_: str) -> str:
    """The console's own errors in the shape every answer's errors have: what was wrong, then
    what to type instead."""
    return f"{what}\nTry: {try_}"


def staff_member(engine: Engine, choice: str, today: date) -> str | None:
    """The staff id of the person `choice` names (staff id or e-mail, any case), if they are on
    the staff list and in post: `as` must not let you become someone who does not exist."""
    wanted = choice.strip().lower()
    if not wanted:
        return None
    with Session(engine) as session:
        found = session.exec(
            select(Staff).where(or_(func.lower(Staff.staff_id) == wanted,
                                    func.lower(Staff.email) == wanted))
        ).all()
    in_post = [staff for staff in found if staff.in_post_on(today)]
    return in_post[0].staff_id if len(in_post) == 1 else None


def no_staff_member(choice: str) -> str:
    return console_error(f"There is no staff member {choice!r}.",
                         "users, to list the demo users, then as ID (a staff id or e-mail).")


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
    current = staff_member(engine, start_as, today) if start_as else None
    if start_as and current is None:
        write(no_staff_member(start_as))
    if current is None:
        write(users_text(users))
        current = choose_user(users, read, write, lambda choice: staff_member(engine, choice,
                                                                              today))
        if current is None:
            write(GOODBYE)
            return
    write(f"You are {current}. Ask away.")
    page_size = settings.max_rows_in_chat
    last_question: str | None = None
    next_row = 0
    while True:
        try:
            line = read(f"[{current}]> ").strip()
        except (EOFError, KeyboardInterrupt):
            write("")
            write(GOODBYE)
            return
        if not line:
            continue
        if line.lower() in {"quit", "exit", "q"}:
            write(GOODBYE)
            return
        if line.lower() == "users":
            write(users_text(users))
            continue
        if line.lower() == "as" or line.lower().startswith("as "):
            choice = line[3:].strip()
            chosen = pick(users, choice) or staff_member(engine, choice, today)
            if chosen is None:
                write(no_staff_member(choice) if choice else console_error(
                    "Say who to switch to.", "as SW0005 (a staff id or e-mail)."))
                continue
            current, last_question = chosen, None
            write(f"You are now {current}.")
            continue
        if line.lower() == "more":
            if last_question is None:
                write(NOTHING_MORE)
                continue
            question, offset = last_question, next_row
        else:
            question, offset = line, 0
        outcome = ask(engine, Identity("console", staff_id=current), question, today=today,
                      settings=settings)
        write(render_text(outcome.answer, limit=page_size, offset=offset))
        total = rows_in(outcome.answer)
        if total > offset + page_size:
            last_question, next_row = question, offset + page_size
            write(f"Type more for the next {min(page_size, total - next_row)} "
                  f"(of {total - next_row} left).")
        else:
            last_question = None
        if isinstance(unwrapped(outcome.answer), ReportRequested):  # the console's "DM": a file
            from jobs.report_delivery import report_filename, report_pdf

            requested = unwrapped(outcome.answer)
            scope, pdf = report_pdf(engine, settings, service_id=requested.service_id,
                                    as_of=today, today=today, months=requested.months)
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


def choose_user(users, read, write, on_staff_list) -> str | None:  # type: ignore[no-untyped-def]
    """A demo user by number, or anyone on the staff list by staff id or e-mail."""
    while True:
        try:
            choice = read("Pick a user (number or staff id): ").strip()
        except (EOFError, KeyboardInterrupt):
            return None
        if choice.lower() in {"quit", "exit", "q"}:
            return None
        picked = pick(users, choice) or (on_staff_list(choice) if choice else None)
        if picked:
            return picked
        write(no_staff_member(choice) if choice else console_error(
            "Nobody was picked.", "a number from the list, or a staff id."))
