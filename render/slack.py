"""Block Kit for every answer: the same result objects as render/text.py, drawn for Slack.

Content mirrors the console renderer so Slack, Teams and the console cannot disagree; only the
layout differs. A tabular answer in a message is one Block Kit table (render_slack); App Home,
which shows several answers at once, draws every answer as sections (render_blocks). Every
message stays inside Slack's limits (50 blocks, 3,000 characters a section, 10 fields, one table
of 100 rows) by showing a page of rows, "… and N more" and a More button for the next page,
rather than letting Slack reject the post.
Everything that came from the store or the user is escaped (&, <, >), so a team, plan or evidence
text containing ``<!channel>`` is shown as typed and can never ping anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import singledispatch
from typing import Any

from queries.results import (
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
    ProtectionStatus,
    ReadAs,
    Refusal,
    StatusAnswer,
    ReportRequested,
    SupervisionList,
    ReminderSettings,
    SupervisionLogged,
    AgencyAnswer,
    RegistrationAnswer,
    StaffingAnswer,
    StaffingFigureRow,
    SupervisionRow,
    Unavailable,
    WorkerLoad,
)
from render.text import (
    agency_missing,
    agency_return_text,
    agency_summary,
    as_of,
    cp_rule,
    day,
    freshness_lines,
    joined,
    page_note,
    plural,
    read_as_line,
    registration_summary,
    render_text,
    staffing_row_parts,
    status_sections,
)

Block = dict[str, Any]
Message = dict[str, Any]

# Slack's published limits (https://docs.slack.dev/reference/block-kit/blocks).
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_BLOCK_ID = 255
#: The notification text is a fallback (notifications, screen readers), so a short one will do.
MAX_FALLBACK_TEXT = 3000

#: Button action ids the interactivity handlers listen for.
ACTION_DONE = "action_done"
ACTION_UPDATE = "action_update"
ACTION_MORE = "more_rows"
#: The "More" button's block_id: this prefix, then the row the next page starts at.
MORE_BLOCK_PREFIX = "more_rows_"

RED = ":red_circle:"
WARN = ":warning:"
OK = ":white_check_mark:"
NQSW = ":seedling:"

_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")


# --- Text helpers -----------------------------------------------------------------------------


def escape(text: object) -> str:
    """Slack's three control characters as entities: user text is shown, never interpreted."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut to `limit` characters with an ellipsis, never leaving half an HTML entity behind."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_ENTITY.sub("", text[: limit - 1])
    return cut + "…"


def plain(text: str, limit: int) -> dict[str, Any]:
    """plain_text is never parsed for mentions, so it is clipped but not escaped."""
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit) or " "}


def header(title: str) -> Block:
    return {"type": "header", "text": plain(title, MAX_HEADER_TEXT)}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def fields_section(pairs: Sequence[tuple[str, str]]) -> Block:
    """A two-column grid of label/value pairs (escaped by the caller), at most ten."""
    return {
        "type": "section",
        "fields": [mrkdwn(f"*{label}*\n{value}", MAX_FIELD_TEXT)
                   for label, value in pairs[:MAX_FIELDS]],
    }


def context(*texts: str) -> Block:
    return {"type": "context",
            "elements": [mrkdwn(text) for text in texts if text][:MAX_CONTEXT_ELEMENTS]
            or [mrkdwn(" ")]}


def divider() -> Block:
    return {"type": "divider"}





# --- Flags that must stand out ----------------------------------------------------------------


def flag_badge(flag: str) -> str:
    """A flag word from the results, made loud: red for breaches, amber for overdue work."""
    lowered = flag.lower()
    if "over cap" in lowered or "breach" in lowered or "lead on" in lowered:
        return f"{RED} *{escape(flag)}*"
    if flag == "NQSW":
        return f"{NQSW} NQSW"
    if "overdue" in lowered or "waiting" in lowered:
        return f"{WARN} {escape(flag)}"
    return escape(flag)


def badges(flags: Iterable[str]) -> str:
    return "  ".join(flag_badge(flag) for flag in flags)


# --- Assembling a message inside the limits ---------------------------------------------------


def fit(
    head: list[Block], rows: Sequence[list[Block]], tail: list[Block] | None = None,
    limit: int | None = None, max_blocks: int = MAX_BLOCKS, more_hint: str = "",
    offset: int = 0,
) -> list[Block]:
    """Head, one page of whole rows (from `offset`, at most `limit`, as many as fit), then "…
    and N more" with a "More" button for the next page, then the tail: never over `max_blocks`.

    The button's block_id carries where the next page starts; the handler that sends the
    message stamps the question on it (see handlers/slack/interactivity.stamp_origin)."""
    tail = tail or []
    page = rows[offset:]
    note = page_note(offset, min(len(page), limit or len(page)), len(rows))
    lead = [context(note)] if note else []
    budget = max_blocks - len(head) - len(lead) - len(tail)
    shown: list[list[Block]] = []
    used = 0
    allowed = len(page) if limit is None else min(limit, len(page))
    for position, row in enumerate(page[:allowed]):
        reserve = 0 if position == len(page) - 1 else 2  # room for "… and N more" and More
        if used + len(row) + reserve > budget:
            break
        shown.append(row)
        used += len(row)
    if lead and len(shown) < allowed:
        lead = [context(page_note(offset, len(shown), len(rows)))]
    blocks = [*head, *lead]
    for row in shown:
        blocks.extend(row)
    left_out = len(page) - len(shown)
    if left_out:
        blocks.append(context(joined([f"… and {left_out} more", more_hint])))
        blocks.append(more_button(offset + len(shown), left_out))
    blocks.extend(tail)
    return blocks[:max_blocks]


def more_button(next_offset: int, left: int) -> Block:
    """"More": the next page of the same answer, asked again when pressed."""
    return {
        "type": "actions",
        "block_id": f"{MORE_BLOCK_PREFIX}{next_offset}",
        "elements": [{"type": "button", "action_id": ACTION_MORE, "value": str(next_offset),
                      "text": plain(f"More ({left} left)", MAX_BUTTON_TEXT)}],
    }


def fallback_text(answer: object, limit: int | None, blocks: list[Block], offset: int = 0
                  ) -> str:
    """The notification text: the console rendering, escaped and clipped (or, should the console
    rendering fail, the first words of the blocks: a message always has its text)."""
    try:
        text = render_text(answer, limit=limit, offset=offset)
    except Exception:
        for block in blocks:
            part = block.get("text")
            if isinstance(part, dict):
                shown = part["text"] if part["type"] == "mrkdwn" else escape(part["text"])
                return clip(shown, MAX_FALLBACK_TEXT)
        return "Caseload bot"
    return clip(escape(text), MAX_FALLBACK_TEXT) or "Caseload bot"


def message(answer: object, blocks: list[Block], limit: int | None, offset: int = 0) -> Message:
    return {"text": fallback_text(answer, limit, blocks, offset), "blocks": blocks[:MAX_BLOCKS]}


@singledispatch
def render_blocks(answer: object, limit: int | None = None, offset: int = 0) -> list[Block]:
    """Blocks only, for composing several answers into one view (App Home)."""
    raise TypeError(f"no Slack rendering for {type(answer).__name__}")


def render_slack(answer: object, limit: int | None = None, offset: int = 0) -> Message:
    """`{"text": ..., "blocks": [...]}` ready for respond, chat.postMessage or chat.update;
    a list shows one page: `limit` rows from `offset`. A tabular answer is a Block Kit table
    (one a message, as Slack allows); the text is the console rendering, for notifications and
    clients that cannot draw a table. The last blocks say how fresh the answer's data is (one
    place for every answer)."""
    lines = freshness_lines(getattr(answer, "freshness", None))
    fresh = [context((":warning: " if line.startswith("Warning") else "") + escape(line))
             for line in lines]
    blocks = table_blocks(answer, limit, offset)
    if blocks is None:
        blocks = render_blocks(answer, limit, offset)
    return message(answer, [*blocks[:MAX_BLOCKS - len(fresh)], *fresh], limit, offset)


# --- Block Kit tables ------------------------------------------------------------------------

#: Slack's table block: at most 100 rows (the header row included) and 20 cells a row, and one
#: table a message (https://docs.slack.dev/reference/block-kit/blocks/table-block).
MAX_TABLE_ROWS = 100
MAX_TABLE_CELLS = 20
MAX_TABLE_CELL_TEXT = 300


def raw_cell(text: object) -> dict[str, Any]:
    """Plain text: never parsed, so user text needs no escaping here."""
    return {"type": "raw_text", "text": clip(str(text), MAX_TABLE_CELL_TEXT) or " "}


def flags_cell(flags: Sequence[str]) -> dict[str, Any]:
    """Flags as rich text, loud as the sections make them: red for breaches, amber for overdue
    work and waiting."""
    elements: list[dict[str, Any]] = []
    for flag in flags:
        lowered = flag.lower()
        if elements:
            elements.append({"type": "text", "text": ", "})
        if "over cap" in lowered or "breach" in lowered or "lead on" in lowered:
            elements.append({"type": "emoji", "name": "red_circle"})
            elements.append({"type": "text", "text": f" {flag}", "style": {"bold": True}})
        elif "overdue" in lowered or "waiting" in lowered:
            elements.append({"type": "emoji", "name": "warning"})
            elements.append({"type": "text", "text": f" {flag}"})
        else:
            elements.append({"type": "text", "text": flag})
    if not elements:
        return raw_cell(" ")
    return {"type": "rich_text",
            "elements": [{"type": "rich_text_section", "elements": elements}]}


def table_block(headers: Sequence[str], rows: Sequence[Sequence[dict[str, Any]]],
                right_aligned: Sequence[int] = (), wrapped: Sequence[int] = ()) -> Block:
    """A Block Kit table: the header row in bold, then the rows (at most 99 of them)."""
    head = [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
        {"type": "text", "text": name or " ", "style": {"bold": True}}]}]} for name in headers]
    settings = [{"align": "right" if column in right_aligned else "left",
                 **({"is_wrapped": True} if column in wrapped else {})}
                for column in range(len(headers))]
    return {"type": "table", "column_settings": settings[:MAX_TABLE_CELLS],
            "rows": [head[:MAX_TABLE_CELLS],
                     *(row[:MAX_TABLE_CELLS] for row in rows[:MAX_TABLE_ROWS - 1])]}


def paged_table(head: list[Block], headers: Sequence[str], rows: Sequence[Sequence[dict]],
                limit: int | None, offset: int, right_aligned: Sequence[int] = (),
                wrapped: Sequence[int] = ()) -> list[Block]:
    """Head, one page of rows as a table, then "… and N more" with the More button."""
    size = min(limit or MAX_TABLE_ROWS - 1, MAX_TABLE_ROWS - 1)
    page = rows[offset:offset + size]
    left = len(rows) - offset - len(page)
    blocks = list(head)
    if note := page_note(offset, len(page), len(rows)):
        blocks.append(context(note))
    blocks.append(table_block(headers, page, right_aligned, wrapped))
    if left > 0:
        blocks.append(context(f"… and {left} more"))
        blocks.append(more_button(offset + len(page), left))
    return blocks[:MAX_BLOCKS]


@singledispatch
def table_blocks(answer: object, limit: int | None = None, offset: int = 0
                 ) -> list[Block] | None:
    """The answer with its rows as one Block Kit table, or None for answers that are not a
    table (or have no rows): those are drawn by render_blocks."""
    return None


@table_blocks.register
def _(answer: ReadAs, limit: int | None = None, offset: int = 0) -> list[Block] | None:
    inner = table_blocks(answer.answer, limit, offset)
    if inner is None:
        return None
    return [context(f":speech_balloon: {escape(read_as_line(answer))}"), *inner][:MAX_BLOCKS]


@table_blocks.register
def _(answer: CaseloadTable, limit: int | None = None, offset: int = 0) -> list[Block] | None:
    if not answer.rows:
        return None
    several = len({row.team for row in answer.rows}) > 1
    headers = ["Worker", *(["Team"] if several else []), "FTE", "CP", "CIN", "LAC", "Other",
               "Total", "Load", "Flags"]
    rows = [[raw_cell(row.name), *([raw_cell(row.team)] if several else []),
             raw_cell(f"{row.fte:g}"), raw_cell(row.cp), raw_cell(row.cin), raw_cell(row.lac),
             raw_cell(row.other), raw_cell(row.total),
             raw_cell(f"{row.load_pct}% of {row.cap:g}"), flags_cell(row.flags)]
            for row in answer.rows]
    first_number = 2 if several else 1
    return paged_table(caseload_head(answer), headers, rows, limit, offset,
                       right_aligned=range(first_number, first_number + 6),
                       wrapped=(len(headers) - 1,))


@table_blocks.register
def _(answer: CaseList, limit: int | None = None, offset: int = 0) -> list[Block] | None:
    if not answer.cases:
        return None
    several = len({case.team for case in answer.cases}) > 1
    headers = ["Case", "Type", *(["Team"] if several else []), "Lead", "Co-worker", "Visit due",
               "Review", "Flags"]
    rows = [[raw_cell(case.case_ref), raw_cell(case.case_type),
             *([raw_cell(case.team)] if several else []),
             raw_cell(case.lead) if case.lead else flags_cell(["unallocated"]),
             raw_cell(case.co_worker or ""), raw_cell(day(case.visit_due)),
             raw_cell(day(case.next_review)), flags_cell(case.flags)]
            for case in answer.cases]
    return paged_table([*case_list_head(answer), divider()], headers, rows, limit, offset,
                       wrapped=(len(headers) - 1,))


@table_blocks.register
def _(answer: CapacityList, limit: int | None = None, offset: int = 0) -> list[Block] | None:
    if not answer.rows:
        return None
    headers = ["Worker", "Team", "FTE", "Cases", "Cap", "Headroom", "NQSW"]
    rows = [[raw_cell(row.name), raw_cell(row.team), raw_cell(f"{row.fte:g}"),
             raw_cell(row.open_cases), raw_cell(f"{row.cap:g}"), raw_cell(f"{row.headroom:g}"),
             raw_cell("NQSW" if row.is_nqsw else "")] for row in answer.rows]
    return paged_table([*capacity_head(answer), divider()], headers, rows, limit, offset,
                       right_aligned=(2, 3, 4, 5))


@table_blocks.register
def _(answer: SupervisionList, limit: int | None = None, offset: int = 0
      ) -> list[Block] | None:
    if not answer.rows:
        return None
    headers = ["Name", "Team", "NQSW", "Frequency", "Last", "Next due", "Status"]
    rows = [[raw_cell(row.name), raw_cell(row.team), raw_cell("NQSW" if row.is_nqsw else ""),
             raw_cell(row.frequency), raw_cell(day(row.last)), raw_cell(day(row.next_due)),
             flags_cell([f"{row.days_overdue}d overdue"]) if row.days_overdue
             else raw_cell("on time")] for row in answer.rows]
    return paged_table([*supervision_head(answer), divider()], headers, rows, limit, offset)


# --- Plain answers ----------------------------------------------------------------------------


@render_blocks.register
def _(answer: ReadAs, limit: int | None = None, offset: int = 0) -> list[Block]:
    """"Read as: /caseload capacity cp" first, then the answer, still inside 50 blocks."""
    note = context(f":speech_balloon: {escape(read_as_line(answer))}")
    inner = render_blocks(answer.answer, limit, offset)
    return [note, *inner][:MAX_BLOCKS] if len(inner) < MAX_BLOCKS else [note, *inner[
        : MAX_BLOCKS - 2], inner[-1]]


@render_blocks.register
def _(answer: Refusal, limit: int | None = None, offset: int = 0) -> list[Block]:
    blocks = [section(f":no_entry: {escape(answer.reason)}")]
    if answer.hint:
        blocks.append(context(escape(answer.hint)))
    return blocks


@render_blocks.register
def _(answer: Invalid, limit: int | None = None, offset: int = 0) -> list[Block]:
    blocks = [section(f":grey_question: {escape(answer.message)}")]
    if answer.usage:
        blocks.append(section(f"*Try:*\n```{escape(answer.usage)}```"))
    return blocks


@render_blocks.register
def _(answer: Unavailable, limit: int | None = None, offset: int = 0) -> list[Block]:
    return [section(f":hourglass_flowing_sand: {escape(answer.message)}")]


@render_blocks.register
def _(answer: HelpAnswer, limit: int | None = None, offset: int = 0) -> list[Block]:
    lines = [f"`{escape(usage)}`  {escape(meaning)}" for usage, meaning in answer.lines]
    blocks = [header("Caseload bot — what you can ask")]
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > MAX_SECTION_TEXT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks[:MAX_BLOCKS]


# --- Caseloads --------------------------------------------------------------------------------


def worker_row(row: WorkerLoad) -> list[Block]:
    counts = joined([f"CP {row.cp}", f"CIN {row.cin}", f"LAC {row.lac}", f"Other {row.other}",
                     f"*Total {row.total}*", f"{row.load_pct}% of cap {row.cap:g}",
                     row.points_text])
    lines = [joined([f"*{escape(row.name)}*", escape(row.team), f"{row.fte:g} FTE"]), counts]
    if row.flags:
        lines.append(badges(row.flags))
    return [section("\n".join(lines))]


def caseload_head(answer: CaseloadTable) -> list[Block]:
    over = answer.over_cap_count
    return [
        header(answer.title),
        context(as_of(answer.as_of)),
        fields_section([
            ("Workers", str(len(answer.rows))),
            ("FTE", f"{answer.total_fte:g}"),
            ("Open cases", str(answer.total_cases)
             + (f" ({answer.children_text})" if answer.children_text else "")),
            ("Over cap", f"{RED} {over}" if over else "0"),
            ("Unallocated", f"{WARN} {answer.unallocated}" if answer.unallocated else "0"),
        ]),
        divider(),
    ]


@render_blocks.register
def _(answer: CaseloadTable, limit: int | None = None, offset: int = 0) -> list[Block]:
    head = caseload_head(answer)
    if not answer.rows:
        return [*head, section("No case-holding workers in this team.")]
    return fit(head, [worker_row(row) for row in answer.rows], limit=limit, offset=offset)


def case_row(row: CaseRow) -> list[Block]:
    lead = escape(row.lead) if row.lead else f"{WARN} _unallocated_"
    people = joined([f"Lead: {lead}", f"Co-worker: {escape(row.co_worker)}" if row.co_worker
                     else ""])
    due = joined([f"Visit due {day(row.visit_due)}", f"Review {day(row.next_review)}"])
    lines = [joined([f"*{escape(row.case_ref)}*", escape(row.case_type), escape(row.team)]),
             people, due]
    if row.flags:
        lines.append(badges(row.flags))
    return [section("\n".join(lines))]


def case_list_head(answer: CaseList) -> list[Block]:
    return [header(answer.title), context(as_of(answer.as_of), escape(answer.summary))]


@render_blocks.register
def _(answer: CaseList, limit: int | None = None, offset: int = 0) -> list[Block]:
    head = case_list_head(answer)
    if not answer.cases:
        return [*head, section(escape(answer.empty_message))]
    return fit([*head, divider()], [case_row(row) for row in answer.cases], limit=limit,
               offset=offset)


def capacity_row(row: CapacityRow) -> list[Block]:
    lines = [
        joined([f"*{escape(row.name)}*", escape(row.team), f"{row.fte:g} FTE"]),
        joined([f"{row.open_cases} of cap {row.cap:g} cases", f"*headroom {row.headroom:g}*",
                f"{NQSW} NQSW" if row.is_nqsw else ""]),
    ]
    return [section("\n".join(lines))]


def capacity_head(answer: CapacityList) -> list[Block]:
    return [header(answer.title), context(as_of(answer.as_of), escape(answer.note))]


@render_blocks.register
def _(answer: CapacityList, limit: int | None = None, offset: int = 0) -> list[Block]:
    head = capacity_head(answer)
    if not answer.rows:
        return [*head, section("No one in your teams has room for another case.")]
    return fit([*head, divider()], [capacity_row(row) for row in answer.rows], limit=limit,
               offset=offset)


# --- NQSW protection --------------------------------------------------------------------------


def protection_row(status: ProtectionStatus) -> list[Block]:
    if not status.in_protected_year:
        ended = f" (it ended on {day(status.protection_end)})" if status.protection_end else ""
        return [section(f"{escape(status.name)} is not in their protected year{ended}.")]
    review = (f"month {status.next_review[0]} review due {day(status.next_review[1])}"
              if status.next_review else "no review left")
    academy = (f"{status.academy_passed or 0} of {status.academy_required} academy modules passed"
               if status.academy_required else "academy progress not recorded")
    cp_lead = len(status.cp_lead_cases)
    cp_line = f"CP cases as lead: {cp_lead} ({cp_rule(status)})"
    if cp_lead and not status.cp_lead_allowed:
        cp_line = f"{RED} *{cp_line}* — {escape(', '.join(status.cp_lead_cases))}"
    over_cap = status.open_cases > status.protected_cap
    caseload = f"Caseload {status.open_cases} against a protected cap of {status.protected_cap:g}"
    lines = [
        f"*{escape(status.name)}* — {escape(status.team)}",
        f"{status.programme} started {day(status.asye_start)} · {status.position} · protection ends "
        f"{day(status.protection_end)}",
        f"{RED} *{caseload}*" if over_cap else caseload,
        f"{cp_line} · co-working {status.cp_co_worked}",
        f"{status.development_time_pct}% protected development time · {academy} · {review}",
        f"Supervision {escape(status.supervision_frequency or '')}: last "
        f"{day(status.last_supervision)}, next due {day(status.next_supervision_due)}",
    ]
    if status.breaches:
        lines.append(f"{RED} *BREACH:* {escape('; '.join(status.breaches))}")
    else:
        lines.append(f"{OK} Protection is being kept.")
    return [section("\n".join(lines))]


@render_blocks.register
def _(answer: ProtectionAnswer, limit: int | None = None, offset: int = 0) -> list[Block]:
    statuses = list(answer.statuses)
    head = [header(answer.title), context(as_of(answer.as_of))]
    if not statuses:
        return [*head, section(escape(answer.empty_message))]
    if len(statuses) == 1 and not statuses[0].in_protected_year and answer.title.startswith("Your"):
        ended = statuses[0].protection_end
        text = "You are not in your protected year" + (
            f" (it ended on {day(ended)})." if ended and ended <= answer.as_of else ".")
        return [*head, section(text)]
    if len(statuses) > 1:
        breaches = sum(1 for status in statuses if status.breaches)
        head[-1] = context(as_of(answer.as_of), f"{plural(len(statuses), 'NQSW')}; "
                           f"{f'{RED} ' if breaches else ''}{breaches} with a breach")
    return fit([*head, divider()], [protection_row(status) for status in statuses],
               limit=limit, offset=offset)


# --- Actions ----------------------------------------------------------------------------------


def action_value(row: ActionRow) -> str:
    """What the buttons carry: PLAN/REF, so a reference shared by two plans stays unambiguous."""
    value = row.qualified_ref
    return value if len(value) <= MAX_BUTTON_VALUE else row.ref


def action_buttons(row: ActionRow, position: int) -> Block:
    value = action_value(row)
    return {
        "type": "actions",
        "block_id": clip(f"action_row_{position}", MAX_BLOCK_ID),
        "elements": [
            {"type": "button", "action_id": ACTION_DONE, "style": "primary",
             "text": plain("Mark done", MAX_BUTTON_TEXT), "value": value},
            {"type": "button", "action_id": ACTION_UPDATE,
             "text": plain("Add update", MAX_BUTTON_TEXT), "value": value},
        ],
    }


def action_row(row: ActionRow, position: int, buttons: bool = True) -> list[Block]:
    due = (f"{RED} *{row.days_overdue}d overdue*" if row.days_overdue
           else f"due {day(row.due_date)}")
    lines = [
        joined([f"*{escape(row.ref)}*", escape(row.plan)]) + f" — {due}",
        escape(clip(row.action, 600)),
        joined([f"Owner: {escape(row.owner)}",
                f"Agency: {escape(row.agency)}" if row.agency else "",
                f"Due {day(row.due_date)}" if row.days_overdue else ""]),
    ]
    if row.measure:
        lines.append(f"_Measured by:_ {escape(clip(row.measure, 300))}")
    if row.last_note:
        lines.append(f"_Latest:_ {escape(clip(row.last_note, 300))}")
    blocks = [section("\n".join(lines))]
    if buttons:
        blocks.append(action_buttons(row, position))
    return blocks


@render_blocks.register
def _(answer: ActionList, limit: int | None = None, offset: int = 0) -> list[Block]:
    overdue = sum(1 for row in answer.rows if row.days_overdue)
    head = [header(answer.title),
            context(as_of(answer.as_of), f"{len(answer.rows)} outstanding",
                    f"{RED} {overdue} overdue" if overdue else "0 overdue")]
    if not answer.rows:
        return [head[0], context(as_of(answer.as_of)), section(escape(answer.empty_message))]
    rows = [action_row(row, position) for position, row in enumerate(answer.rows)]
    return fit([*head, divider()], rows, limit=limit, offset=offset,
               more_hint="narrow it with /actions overdue or /actions plan NAME")


@render_blocks.register
def _(answer: ActionChanged, limit: int | None = None, offset: int = 0) -> list[Block]:
    if answer.kind == "done":
        return [section(
            f"{OK} Action *{escape(answer.ref)}* ({escape(answer.plan)}) marked done by "
            f"{escape(answer.by)} on {day(answer.on)}.\n*Evidence:* {escape(answer.text)}")]
    return [section(f":memo: Update added to action *{escape(answer.ref)}* "
                    f"({escape(answer.plan)}) by {escape(answer.by)}: {escape(answer.text)}")]


# --- Supervision ------------------------------------------------------------------------------


def supervision_row(row: SupervisionRow) -> list[Block]:
    status = f"{RED} *{row.days_overdue}d overdue*" if row.days_overdue else f"{OK} on time"
    lines = [
        joined([f"*{escape(row.name)}*", escape(row.team), f"{NQSW} NQSW" if row.is_nqsw else ""]),
        joined([escape(row.frequency), f"last {day(row.last)}",
                f"next due {day(row.next_due)}", status]),
    ]
    return [section("\n".join(lines))]


def supervision_head(answer: SupervisionList) -> list[Block]:
    overdue = answer.overdue_count
    return [header(answer.title),
            context(as_of(answer.as_of),
                    f"{f'{RED} ' if overdue else ''}{overdue} of {len(answer.rows)} overdue")]


@render_blocks.register
def _(answer: SupervisionList, limit: int | None = None, offset: int = 0) -> list[Block]:
    head = supervision_head(answer)
    if not answer.rows:
        return [head[0], context(as_of(answer.as_of)), section(escape(answer.empty_message))]
    return fit([*head, divider()], [supervision_row(row) for row in answer.rows],
               limit=limit, offset=offset)


@render_blocks.register
def _(answer: SupervisionLogged, limit: int | None = None, offset: int = 0) -> list[Block]:
    return [section(f"{OK} Supervision for *{escape(answer.name)}* on {day(answer.on)} logged by "
                    f"{escape(answer.by)}. Next due {day(answer.next_due)}.")]


# --- /staffing ---------------------------------------------------------------------------------


@render_blocks.register
def _(answer: StaffingAnswer, limit: int | None = None, offset: int = 0) -> list[Block]:
    def figure(row: StaffingFigureRow) -> list[Block]:
        label, now, england, trend = staffing_row_parts(row)
        return [section(joined([f"*{escape(label)}* {now}",
                                f"England {england}" if england else "", f"`{trend}`"]))]

    head = [header(answer.title),
            context(as_of(answer.as_of),
                    f"trend: the last {answer.trend_weeks} weeks, oldest first")]
    return fit(head, [figure(row) for row in answer.rows], limit=limit)


@render_blocks.register
def _(answer: AgencyAnswer, limit: int | None = None, offset: int = 0) -> list[Block]:
    head = [header(answer.title), context(as_of(answer.as_of), agency_summary(answer))]
    due = answer.agency_return
    reminder = ([section(f"{RED} *{escape(agency_return_text(due))}*" if due.soon
                         else escape(agency_return_text(due)))] if due else [])
    if not answer.rows:
        return [head[0], context(as_of(answer.as_of)), section(escape(answer.empty_message)),
                *reminder]
    head.extend(reminder)

    def worker(row) -> list[Block]:  # type: ignore[no-untyped-def]
        mark = f"{RED} *{escape(row.status)}*" if row.outside_rules else escape(row.status)
        return [section("\n".join(part for part in (
            joined([f"*{escape(row.name)}*", escape(row.team), escape(row.role.replace("_", " ")),
                    f"started {day(row.start_date)}"]),
            mark, escape(agency_missing(row))) if part))]

    return fit([*head, divider()], [worker(row) for row in answer.rows], limit=limit)


@render_blocks.register
def _(answer: RegistrationAnswer, limit: int | None = None, offset: int = 0) -> list[Block]:
    head = [header(answer.title), context(as_of(answer.as_of), registration_summary(answer))]
    if not answer.rows:
        return [*head, section(escape(answer.empty_message))]

    def person(row) -> list[Block]:  # type: ignore[no-untyped-def]
        return [section(joined([f"*{escape(row.name)}*", escape(row.team),
                                f"SWE {escape(row.swe_no)}" if row.swe_no else "",
                                escape(row.cpd_text), f"{RED} *{escape(row.flag)}*"]))]

    return fit([*head, divider()], [person(row) for row in answer.rows], limit=limit)


@render_blocks.register
def _(answer: ReportRequested, limit: int | None = None, offset: int = 0) -> list[Block]:
    return [section(f":page_facing_up: {escape(answer.message)} It will be in your direct "
                    "message with the bot in a moment.")]


@render_blocks.register
def _(answer: ReminderSettings, limit: int | None = None, offset: int = 0) -> list[Block]:
    from render.text import reminder_words

    head, tail = reminder_words(answer)
    return [section(f"{OK if answer.enabled else WARN} {escape(head)}\n{escape(tail)}"),
            {"type": "context", "elements": [mrkdwn("/remind off · /remind on · "
                                                    "/remind at HH:MM")]}]


__all__ = [
    "ACTION_DONE", "ACTION_MORE", "ACTION_UPDATE", "MAX_BLOCKS", "MORE_BLOCK_PREFIX",
    "MAX_VIEW_BLOCKS", "Block", "Message",
    "escape", "fit", "render_blocks", "render_slack",
]


@render_blocks.register
def _(answer: StatusAnswer, limit: int | None = None, offset: int = 0) -> list[Block]:
    blocks: list[Block] = [header(answer.title), context(as_of(answer.as_of))]
    for heading, lines in status_sections(answer, limit):
        blocks.append(section(f"*{escape(heading)}*\n"
                              + "\n".join(f"• {escape(line)}" for line in lines)))
    return blocks
