"""Plain-text answers for the console, `bot.py ask`, logs and chat notification fallbacks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import singledispatch

from queries.agency_return import AgencyReturnDue
from queries.results import (
    ActionChanged,
    ActionList,
    CapacityList,
    CaseList,
    CaseloadTable,
    Freshness,
    HelpAnswer,
    LoadLine,
    Invalid,
    ProtectionAnswer,
    ProtectionStatus,
    ReadAs,
    Refusal,
    StatusAnswer,
    ReportRequested,
    SupervisionList,
    AgencyAnswer,
    AgencyRow,
    RegistrationAnswer,
    StaffingAnswer,
    StaffingFigureRow,
    ReminderSettings,
    SupervisionLogged,
    Unavailable,
    count_of,
)


def day(value: date | None) -> str:
    """UK style, as councils write dates (Mon 23 Nov 2026)."""
    return value.strftime("%a %d %b %Y") if value else "—"


def as_of(value: date | None) -> str:
    return f"As of {day(value)}"


def joined(parts: Iterable[str]) -> str:
    """Non-empty parts on one line, as every front end shows a row's details."""
    return " · ".join(part for part in parts if part)


def cut(text: str, limit: int) -> str:
    """At most `limit` characters; cut text ends with "…", so nobody reads half a sentence as
    the whole of it."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


#: "3 cases": the queries' own helper, under the name the renderers know it by.
plural = count_of


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip()
             for line in [headers, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def page_note(offset: int, shown: int, total: int) -> str:
    """"Showing 41–80 of 120" on a page after the first, so the reader knows where they are."""
    return f"Showing {offset + 1}–{offset + shown} of {total}" if offset else ""


def limited(rows: list[list[str]], limit: int | None, offset: int = 0
            ) -> tuple[list[list[str]], str]:
    """One page of a long listing (`limit` rows from `offset`), saying how many are left rather
    than dropping them silently: the front ends offer "more" for the next page."""
    page = rows[offset:]
    shown = page if limit is None else page[:limit]
    notes = [page_note(offset, len(shown), len(rows))]
    if len(shown) < len(page):
        notes.append(f"… and {len(page) - len(shown)} more")
    return shown, joined(notes)


def freshness_lines(freshness: Freshness | None) -> list[str]:
    """How old an answer's data is, said the same way by every front end: the line that ends
    each answer and digest, and a warning line once the data is stale."""
    if freshness is None:
        return []
    loaded = freshness.loaded_at
    clock = loaded.strftime("%H:%M")
    days_ago = (freshness.today - loaded.date()).days
    if days_ago == 0:
        lines = [f"Data from the {clock} import today."]
    elif days_ago == 1:
        lines = [f"Data from the {clock} import yesterday."]
    else:
        lines = [f"Data from the import of {day(loaded.date())} at {clock}."]
    if freshness.stale:
        age = (f"{freshness.age_hours:.0f} hours" if freshness.age_hours < 48
               else f"{freshness.age_hours / 24:.0f} days")
        lines.append(f"Warning: this data is {age} old (more than "
                     f"{freshness.stale_after_hours} hours), so it may be out of date. Ask the "
                     "bot's administrator to check the imports.")
    return lines


def load_line(load: LoadLine) -> str:
    """One recorded load, for /caseload status."""
    when = f"{day(load.at.date())} {load.at:%H:%M}"
    source = f" ({load.source})" if load.source else ""
    if load.refused:
        return (f"{load.kind}{source}: refused {when} by {load.actor}, "
                f"{plural(load.problems, 'problem')}")
    return (f"{load.kind}{source}: {when} by {load.actor}, {load.rows_read} rows read, "
            f"{load.created} created, {load.updated} updated, {load.closed} closed")


def status_sections(answer: StatusAnswer, limit: int | None = None
                    ) -> list[tuple[str, list[str]]]:
    """/caseload status as (heading, lines) sections, for every front end to lay out."""
    def cut(lines: list[str]) -> list[str]:
        rows, more = limited([[line] for line in lines], limit)
        return [row[0] for row in rows] + ([more] if more else [])

    return [
        ("Last import of each kind",
         cut([load_line(load) for load in answer.last_loads]) or ["No import recorded yet."]),
        (f"Refused imports, last {answer.history_days} days",
         cut([load_line(load) for load in answer.refused]) or ["None."]),
        (f"Chat users not matched to a staff record, last {answer.history_days} days",
         cut([f"{user.label} ({user.front_end}): refused {plural(user.times, 'time')}, last "
              f"{day(user.last_at.date())} {user.last_at:%H:%M}" for user in answer.unmatched])
         or ["None."]),
    ]


@singledispatch
def answer_text(answer: object, limit: int | None = None, offset: int = 0) -> str:
    """The answer as text, without its freshness line (render_text adds that); a list shows
    `limit` rows from `offset` (one page)."""
    raise TypeError(f"no text rendering for {type(answer).__name__}")


def read_as_line(answer: ReadAs) -> str:
    """What a plain question was answered as, so the asker can check it (and type it next time)."""
    return f"Read as: {answer.command}"


@answer_text.register
def _(answer: ReadAs, limit: int | None = None, offset: int = 0) -> str:
    # The inner answer without its freshness line: render_text adds it once, after the whole.
    return f"{read_as_line(answer)}\n{answer_text(answer.answer, limit=limit, offset=offset)}"


@answer_text.register
def _(answer: Refusal, limit: int | None = None, offset: int = 0) -> str:
    return "\n".join(part for part in (answer.reason, answer.hint) if part)


@answer_text.register
def _(answer: Invalid, limit: int | None = None, offset: int = 0) -> str:
    return f"{answer.message}\nTry: {answer.usage}" if answer.usage else answer.message


@answer_text.register
def _(answer: Unavailable, limit: int | None = None, offset: int = 0) -> str:
    return answer.message


@answer_text.register
def _(answer: HelpAnswer, limit: int | None = None, offset: int = 0) -> str:
    width = max(len(usage) for usage, _ in answer.lines)
    return "Caseload bot — what you can ask:\n" + "\n".join(
        f"  {usage.ljust(width)}  {meaning}" for usage, meaning in answer.lines
    )


@answer_text.register
def _(answer: CaseloadTable, limit: int | None = None, offset: int = 0) -> str:
    rows = [
        [r.name, r.team, f"{r.fte:g}", str(r.cp), str(r.cin), str(r.lac), str(r.other),
         str(r.total), joined([f"{r.load_pct}% of {r.cap:g}", r.points_text]),
         ", ".join(r.flags)]
        for r in answer.rows
    ]
    rows, more = limited(rows, limit, offset)
    heading = (
        f"{answer.title} (as of {day(answer.as_of)})\n"
        f"{len(answer.rows)} workers, {answer.total_fte:g} FTE, {answer.total_cases} cases"
        f"{f' ({answer.children_text})' if answer.children_text else ''}; "
        f"{answer.over_cap_count} over cap; {answer.unallocated} unallocated"
    )
    if not answer.rows:
        return f"{heading}\nNo case-holding workers in this team."
    body = table(["Worker", "Team", "FTE", "CP", "CIN", "LAC", "Other", "Total", "Load", "Flags"],
                 rows)
    return "\n".join(part for part in (heading, body, more) if part)


@answer_text.register
def _(answer: CaseList, limit: int | None = None, offset: int = 0) -> str:
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
    rows, more = limited(rows, limit, offset)
    body = table(["Case", "Type", "Team", "Lead", "Co-worker", "Visit due", "Review", "Flags"],
                 rows)
    return "\n".join(part for part in (heading, body, more) if part)


@answer_text.register
def _(answer: CapacityList, limit: int | None = None, offset: int = 0) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})\n{answer.note}"
    if not answer.rows:
        return f"{heading}\nNo one in your teams has room for another case."
    rows = [[r.name, r.team, f"{r.fte:g}", str(r.open_cases), f"{r.cap:g}", f"{r.headroom:g}",
             "NQSW" if r.is_nqsw else ""] for r in answer.rows]
    rows, more = limited(rows, limit, offset)
    body = table(["Worker", "Team", "FTE", "Cases", "Cap", "Headroom", "NQSW"], rows)
    return "\n".join(part for part in (heading, body, more) if part)


def cp_rule(status: ProtectionStatus) -> str:
    """What the programme year allows: "must be 0", or "allowed this year" where the council's
    setting lets this programme year lead CP cases."""
    return "allowed this year" if status.cp_lead_allowed else "must be 0"


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
        f"  {status.programme} started {day(status.asye_start)}; {status.position}; protection ends "
        f"{day(status.protection_end)}",
        f"  Caseload {status.open_cases} against a protected cap of {status.protected_cap:g}",
        f"  CP cases as lead: {len(status.cp_lead_cases)} ({cp_rule(status)})"
        + (f" — {', '.join(status.cp_lead_cases)}" if status.cp_lead_cases else "")
        + f"; co-working {status.cp_co_worked}",
        f"  {status.development_time_pct}% protected development time; {academy}; {review}",
        f"  Supervision {status.supervision_frequency}: last {day(status.last_supervision)}, "
        f"next due {day(status.next_supervision_due)}",
    ]
    lines.append("  BREACH: " + "; ".join(status.breaches) if status.breaches
                 else "  Protection is being kept.")
    return lines


@answer_text.register
def _(answer: ProtectionAnswer, limit: int | None = None, offset: int = 0) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})"
    if not answer.statuses:
        return f"{heading}\n{answer.empty_message}"
    statuses = list(answer.statuses)
    shown = statuses[offset:] if limit is None else statuses[offset:offset + limit]
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
    left = len(statuses) - offset - len(shown)
    notes = joined([page_note(offset, len(shown), len(statuses)),
                    f"… and {left} more" if left > 0 else ""])
    if notes:
        lines.append(notes)
    return "\n".join(lines)


@answer_text.register
def _(answer: ActionList, limit: int | None = None, offset: int = 0) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})"
    if not answer.rows:
        return f"{heading}\n{answer.empty_message}"
    overdue = sum(1 for r in answer.rows if r.days_overdue)
    rows = [[r.ref, r.plan, cut(r.action, 60), r.owner, r.agency or "", day(r.due_date),
             f"{r.days_overdue}d" if r.days_overdue else "", cut(r.measure or "", 40)]
            for r in answer.rows]
    rows, more = limited(rows, limit, offset)
    body = table(["Ref", "Plan", "Action", "Owner", "Agency", "Due", "Overdue", "Measured by"],
                 rows)
    return "\n".join(part for part in
                     (f"{heading}\n{len(answer.rows)} outstanding, {overdue} overdue", body, more)
                     if part)


@answer_text.register
def _(answer: ActionChanged, limit: int | None = None, offset: int = 0) -> str:
    if answer.kind == "done":
        return (f"Action {answer.ref} ({answer.plan}) marked done by {answer.by} on "
                f"{day(answer.on)}. Evidence: {answer.text}")
    return f"Update added to action {answer.ref} ({answer.plan}) by {answer.by}: {answer.text}"


@answer_text.register
def _(answer: SupervisionList, limit: int | None = None, offset: int = 0) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})"
    if not answer.rows:
        return f"{heading}\n{answer.empty_message}"
    rows = [[r.name, r.team, "NQSW" if r.is_nqsw else "", r.frequency, day(r.last),
             day(r.next_due), f"{r.days_overdue}d overdue" if r.days_overdue else "on time"]
            for r in answer.rows]
    rows, more = limited(rows, limit, offset)
    body = table(["Name", "Team", "NQSW", "Frequency", "Last", "Next due", "Status"], rows)
    return "\n".join(part for part in
                     (f"{heading}\n{answer.overdue_count} of {len(answer.rows)} overdue", body,
                      more) if part)


@answer_text.register
def _(answer: SupervisionLogged, limit: int | None = None, offset: int = 0) -> str:
    return (f"Supervision for {answer.name} on {day(answer.on)} logged by {answer.by}. "
            f"Next due {day(answer.next_due)}.")


# --- /staffing ---------------------------------------------------------------------------------

SPARK_LEVELS = "▁▂▃▄▅▆▇█"
SPARK_MISSING = "·"


def sparkline(values: Iterable[float | None]) -> str:
    """A text sparkline, lowest value ▁ to highest █ (flat: all ▁); · where there is no value.

    Every front end shows the same characters, so a trend reads the same in Slack, Teams and
    the console."""
    points = list(values)
    known = [value for value in points if value is not None]
    if not known:
        return SPARK_MISSING * len(points)
    low, high = min(known), max(known)
    top = len(SPARK_LEVELS) - 1
    return "".join(
        SPARK_MISSING if value is None
        else SPARK_LEVELS[0] if high == low
        else SPARK_LEVELS[round((value - low) / (high - low) * top)]
        for value in points
    )


def figure_value(unit: str, value: float | None) -> str:
    """A staffing figure as the digest writes it: 12.3%, 4.5 FTE, 15.2, 7."""
    if value is None:
        return "—"
    if unit == "pct":
        return f"{value:.1f}%"
    if unit == "fte":
        return f"{value:.1f}"
    if unit == "ratio":
        return f"{value:.1f}"
    return f"{value:g}"


def staffing_row_parts(row: StaffingFigureRow) -> tuple[str, str, str, str]:
    """(figure, now, England, trend) as every front end shows one /staffing row."""
    england = figure_value(row.unit, row.england) if row.england is not None else ""
    return row.label, figure_value(row.unit, row.value), england, sparkline(row.trend)


@answer_text.register
def _(answer: StaffingAnswer, limit: int | None = None, offset: int = 0) -> str:
    heading = (f"{answer.title} (as of {day(answer.as_of)})\n"
               f"Trend: the last {answer.trend_weeks} weeks, oldest first")
    rows, more = limited([list(staffing_row_parts(row)) for row in answer.rows], limit)
    body = table(["Figure", "Now", "England", "Trend"], rows)
    return "\n".join(part for part in (heading, body, more) if part)


def agency_missing(row: AgencyRow) -> str:
    """The facts not recorded, so a manager knows what to ask the agency for."""
    return "not recorded: " + ", ".join(row.not_recorded) if row.not_recorded else ""


def agency_return_due(due: AgencyReturnDue) -> str:
    """"due Sun 31 Jan 2027 (in 61 days)": the return's day, as a digest's figure shows it."""
    when = "today" if due.days_left == 0 else f"in {plural(due.days_left, 'day')}"
    return f"due {day(due.due)} ({when}){' — due soon' if due.soon else ''}"


def agency_return_text(due: AgencyReturnDue | None) -> str:
    """The quarterly return reminder in one line, worded once for every front end."""
    return f"DfE quarterly agency return {agency_return_due(due)}" if due else ""


def agency_summary(answer: AgencyAnswer) -> str:
    return (f"{plural(len(answer.rows), 'agency worker')}; "
            f"{answer.outside_count} outside the DfE agency rules")


@answer_text.register
def _(answer: AgencyAnswer, limit: int | None = None, offset: int = 0) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})"
    reminder = agency_return_text(answer.agency_return)
    if not answer.rows:
        return "\n".join(part for part in (heading, answer.empty_message, reminder) if part)
    rows, more = limited([[r.name, r.team, r.role.replace("_", " "), day(r.start_date),
                           r.status, agency_missing(r)] for r in answer.rows], limit)
    body = table(["Name", "Team", "Job", "Started", "Rules", "Missing"], rows)
    return "\n".join(part for part in (heading, agency_summary(answer), body, more, reminder)
                     if part)


def registration_summary(answer: RegistrationAnswer) -> str:
    return (f"{len(answer.rows)} of {plural(answer.people, 'social worker')} need attention; "
            f"renewal opens {day(answer.renewal_opens)} and closes {day(answer.year_ends)}")


@answer_text.register
def _(answer: RegistrationAnswer, limit: int | None = None, offset: int = 0) -> str:
    heading = f"{answer.title} (as of {day(answer.as_of)})\n{registration_summary(answer)}"
    if not answer.rows:
        return f"{heading}\n{answer.empty_message}"
    rows, more = limited([[r.name, r.team, r.swe_no or "—", r.cpd_text, r.flag]
                          for r in answer.rows], limit)
    body = table(["Name", "Team", "SWE no", "CPD this year", "Status"], rows)
    return "\n".join(part for part in (heading, body, more) if part)


@answer_text.register
def _(answer: StatusAnswer, limit: int | None = None, offset: int = 0) -> str:
    parts = [f"{answer.title} (as of {day(answer.as_of)})"]
    for heading, lines in status_sections(answer, limit):
        parts.append("\n".join([heading + ":", *(f"  {line}" for line in lines)]))
    return "\n".join(parts)


@answer_text.register
def _(answer: ReportRequested, limit: int | None = None, offset: int = 0) -> str:
    return answer.message


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


@answer_text.register
def _(answer: ReminderSettings, limit: int | None = None, offset: int = 0) -> str:
    head, tail = reminder_words(answer)
    return f"{head}\n{tail}\n/remind off · /remind on · /remind at HH:MM"


def render_text(answer: object, limit: int | None = None, offset: int = 0) -> str:
    """The answer as text, ending with how fresh its data is (one place for every answer)."""
    lines = freshness_lines(getattr(answer, "freshness", None))
    return "\n".join([answer_text(answer, limit, offset), *lines])
