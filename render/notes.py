"""Reminders and alerts, worded once and drawn for text, Slack and Teams.

`note_for` turns a reminder (queries.reminders.Reminder) or an alert (jobs.alerts.Alert) into a
`Note`: a title, sections of short lines, and buttons that each run a chat command. The three
renderers below only draw a Note, so the console preview (`bot.py remind --dry-run`), the Slack
DM and the Teams card cannot disagree. Case references and staff names only: a Note never
carries a child's details, and a reminder only the recipient's own cases and counts for the
teams they manage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import singledispatch
from typing import Any

from queries.reminders import Reminder

#: Lines shown per section; the rest are counted and pointed at the command that lists them.
MAX_LINES = 15
#: Slack's action_id for a button that runs a command (handlers.slack.interactivity).
RUN_COMMAND_ACTION = "run_command"


@dataclass(frozen=True)
class Button:
    label: str
    command: str  # the words a person would type, e.g. "caseload unallocated"


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    title: str
    sections: tuple[Section, ...]
    buttons: tuple[Button, ...] = ()
    footer: str = ""

    def text(self) -> str:
        """Plain text: the console, logs of a dry run, and the notification line."""
        parts = [self.title]
        for section in self.sections:
            parts.append(f"\n{section.heading}")
            parts.extend(f"  • {line}" for line in section.lines)
        if self.buttons:
            parts.append("\n" + " · ".join(f"/{button.command}" for button in self.buttons))
        if self.footer:
            parts.append(f"\n{self.footer}")
        return "\n".join(parts)


def day(value: date) -> str:
    return value.strftime("%a %-d %b")


def late(days_overdue: int, due: date, today: date) -> str:
    if days_overdue:
        return f"overdue by {days_overdue} day{'s' if days_overdue != 1 else ''}"
    return "due today" if due == today else f"due {day(due)}"


def capped(lines: list[str], more_command: str) -> tuple[str, ...]:
    if len(lines) <= MAX_LINES:
        return tuple(lines)
    rest = len(lines) - MAX_LINES
    return (*lines[:MAX_LINES], f"… and {rest} more: /{more_command}")


@singledispatch
def note_for(item: object) -> Note:
    raise TypeError(f"no note for {type(item).__name__}")


@note_for.register
def reminder_note(reminder: Reminder) -> Note:
    """A person's daily reminder: their own cases, supervision and actions; a manager's teams
    in counts."""
    today = reminder.day
    sections: list[Section] = []
    if reminder.visits:
        sections.append(Section("Statutory visits", capped(
            [f"{v.case_ref} ({v.case_type}) — {late(v.days_overdue, v.due, today)}"
             for v in reminder.visits], "caseload overdue")))
    if reminder.reviews:
        sections.append(Section("Plan reviews", capped(
            [f"{r.case_ref} ({r.case_type}) — {late(r.days_overdue, r.due, today)}"
             for r in reminder.reviews], "caseload overdue")))
    if reminder.supervision_due:
        sections.append(Section("Your supervision", (
            late(reminder.supervision_days_overdue, reminder.supervision_due, today)
            .capitalize(),)))
    if reminder.actions:
        sections.append(Section("Your actions", capped(
            [f"{a.ref} ({a.plan}) {a.action[:80]} — {late(a.days_overdue, a.due, today)}"
             for a in reminder.actions], "actions mine")))
    if reminder.registration:
        sections.append(Section("Registration and CPD", reminder.registration))
    if reminder.teams:
        sections.append(Section("Your teams", tuple(
            f"{t.team}: {t.overdue_visits} overdue visit(s), {t.supervision_overdue} overdue "
            f"supervision(s), {t.nqsw_breaches} NQSW breach(es), {t.unallocated} unallocated"
            for t in reminder.teams)))
    buttons = [Button("My cases due", "caseload overdue")] if reminder.visits or reminder.reviews \
        else []
    if reminder.teams:
        buttons.append(Button("Unallocated", "caseload unallocated"))
    return Note(title=f"Your reminders for {day(today)}", sections=tuple(sections),
                buttons=tuple(buttons),
                footer="/remind off stops these; /remind at HH:MM moves them.")


# --- Drawing a Note ---------------------------------------------------------------------------


def note_slack(note: Note) -> tuple[str, list[dict[str, Any]]]:
    """The fallback text and Block Kit blocks of a Note (a button runs its command)."""
    from render.slack import escape, header, section

    blocks: list[dict[str, Any]] = [header(note.title)]
    for part in note.sections:
        blocks.append(section(f"*{escape(part.heading)}*\n"
                              + "\n".join(f"• {escape(line)}" for line in part.lines)))
    if note.buttons:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "action_id": f"{RUN_COMMAND_ACTION}:{number}",
             "text": {"type": "plain_text", "text": button.label[:75]},
             "value": button.command[:2000]}
            for number, button in enumerate(note.buttons)]})
    if note.footer:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn",
                                                        "text": escape(note.footer)}]})
    return note.text()[:3000], blocks[:50]


def note_teams(note: Note) -> Any:
    """A Teams message (Adaptive Card) of a Note; a button is an Action.Submit whose data is
    the command, which the Teams bot answers as if typed."""
    from render.teams import TeamsMessage, card, heading, plain, text_block

    body = [heading(note.title)]
    for part in note.sections:
        body.append(text_block(plain(part.heading)))
        body.append(text_block(plain("\n".join(f"- {line}" for line in part.lines))))
    if note.footer:
        body.append(text_block(plain(note.footer)))
    actions = [{"type": "Action.Submit", "title": button.label,
                "data": {"command": button.command}} for button in note.buttons]
    return TeamsMessage(card=card(body, note.text()[:2000], actions or None), text=note.text())


__all__ = ["Button", "Note", "RUN_COMMAND_ACTION", "Section", "note_for", "note_slack",
           "note_teams", "reminder_note"]
