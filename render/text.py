"""Plain-text answers for the console, `bot.py ask`, logs and chat notification fallbacks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import singledispatch

from queries.results import (
    ActionChanged,
    ActionList,
    CapacityList,
    CaseList,
    CaseloadTable,
    HelpAnswer,
    Invalid,
    ProtectionAnswer,
    ProtectionStatus,
    Refusal,
    SupervisionList,
    ReminderSettings,
    SupervisionLogged,
    Unavailable,
)


def day(value: date | None) -> str:
    """UK style, as councils write dates (Mon 23 Nov 2026)."""
    return value.strftime("%a %d %b %Y") if value else "—"


def as_of(value: date | None) -> str:
    return f"As of {day(value)}"


def joined(parts: Iterable[str]) -> str:
    """Non-empty parts on one line, as every front end shows a row's details."""
    return " · ".join(part for part in parts if part)


def plural(count: int, word: str, suffix: str = "s") -> str:
    return f"{count} {word}{'' if count == 1 else suffix}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip()
             for line in [headers, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def limited(rows: list[list[str]], limit: int | None) -> tuple[list[list[str]], str]:
    """Cut a long listing, saying how many were left out rather than dropping them silently."""
    if limit is None or len(rows) <= limit:
        return rows, ""
    return rows[:limit], f"… and {len(rows) - limit} more"


@singledispatch
def render_text(answer: object, limit: int | None = None) -> str:
    raise TypeError(f"no text rendering for {type(answer).__name__}")


@render_text.register
def _(answer: Refusal, limit: int | None = None) -> str:
    return "\n".join(part for part in (answer.reason, answer.hint) if part)


@render_text.register
def _(answer: Invalid, limit: int | None = None) -> str:
    return f"{answer.message}\nTry: {answer.usage}" if answer.usage else answer.message


@render_text.register
def _(answer: Unavailable, limit: int | None = None) -> str:
    return answer.message


@render_text.register
def _(answer: HelpAnswer, limit: int | None = None) -> str:
    width = max(len(usage) for usage, _ in answer.lines)
    return "Caseload bot — what you can ask:\n" + "\n".join(
        f"  {usage.ljust(width)}  {meaning}" for usage, meaning in answer.lines
    )


@render_text.register
def _(answer: CaseloadTable, limit: int | None = None) -> str:
    rows = [
        [r.name, r.team, f"{r.fte:g}", str(r.cp), str(r.cin), str(r.lac), str(r.other),
         str(r.total), f"{r.load_pct}% of {r.cap:g}", ", ".join(r.flags)]
        for r in answer.rows
    ]
    rows, more = limited(rows, limit)
    heading = (
        f"{answer.title} (as of {day(answer.as_of)})\n"
        f"{len(answer.rows)} workers, {answer.total_fte:g} FTE, {answer.total_cases} cases; "
        f"{answer.over_cap_count} over cap; {answer.unallocated} unallocated"
    )
    if not answer.rows:
        return f"{heading}\nNo case-holding workers in this team."
    body = table(["Worker", "Team", "FTE", "CP", "CIN", "LAC", "Other", "Total", "Load", "Flags"],
                 rows)
    return "\n".join(part for part in (heading, body, more) if part)


@render_text.register
def _(answer: CaseList, limit: int | None = None) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})"
    if answer.summary:
        heading += f"\n{answer.summary}"
    if not answer.cases:
        return f"{heading}\n{answer.empty_message}"
    rows = [
        [c.case_ref, c.case_type, c.team, c.lead or "unallocated", c.co_worker or "",
         day(c.visit_due), day(c.next_review), ", ".join(c.flags)]
        for c in answer.cases
    ]
    rows, more = limited(rows, limit)
    body = table(["Case", "Type", "Team", "Lead", "Co-worker", "Visit due", "Review", "Flags"],
                 rows)
    return "\n".join(part for part in (heading, body, more) if part)


@render_text.register
def _(answer: CapacityList, limit: int | None = None) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})\n{answer.note}"
    if not answer.rows:
        return f"{heading}\nNo one in your teams has room for another case."
    rows = [[r.name, r.team, f"{r.fte:g}", str(r.open_cases), f"{r.cap:g}", f"{r.headroom:g}",
             "NQSW" if r.is_nqsw else ""] for r in answer.rows]
    rows, more = limited(rows, limit)
    body = table(["Worker", "Team", "FTE", "Cases", "Cap", "Headroom", ""], rows)
    return "\n".join(part for part in (heading, body, more) if part)


def protection_lines(status: ProtectionStatus) -> list[str]:
    if not status.in_protected_year:
        ended = (f" (it ended on {day(status.protection_end)})"
                 if status.protection_end else "")
        return [f"{status.name} is not in their protected year{ended}."]
    review = (f"month {status.next_review[0]} review due {day(status.next_review[1])}"
              if status.next_review else "no review left")
    academy = (f"{status.academy_passed or 0} of {status.academy_required} academy modules passed"
               if status.academy_required else "academy progress not recorded")
    lines = [
        f"{status.name} — {status.team}",
        f"  ASYE started {day(status.asye_start)}; month {status.month} of 12; protection ends "
        f"{day(status.protection_end)}",
        f"  Caseload {status.open_cases} against a protected cap of {status.protected_cap:g}",
        f"  CP cases as lead: {len(status.cp_lead_cases)} (must be 0)"
        + (f" — {', '.join(status.cp_lead_cases)}" if status.cp_lead_cases else "")
        + f"; co-working {status.cp_co_worked}",
        f"  {status.development_time_pct}% protected development time; {academy}; {review}",
        f"  Supervision {status.supervision_frequency}: last {day(status.last_supervision)}, "
        f"next due {day(status.next_supervision_due)}",
    ]
    lines.append("  BREACH: " + "; ".join(status.breaches) if status.breaches
                 else "  Protection is being kept.")
    return lines


@render_text.register
def _(answer: ProtectionAnswer, limit: int | None = None) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})"
    if not answer.statuses:
        return f"{heading}\n{answer.empty_message}"
    statuses = list(answer.statuses)
    shown = statuses if limit is None else statuses[:limit]
    if len(statuses) == 1 and not statuses[0].in_protected_year and answer.title.startswith("Your"):
        ended = statuses[0].protection_end
        return (f"{heading}\nYou are not in your protected year"
                + (f" (it ended on {day(ended)})." if ended and ended <= answer.as_of else "."))
    breaches = sum(1 for s in statuses if s.breaches)
    lines = [heading]
    if len(statuses) > 1:
        lines.append(f"{len(statuses)} NQSWs; {breaches} with a breach")
    for status in shown:
        lines.extend(protection_lines(status))
    if len(shown) < len(statuses):
        lines.append(f"… and {len(statuses) - len(shown)} more")
    return "\n".join(lines)


@render_text.register
def _(answer: ActionList, limit: int | None = None) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})"
    if not answer.rows:
        return f"{heading}\n{answer.empty_message}"
    overdue = sum(1 for r in answer.rows if r.days_overdue)
    rows = [[r.ref, r.plan, r.action[:60], r.owner, r.agency or "", day(r.due_date),
             f"{r.days_overdue}d" if r.days_overdue else "", (r.measure or "")[:40]]
            for r in answer.rows]
    rows, more = limited(rows, limit)
    body = table(["Ref", "Plan", "Action", "Owner", "Agency", "Due", "Overdue", "Measured by"],
                 rows)
    return "\n".join(part for part in
                     (f"{heading}\n{len(answer.rows)} outstanding, {overdue} overdue", body, more)
                     if part)


@render_text.register
def _(answer: ActionChanged, limit: int | None = None) -> str:
    if answer.kind == "done":
        return (f"Action {answer.ref} ({answer.plan}) marked done by {answer.by} on "
                f"{day(answer.on)}. Evidence: {answer.text}")
    return f"Update added to action {answer.ref} ({answer.plan}) by {answer.by}: {answer.text}"


@render_text.register
def _(answer: SupervisionList, limit: int | None = None) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})"
    if not answer.rows:
        return f"{heading}\n{answer.empty_message}"
    rows = [[r.name, r.team, "NQSW" if r.is_nqsw else "", r.frequency, day(r.last),
             day(r.next_due), f"{r.days_overdue}d overdue" if r.days_overdue else "on time"]
            for r in answer.rows]
    rows, more = limited(rows, limit)
    body = table(["Name", "Team", "", "Frequency", "Last", "Next due", "Status"], rows)
    return "\n".join(part for part in
                     (f"{heading}\n{answer.overdue_count} of {len(answer.rows)} overdue", body,
                      more) if part)


@render_text.register
def _(answer: SupervisionLogged, limit: int | None = None) -> str:
    return (f"Supervision for {answer.name} on {day(answer.on)} logged by {answer.by}. "
            f"Next due {day(answer.next_due)}.")


def reminder_words(answer: ReminderSettings) -> tuple[str, str]:
    """(what changed or the state, the next one), worded once for every front end."""
    when = (answer.next_time.strftime("%a %-d %b at %H:%M") if answer.next_time else "")
    if not answer.enabled:
        head = ("Daily reminders are off." if answer.changed == "off"
                else "Your daily reminders are off.")
        return head, "Type /remind on to have them again."
    timing = f"at {answer.at_time}" + ("" if answer.own_time else " (the usual time)")
    head = {"on": "Daily reminders are on", "at": "Daily reminders moved"}.get(
        answer.changed, "Your daily reminders are on")
    return f"{head}: working days {timing}.", (
        f"Next: {when}." if when else "No reminder day in the next four weeks.")


@render_text.register
def _(answer: ReminderSettings, limit: int | None = None) -> str:
    head, tail = reminder_words(answer)
    return f"{head}\n{tail}\n/remind off · /remind on · /remind at HH:MM"
