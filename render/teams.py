"""Adaptive Cards for every answer and digest: the same result objects as render/text.py, for Teams.

Content mirrors the console renderer, so Teams, Slack and the console cannot disagree; only the
layout differs. Tables are Adaptive Card 1.5 ``Table`` elements (Teams renders them on desktop,
web and mobile), with flags in the last column in the card's attention colour.

Teams refuses a message over about 28 KB, so every card is cut to fit a budget by showing fewer
rows and saying "… and N more", never by letting Teams reject the post. Each card carries the
plain-text rendering as ``fallbackText`` (clients that cannot draw the card, screen readers).

Teams users type the commands as words to the bot ("caseload team X"); a leading slash would open
Teams' own command menu, so the help and error texts shown here drop it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import singledispatch
from typing import Any

from jobs.digest_results import (
    ActionsDigest,
    StaffingDigest,
    SupervisionDigest,
    digest_title,
)
from commands.grammar import VERBS
from queries.results import (
    ActionChanged,
    ActionList,
    ActionRow,
    CapacityList,
    CaseList,
    CaseloadTable,
    HelpAnswer,
    Invalid,
    ProtectionAnswer,
    ProtectionStatus,
    ReadAs,
    Refusal,
    StatusAnswer,
    ReportRequested,
    SupervisionList,
    AgencyAnswer,
    RegistrationAnswer,
    StaffingAnswer,
    ReminderSettings,
    SupervisionLogged,
    Unavailable,
    WorkerLoad,
)
from render.digest_text import (
    REGISTRATION_HEADERS,
    REGISTRATION_TITLE,
    STAFFING_TEAM_HEADERS,
    action_rows_text,
    actions_summary,
    late_note,
    nqsw_rows,
    over_cap_rows,
    over_span_rows,
    registration_rows_text,
    render_digest_text,
    staffing_summary_rows,
    staffing_team_rows,
    supervision_nqsw_rows,
    supervision_overdue_rows,
    supervision_summary,
    supervision_team_row,
)
from render.text import (
    agency_missing,
    agency_return_text,
    agency_summary,
    as_of,
    cut,
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

Card = dict[str, Any]
Element = dict[str, Any]
#: A digest's table: its title, headers and rows (strings, as the text digest has them).
Section = tuple[str, list[str], list[list[str]]]

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
#: Teams refuses a message over about 28 KB; the activity around the card needs about 1 KB.
MAX_CARD_BYTES = 26_000
#: The fallback is for clients that cannot draw cards: the heading and the first rows will do.
MAX_FALLBACK_CHARS = 1_500
#: The grammar reads at most 2,000 characters a command; "actions done REF " needs some.
MAX_NOTE_CHARS = 1_800

#: What the "Mark done" / "Add update" submit buttons carry as ``verb``.
ACTION_DONE = "action_done"
ACTION_UPDATE = "action_update"
#: What the "More" button carries as ``verb``, with the row the next page starts at.
ACTION_MORE = "more_rows"

ATTENTION = "Attention"
WARNING = "Warning"
GOOD = "Good"

#: Every command word of the one grammar, so a new command is never shown with Slack's slash.
_SLASH_VERB = re.compile(r"(^|[\s(\"'])/(" + "|".join(VERBS) + r")\b")
_MARKDOWN_LINK = re.compile(r"\]\(")


@dataclass(frozen=True)
class TeamsMessage:
    """One message: the card, and the plain text for notifications and clients without cards."""

    card: Card
    text: str

    @property
    def summary(self) -> str:
        """The first line, which Teams shows in notifications and the activity feed."""
        return self.text.split("\n", 1)[0][:200]


# --- Text ----------------------------------------------------------------------------------


def teams_words(text: str) -> str:
    """"/caseload team X" → "caseload team X": the words a Teams user types to the bot."""
    return _SLASH_VERB.sub(r"\1\2", text)


def plain(text: object) -> str:
    """Text from the store or a user, made inert: a markdown link in it is shown, not followed."""
    return _MARKDOWN_LINK.sub("]\u200b(", str(text))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"




def flag_colour(flag: str) -> str | None:
    """Breaches in red, overdue work in amber, as render.slack makes them loud."""
    lowered = flag.lower()
    if "over cap" in lowered or "breach" in lowered or "lead on" in lowered:
        return ATTENTION
    if "overdue" in lowered or "waiting" in lowered:
        return WARNING
    return None


# --- Elements ------------------------------------------------------------------------------


def text_block(
    text: str, *, size: str | None = None, weight: str | None = None, colour: str | None = None,
    subtle: bool = False, spacing: str | None = None, monospace: bool = False,
) -> Element:
    block: Element = {"type": "TextBlock", "text": text or " ", "wrap": True}
    if size:
        block["size"] = size
    if weight:
        block["weight"] = weight
    if colour:
        block["color"] = colour
    if subtle:
        block["isSubtle"] = True
    if spacing:
        block["spacing"] = spacing
    if monospace:
        block["fontType"] = "Monospace"
    return block


def heading(title: str) -> Element:
    return text_block(plain(title), size="Medium", weight="Bolder")


def subtitle(*parts: str) -> Element:
    return text_block(joined(parts), subtle=True, spacing="None")


@dataclass(frozen=True)
class Cell:
    text: str
    colour: str | None = None
    bold: bool = False


def cell(value: object, colour: str | None = None, bold: bool = False) -> Cell:
    return Cell(plain(value), colour, bold)


def flags_cell(flags: Sequence[str]) -> Cell:
    colours = [flag_colour(flag) for flag in flags]
    colour = ATTENTION if ATTENTION in colours else WARNING if WARNING in colours else None
    return Cell(plain(", ".join(flags)), colour, bold=colour == ATTENTION)


#: Teams shows an element only where its targetWidth fits the card: tables where there is room
#: (a desktop or tablet chat), one stacked block per row on a phone, where ten columns would
#: shrink every header to "F." and every number to "1.".
WIDE = "atLeast:Standard"
NARROW = "atMost:Narrow"


def table(headers: Sequence[str], rows: Sequence[Sequence[Cell]],
          widths: Sequence[int] | None = None) -> list[Element]:
    """A table that reads at any width: an Adaptive Card 1.5 table (headers first, one TableRow
    a row) where the card is standard width or wider, and the same rows stacked — the first cell
    as a heading, the others as "Header value" runs that wrap — where it is narrow."""
    return [wide_table(headers, rows, widths), stacked_rows(headers, rows)]


#: A column whose every cell is one word of at most this many characters is a code column: CP,
#: CIN, LAC, a count, "NQSW", an FTE, a case reference, "fortnightly". It is given the pixels its
#: longest word needs (a Table column may not be "auto"), so it is never squeezed to "C", "1."
#: or "CR-10822 66"; the other columns share what is left by their weights.
CODE_CHARS = 12
#: Pixels a character of a bold 14 px cell can take (Segoe UI's capitals and w/m run to about
#: 11, other letters and digits to about 7), and a cell's padding either side with grid lines.
WIDE_CHAR_PX = 11
CHAR_PX = 7
CELL_PADDING_PX = 16


def text_px(text: str) -> int:
    return sum(WIDE_CHAR_PX if char.isupper() or char in "mwMW" else CHAR_PX for char in text)


def column_width(header: str, texts: Sequence[str], weight: int) -> int | str:
    """Pixels for a code column, else the column's weight."""
    if any(len(text) > CODE_CHARS or " " in text.strip() for text in texts):
        return weight
    return f"{max(map(text_px, [*header.split(), *texts])) + CELL_PADDING_PX}px"


def wide_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]],
               widths: Sequence[int] | None = None, code_columns: bool = True) -> Element:
    """`widths` are the columns' weights; a code column (`code_columns`) gets its pixels."""
    weights = list(widths or [1] * len(headers))
    sized: list[int | str] = [
        column_width(header, [row[column].text for row in rows], weight) if code_columns
        else weight for column, (header, weight) in enumerate(zip(headers, weights))]

    def table_cell(content: Cell, header: bool = False) -> Element:
        # As small as a cell can be: a table is most of a card's bytes, and bytes are rows.
        block: Element = {"type": "TextBlock", "text": content.text or " "}
        if len(content.text) > 6 or " " in content.text:  # a code column fits its longest word
            block["wrap"] = True
        if header or content.bold:
            block["weight"] = "Bolder"
        if content.colour:
            block["color"] = content.colour
        return {"type": "TableCell", "items": [block]}

    return {
        "type": "Table",
        "targetWidth": WIDE,
        "gridStyle": "accent",
        "firstRowAsHeaders": True,
        "showGridLines": True,
        "columns": [{"width": width} for width in sized],
        "rows": [
            {"type": "TableRow", "style": "accent",
             "cells": [table_cell(Cell(header), header=True) for header in headers]},
            *({"type": "TableRow", "cells": [table_cell(content) for content in row]}
              for row in rows),
        ],
    }


def stacked_rows(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Element:
    """One block a row for a phone: nothing sits in a column, so nothing is cut. The first cell
    is the row's heading; the other cells follow as "Header value" in lines that wrap, the
    coloured ones (flags, load over cap) on a line of their own in their colour."""

    def row_block(row: Sequence[Cell]) -> Element:
        lines: dict[str | None, list[str]] = {}
        for header, content in zip(headers[1:], row[1:]):
            if not content.text.strip():
                continue
            value = f"**{content.text}**" if content.bold and not content.colour else content.text
            lines.setdefault(content.colour, []).append(f"{header} {value}" if header else value)
        items: list[Element] = [text_block(row[0].text, weight="Bolder", colour=row[0].colour)]
        for colour, parts in lines.items():
            block = {"type": "TextBlock", "text": " · ".join(parts), "wrap": True,
                     "spacing": "None"}
            if colour:
                block.update(color=colour, weight="Bolder")
            items.append(block)
        return {"type": "Container", "separator": True, "items": items}

    return {"type": "Container", "targetWidth": NARROW,
            "items": [row_block(row) for row in rows] or [text_block(" ")]}


def facts(pairs: Iterable[tuple[str, str]]) -> Element:
    return {"type": "FactSet",
            "facts": [{"title": title, "value": value or "—"} for title, value in pairs]}


def more_line(left_out: int, hint: str = "", next_offset: int | None = None, total: int = 0,
              offset: int = 0) -> list[Element]:
    """Where this page is ("Showing 41–80 of 120"), how many are left, and a "More" button that
    asks the same question again for the next page (the handler adds the question)."""
    note = joined([page_note(offset, total - offset - left_out, total) if total else "",
                   f"… and {left_out} more" if left_out else "", hint if left_out else ""])
    elements = [text_block(note, subtle=True)] if note else []
    if left_out and next_offset is not None:
        elements.append({"type": "ActionSet", "actions": [{
            "type": "Action.Submit", "title": f"More ({left_out} left)",
            "data": {"verb": ACTION_MORE, "offset": next_offset}}]})
    return elements


def more_of(total: int, offset: int, shown: int, hint: str = "") -> list[Element]:
    """more_line for a page of `shown` rows from `offset` of `total`."""
    return more_line(total - offset - shown, hint, offset + shown, total, offset)


def card(body: list[Element], fallback: str, actions: list[Element] | None = None) -> Card:
    content: Card = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
        "fallbackText": fallback,
    }
    if actions:
        content["actions"] = actions
    return content


def card_bytes(content: Card) -> int:
    """Bytes on the wire: the connector client sends json.dumps' output (ASCII, escaped)."""
    return len(json.dumps(content))


def clip_lines(text: str, limit: int) -> str:
    """Whole lines up to `limit` characters, then "…": a cut table row would mislead."""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = 2
    for line in text.split("\n"):
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join([*kept, "…"]) if kept else clip(text, limit)


def fallback_for(answer: object, limit: int | None, offset: int = 0) -> str:
    return clip_lines(teams_words(render_text(answer, limit=limit, offset=offset)),
                      MAX_FALLBACK_CHARS)


def fit(build: Callable[[int], Card], total: int, limit: int | None) -> Card:
    """The card with as many rows as fit the size budget (and at most `limit`)."""
    shown = total if limit is None else min(limit, total)
    while True:
        content = build(shown)
        if shown == 0 or card_bytes(content) <= MAX_CARD_BYTES:
            return content
        shown -= max(1, shown // 6)


def message(content: Card) -> TeamsMessage:
    return TeamsMessage(card=content, text=content.get("fallbackText", ""))


# --- Answers -------------------------------------------------------------------------------


@singledispatch
def render_card(answer: object, limit: int | None = None, interactive: bool = True,
                offset: int = 0) -> Card:
    """The Adaptive Card for one answer. `interactive` adds the action buttons."""
    raise TypeError(f"no Teams rendering for {type(answer).__name__}")


def render_teams(answer: object, limit: int | None = None, interactive: bool = True,
                 offset: int = 0) -> TeamsMessage:
    """The card for an answer (a list shows one page, `limit` rows from `offset`), ending with
    how fresh its data is (one place for every answer)."""
    content = render_card(answer, limit, interactive, offset)
    content["body"] = [*content["body"], *freshness_blocks(getattr(answer, "freshness", None))]
    return message(content)


def freshness_blocks(freshness: object) -> list[Element]:
    return [text_block(plain(line), colour=WARNING, weight="Bolder")
            if line.startswith("Warning") else text_block(plain(line), subtle=True)
            for line in freshness_lines(freshness)]  # type: ignore[arg-type]


@render_card.register
def _(answer: ReadAs, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    """"Read as: caseload capacity cp" above the answer's own card body."""
    inner = render_card(answer.answer, limit, interactive, offset)
    note = text_block(plain(teams_words(read_as_line(answer))), subtle=True)
    fallback = clip_lines(teams_words(read_as_line(answer)) + "\n"
                          + inner.get("fallbackText", ""), MAX_FALLBACK_CHARS)
    return {**inner, "body": [note, *inner["body"]], "fallbackText": fallback}


@render_card.register
def _(answer: Refusal, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    body = [text_block(plain(teams_words(answer.reason)), weight="Bolder")]
    if answer.hint:
        body.append(text_block(plain(teams_words(answer.hint)), subtle=True))
    return card(body, fallback_for(answer, limit))


@render_card.register
def _(answer: Invalid, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    body = [text_block(plain(teams_words(answer.message)))]
    if answer.usage:
        body.append(text_block("Try:", weight="Bolder"))
        # One block a form: card markdown runs lines split by a single newline together.
        body.extend(text_block(plain(teams_words(form)), monospace=True, spacing="None")
                    for form in answer.usage.splitlines() if form.strip())
    return card(body, fallback_for(answer, limit))


@render_card.register
def _(answer: Unavailable, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    return card([text_block(answer.message)], fallback_for(answer, limit))


@render_card.register
def _(answer: HelpAnswer, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    body = [
        heading("Caseload bot — what you can ask"),
        subtitle("Type these as messages to the bot (in a channel, @mention it first)"),
        facts((teams_words(usage), teams_words(meaning)) for usage, meaning in answer.lines),
    ]
    return card(body, fallback_for(answer, limit))


def by_type(row: WorkerLoad) -> str:
    """"9 CP, 7 CIN, 1 LAC, 3 other": a number and its type never on two lines."""
    return ", ".join(f"{count}\u00a0{kind}" for count, kind in
                     ((row.cp, "CP"), (row.cin, "CIN"), (row.lac, "LAC"), (row.other, "other")))


@render_card.register
def _(answer: CaseloadTable, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    over = answer.over_cap_count
    head = [
        heading(answer.title),
        subtitle(as_of(answer.as_of)),
        facts([
            ("Workers", str(len(answer.rows))),
            ("FTE", f"{answer.total_fte:g}"),
            ("Open cases", str(answer.total_cases)
             + (f" ({answer.children_text})" if answer.children_text else "")),
            ("Over cap", str(over)),
            ("Unallocated", str(answer.unallocated)),
        ]),
    ]
    if not answer.rows:
        return card([*head, text_block("No case-holding workers in this team.")],
                    fallback_for(answer, limit))
    several_teams = len({row.team for row in answer.rows}) > 1
    # The cases by type in one cell ("9 CP, 7 CIN, 1 LAC, 3 other"): nine columns do not fit
    # a card about 420 px wide, as the Agents Playground draws every card, tables and all.
    headers = ["Worker", *(["Team"] if several_teams else []), "FTE", "Cases", "Total", "Load",
               "Flags"]
    widths = [3, *([2] if several_teams else []), 1, 3, 1, 2, 3]

    def build(shown: int) -> Card:
        rows = [
            [cell(row.name, bold=True), *([cell(row.team)] if several_teams else []),
             cell(f"{row.fte:g}"), cell(by_type(row)), cell(row.total, bold=True),
             cell(joined([f"{row.load_pct}% of {row.cap:g}", row.points_text]),
                  ATTENTION if row.over_cap or row.over_points_cap else None),
             flags_cell(row.flags)]
            for row in answer.rows[offset:offset + shown]
        ]
        return card([*head, *table(headers, rows, widths),
                     *more_of(len(answer.rows), offset, shown)],
                    fallback_for(answer, shown, offset))

    return fit(build, len(answer.rows) - offset, limit)


@render_card.register
def _(answer: CaseList, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    head = [heading(answer.title), subtitle(as_of(answer.as_of), plain(answer.summary))]
    if not answer.cases:
        return card([*head, text_block(plain(answer.empty_message))], fallback_for(answer, limit))
    several_teams = len({case.team for case in answer.cases}) > 1
    # One lead on every case (a practitioner's own list): said once, not a column repeating it.
    leads = {case.lead for case in answer.cases}
    one_lead = next(iter(leads)) if len(leads) == 1 and None not in leads else None
    if one_lead:
        head.append(text_block(f"Lead on every case: {plain(one_lead)}", spacing="None"))
    headers = ["Case", "Type", *(["Team"] if several_teams else []),
               *([] if one_lead else ["Lead"]), "Co-worker", "Visit due", "Review", "Flags"]
    widths = [2, 1, *([2] if several_teams else []), *([] if one_lead else [3]), 3, 3, 3, 3]

    def build(shown: int) -> Card:
        rows = [
            [cell(case.case_ref, bold=True), cell(case.case_type),
             *([cell(case.team)] if several_teams else []),
             *([] if one_lead else [cell(case.lead) if case.lead
                                    else Cell("unallocated", WARNING)]),
             cell(case.co_worker or ""), cell(day(case.visit_due)), cell(day(case.next_review)),
             flags_cell(case.flags)]
            for case in answer.cases[offset:offset + shown]
        ]
        return card([*head, *table(headers, rows, widths), *more_of(len(answer.cases), offset,
                                                                   shown)],
                    fallback_for(answer, shown, offset))

    return fit(build, len(answer.cases) - offset, limit)


@render_card.register
def _(answer: CapacityList, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    head = [heading(answer.title), subtitle(as_of(answer.as_of)), text_block(plain(answer.note))]
    if not answer.rows:
        return card([*head, text_block("No one in your teams has room for another case.")],
                    fallback_for(answer, limit))
    headers = ["Worker", "Team", "FTE", "Cases", "Cap", "Headroom", "NQSW"]

    def build(shown: int) -> Card:
        rows = [
            [cell(row.name, bold=True), cell(row.team), cell(f"{row.fte:g}"),
             cell(row.open_cases), cell(f"{row.cap:g}"), cell(f"{row.headroom:g}", bold=True),
             cell("NQSW" if row.is_nqsw else "")]
            for row in answer.rows[offset:offset + shown]
        ]
        return card([*head, *table(headers, rows, [3, 2, 1, 1, 1, 2, 1]),
                     *more_of(len(answer.rows), offset, shown)],
                    fallback_for(answer, shown, offset))

    return fit(build, len(answer.rows) - offset, limit)


def protection_container(status: ProtectionStatus) -> Element:
    if not status.in_protected_year:
        ended = f" (it ended on {day(status.protection_end)})" if status.protection_end else ""
        return {"type": "Container", "separator": True, "items": [
            text_block(f"{plain(status.name)} is not in their protected year{ended}.")]}
    review = (f"month {status.next_review[0]} review due {day(status.next_review[1])}"
              if status.next_review else "no review left")
    academy = (f"{status.academy_passed or 0} of {status.academy_required} passed"
               if status.academy_required else "not recorded")
    cp_lead = len(status.cp_lead_cases)
    cp_text = f"{cp_lead} ({cp_rule(status)})" + (f" — {', '.join(status.cp_lead_cases)}" if cp_lead
                                          else "")
    items = [
        text_block(f"**{plain(status.name)}** — {plain(status.team)}"),
        facts([
            ("Protected year", f"{status.position} ({status.programme} started "
                               f"{day(status.asye_start)}; protection ends "
                               f"{day(status.protection_end)})"),
            ("Caseload", f"{status.open_cases} against a protected cap of "
                         f"{status.protected_cap:g}"),
            ("CP cases as lead", plain(cp_text)),
            ("CP co-working", str(status.cp_co_worked)),
            ("Development time", f"{status.development_time_pct}% protected"),
            ("Academy modules", academy),
            ("Next review", review),
            ("Supervision", f"{plain(status.supervision_frequency or '')}: last "
                            f"{day(status.last_supervision)}, next due "
                            f"{day(status.next_supervision_due)}"),
        ]),
    ]
    if status.breaches:
        items.append(text_block("BREACH: " + plain("; ".join(status.breaches)),
                                weight="Bolder", colour=ATTENTION))
    else:
        items.append(text_block("Protection is being kept.", colour=GOOD))
    return {"type": "Container", "separator": True, "items": items}


@render_card.register
def _(answer: ProtectionAnswer, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    statuses = list(answer.statuses)
    head = [heading(answer.title), subtitle(as_of(answer.as_of))]
    if not statuses:
        return card([*head, text_block(plain(answer.empty_message))], fallback_for(answer, limit))
    if len(statuses) == 1 and not statuses[0].in_protected_year and answer.title.startswith("Your"):
        ended = statuses[0].protection_end
        text = "You are not in your protected year" + (
            f" (it ended on {day(ended)})." if ended and ended <= answer.as_of else ".")
        return card([*head, text_block(text)], fallback_for(answer, limit))
    if len(statuses) > 1:
        breaches = sum(1 for status in statuses if status.breaches)
        head.append(text_block(f"{plural(len(statuses), 'NQSW')}; {breaches} with a breach",
                               colour=ATTENTION if breaches else None,
                               weight="Bolder" if breaches else None))

    def build(shown: int) -> Card:
        return card([*head, *(protection_container(status)
                              for status in statuses[offset:offset + shown]),
                     *more_of(len(statuses), offset, shown)], fallback_for(answer, shown, offset))

    return fit(build, len(statuses) - offset, limit)


def action_reference(row: ActionRow) -> str:
    """The reference the submit buttons carry: PLAN/REF in one word, unambiguous even when two
    plans share a reference."""
    return row.qualified_ref


def note_form(verb: str, row: ActionRow, position: int) -> Element:
    """Mark done / Add update: a text box and a submit button, shown under the action."""
    done = verb == ACTION_DONE
    input_id = f"{'evidence' if done else 'note'}_{position}"
    return {
        "type": "Action.ShowCard",
        "title": "Mark done" if done else "Add update",
        "card": {
            "type": "AdaptiveCard",
            "body": [{
                "type": "Input.Text",
                "id": input_id,
                "isMultiline": True,
                "maxLength": MAX_NOTE_CHARS,
                "isRequired": True,
                "label": "What shows it is done?" if done else "What has happened?",
                "placeholder": ("e.g. audit of 20 case files found every visit in time" if done
                                else "e.g. training booked for May"),
                "errorMessage": "Say what shows it is done." if done else "Add a note.",
            }],
            "actions": [{
                "type": "Action.Submit",
                "title": "Mark done" if done else "Add update",
                "style": "positive" if done else "default",
                "data": {"verb": verb, "ref": action_reference(row), "input": input_id},
            }],
        },
    }


def action_container(row: ActionRow, position: int, interactive: bool) -> Element:
    due = (text_block(f"{row.days_overdue}d overdue", weight="Bolder", colour=ATTENTION,
                      spacing="None") if row.days_overdue
           else text_block(f"due {day(row.due_date)}", subtle=True, spacing="None"))
    pairs = [("Owner", plain(row.owner))]
    if row.agency:
        pairs.append(("Agency", plain(row.agency)))
    pairs.append(("Due", day(row.due_date)))
    if row.measure:
        pairs.append(("Measured by", plain(clip(row.measure, 300))))
    if row.last_note:
        pairs.append(("Latest", plain(clip(row.last_note, 300))))
    items = [
        text_block(f"**{plain(row.ref)}** · {plain(row.plan)}"),
        due,
        text_block(plain(clip(row.action, 600))),
        facts(pairs),
    ]
    if interactive:
        items.append({"type": "ActionSet", "actions": [
            note_form(ACTION_DONE, row, position), note_form(ACTION_UPDATE, row, position)]})
    return {"type": "Container", "separator": True, "items": items}


@render_card.register
def _(answer: ActionList, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    overdue = sum(1 for row in answer.rows if row.days_overdue)
    head = [heading(answer.title), subtitle(as_of(answer.as_of))]
    if not answer.rows:
        return card([*head, text_block(plain(answer.empty_message))], fallback_for(answer, limit))
    head.append(text_block(f"{len(answer.rows)} outstanding, {overdue} overdue",
                           colour=ATTENTION if overdue else None))

    def build(shown: int) -> Card:
        rows = [action_container(row, position, interactive)
                for position, row in enumerate(answer.rows[offset:offset + shown])]
        return card([*head, *rows, *more_of(len(answer.rows), offset, shown,
                                            "narrow it with actions overdue or actions plan "
                                            "NAME")], fallback_for(answer, shown, offset))

    return fit(build, len(answer.rows) - offset, limit)


@render_card.register
def _(answer: ActionChanged, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    if answer.kind == "done":
        body = [text_block(f"Action **{plain(answer.ref)}** ({plain(answer.plan)}) marked done "
                           f"by {plain(answer.by)} on {day(answer.on)}.", colour=GOOD),
                facts([("Evidence", plain(answer.text))])]
    else:
        body = [text_block(f"Update added to action **{plain(answer.ref)}** "
                           f"({plain(answer.plan)}) by {plain(answer.by)}."),
                facts([("Note", plain(answer.text))])]
    return card(body, fallback_for(answer, limit))


@render_card.register
def _(answer: SupervisionList, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    overdue = answer.overdue_count
    head = [heading(answer.title), subtitle(as_of(answer.as_of))]
    if not answer.rows:
        return card([*head, text_block(plain(answer.empty_message))], fallback_for(answer, limit))
    head.append(text_block(f"{overdue} of {len(answer.rows)} overdue",
                           colour=ATTENTION if overdue else None))
    # One team (the title names it): no Team column repeating it on every row.
    several_teams = len({row.team for row in answer.rows}) > 1
    headers = ["Name", *(["Team"] if several_teams else []), "NQSW", "Frequency", "Last",
               "Next due", "Status"]
    widths = [3, *([2] if several_teams else []), 1, 2, 2, 2, 3]

    def build(shown: int) -> Card:
        rows = [
            [cell(row.name, bold=True), *([cell(row.team)] if several_teams else []),
             cell("NQSW" if row.is_nqsw else ""), cell(row.frequency), cell(day(row.last)),
             cell(day(row.next_due)),
             Cell(f"{row.days_overdue}d overdue", ATTENTION, bold=True) if row.days_overdue
             else Cell("on time", GOOD)]
            for row in answer.rows[offset:offset + shown]
        ]
        return card([*head, *table(headers, rows, widths),
                     *more_of(len(answer.rows), offset, shown)],
                    fallback_for(answer, shown, offset))

    return fit(build, len(answer.rows) - offset, limit)


@render_card.register
def _(answer: SupervisionLogged, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    return card([text_block(f"Supervision for **{plain(answer.name)}** on {day(answer.on)} "
                            f"logged by {plain(answer.by)}. Next due {day(answer.next_due)}.",
                            colour=GOOD)], fallback_for(answer, limit))


@render_card.register
def _(answer: StaffingAnswer, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    pairs = []
    for row in answer.rows:
        label, now, england, trend = staffing_row_parts(row)
        pairs.append((label, joined([now, f"England {england}" if england else "", trend])))
    head = [heading(answer.title),
            subtitle(as_of(answer.as_of),
                     f"trend: the last {answer.trend_weeks} weeks, oldest first")]

    def build(shown: int) -> Card:
        return card([*head, facts(pairs[:shown]), *more_line(len(pairs) - shown)],
                    fallback_for(answer, shown))

    return fit(build, len(pairs), limit)


@render_card.register
def _(answer: AgencyAnswer, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    head = [heading(answer.title), subtitle(as_of(answer.as_of))]
    due = answer.agency_return
    reminder = ([text_block(plain(agency_return_text(due)),
                            colour=ATTENTION if due.soon else None)] if due else [])
    if not answer.rows:
        return card([*head, text_block(plain(answer.empty_message)), *reminder],
                    fallback_for(answer, limit))
    outside = answer.outside_count
    head.append(text_block(agency_summary(answer), colour=ATTENTION if outside else None))
    head.extend(reminder)
    headers = ["Name", "Team", "Started", "Rules", "Missing"]

    def build(shown: int) -> Card:
        rows = [
            [cell(row.name, bold=True), cell(row.team), cell(day(row.start_date)),
             Cell(plain(row.status), ATTENTION, bold=True) if row.outside_rules
             else cell(row.status), cell(agency_missing(row))]
            for row in answer.rows[:shown]
        ]
        return card([*head, *table(headers, rows, [3, 2, 2, 4, 3]),
                     *more_line(len(answer.rows) - shown)], fallback_for(answer, shown))

    return fit(build, len(answer.rows), limit)


@render_card.register
def _(answer: RegistrationAnswer, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    head = [heading(answer.title), subtitle(as_of(answer.as_of)),
            text_block(registration_summary(answer), colour=ATTENTION if answer.rows else None)]
    if not answer.rows:
        return card([*head, text_block(plain(answer.empty_message))], fallback_for(answer, limit))
    headers = ["Name", "Team", "SWE no", "CPD this year", "Status"]

    def build(shown: int) -> Card:
        rows = [[cell(row.name, bold=True), cell(row.team), cell(row.swe_no or "—"),
                 cell(row.cpd_text), Cell(plain(row.flag), ATTENTION, bold=True)]
                for row in answer.rows[:shown]]
        return card([*head, *table(headers, rows, [3, 2, 2, 2, 3]),
                     *more_line(len(answer.rows) - shown)], fallback_for(answer, shown))

    return fit(build, len(answer.rows), limit)


@render_card.register
def _(answer: ReminderSettings, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    from render.text import reminder_words

    head, tail = reminder_words(answer)
    return card([text_block(head, weight="Bolder"), text_block(tail),
                 text_block("/remind off · /remind on · /remind at HH:MM", subtle=True)],
                fallback_for(answer, limit))


# --- Plain messages and digests -------------------------------------------------------------


def text_card(text: str, title: str | None = None) -> TeamsMessage:
    """A card holding plain text (a note, or a digest handed over as text)."""
    body = [heading(title)] if title else []
    body.extend(text_block(plain(paragraph)) for paragraph in text.split("\n\n") if paragraph)
    fallback = clip_lines("\n".join(part for part in (title, text) if part), MAX_FALLBACK_CHARS)
    return message(card(body or [text_block(" ")], fallback))


def image_card(url: str, title: str, alt_text: str) -> TeamsMessage:
    """A chart, linked by its HTTPS address on the bot (handlers/teams/charts.py): never a
    data: URI, which would carry the whole picture inside the message."""
    if not url.lower().startswith("https://"):
        raise ValueError("Teams charts are linked over HTTPS only")
    content = card([text_block(plain(title), weight="Bolder"),
                    {"type": "Image", "url": url, "altText": alt_text, "size": "Stretch"}],
                   alt_text)
    return message(content)


def digest_table(title: str, headers: list[str], rows: list[list[str]], shown: int
                 ) -> list[Element]:
    """A titled table of a digest, at most `shown` rows, saying how many were left out."""
    if not rows:
        return []
    cells = [[cell(value, flag_colour(value), bold=column == 0) for column, value in enumerate(row)]
             for row in rows[:shown]]
    return [text_block(plain(title), weight="Bolder", spacing="Medium"),
            *table(headers, cells), *more_line(max(0, len(rows) - shown))]


def digest_sections(digest: object, named: bool) -> tuple[list[Element], list[Section]]:
    """What goes above the tables, and the tables, as in render.digest_slack."""
    tables: list[Section] = []
    intro: list[Element] = []
    if isinstance(digest, StaffingDigest):
        intro.append(facts((figure, joined([council, f"England {england}" if england else ""]))
                           for figure, council, england in staffing_summary_rows(digest, named)))
        tables.append(("By team", STAFFING_TEAM_HEADERS, staffing_team_rows(digest)))
        if named:
            tables.append(("Workers over cap", ["Worker", "Team", "Cases", "Cap"],
                           over_cap_rows(digest)))
            tables.append((f"Managers over span of control (more than "
                           f"{digest.span_of_control_max})", ["Manager", "Direct reports"],
                           over_span_rows(digest)))
            tables.append(("NQSWs in their protected year (breaches first)",
                           ["NQSW", "Team", "ASYE", "Cases/cap", "Protection"], nqsw_rows(digest)))
    elif isinstance(digest, SupervisionDigest):
        intro.append(text_block(plain(supervision_summary(digest))))
        tables.append(("By team", ["Team", "People", "On time", "%", "NQSWs on time"],
                       [supervision_team_row(team) for team in digest.teams]))
        if named:
            tables.append(("Overdue (most overdue first)",
                           ["Name", "Team", "NQSW", "Frequency", "Last", "Days overdue"],
                           supervision_overdue_rows(digest)))
            tables.append(("NQSW supervision frequency",
                           ["NQSW", "Team", "Required", "Last", "Next due", "Status"],
                           supervision_nqsw_rows(digest)))
            tables.append((REGISTRATION_TITLE, REGISTRATION_HEADERS,
                           registration_rows_text(digest)))
    elif isinstance(digest, ActionsDigest):
        owner = ["Owner"] if named else []
        intro.append(text_block(plain(actions_summary(digest))))
        tables.append(("Overdue (most overdue first)",
                       ["Ref", "Plan", "Action", *owner, "Due", "Days overdue"],
                       action_rows_text(digest.overdue, named, True)))
        tables.append((f"Due in the next {digest.due_soon_days} days",
                       ["Ref", "Plan", "Action", *owner, "Due"],
                       action_rows_text(digest.due_soon, named, False)))
        tables.append(("Completed this week", ["Ref", "Plan", "Action", *owner, "Completed"],
                       [[done.ref, done.plan, cut(done.action, 60),
                         *([done.owner] if named else []), day(done.completed_date)]
                        for done in digest.completed]))
    else:
        raise TypeError(f"no Teams rendering for {type(digest).__name__}")
    return intro, [section for section in tables if section[2]]


def render_digest_teams(digest: object, named: bool = True) -> TeamsMessage:
    """A weekly digest as a card: the service's figures, then one table per list, each cut to
    fit Teams' size limit with "… and N more". ``named`` as in render.digest_text: a channel
    sees figures and counts, never who."""
    head = digest.header  # type: ignore[attr-defined]
    body = [heading(digest_title(digest)),  # type: ignore[arg-type]
            subtitle(f"Week {head.period}", as_of(head.as_of))]
    if note := late_note(head):
        body.append(text_block(note, colour=WARNING, weight="Bolder"))
    body.extend(freshness_blocks(head.freshness))
    intro, tables = digest_sections(digest, named)
    fallback = clip_lines(render_digest_text(digest, named=named), MAX_FALLBACK_CHARS)

    def build(shown: int) -> Card:
        return card([*body, *intro,
                     *(element for title, headers, rows in tables
                       for element in digest_table(title, headers, rows, shown))], fallback)

    most_rows = max((len(rows) for _title, _headers, rows in tables), default=0)
    return message(fit(build, most_rows, None))



@render_card.register
def _(answer: ReportRequested, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    words = f"{answer.message} A link to it follows in your chat with the bot."
    return card([text_block(plain(teams_words(words)))], fallback_for(answer, limit))


__all__ = [
    "ACTION_DONE", "ACTION_MORE", "ACTION_UPDATE", "CARD_CONTENT_TYPE", "Card", "MAX_CARD_BYTES",
    "TeamsMessage",
    "image_card", "render_card", "render_digest_teams", "render_teams", "teams_words",
    "text_card",
]


@render_card.register
def _(answer: StatusAnswer, limit: int | None = None, interactive: bool = True,
      offset: int = 0) -> Card:
    body = [heading(answer.title), subtitle(as_of(answer.as_of))]
    for title, lines in status_sections(answer, limit):
        body.append(text_block(plain(title), weight="Bolder", spacing="Medium"))
        body.extend(text_block(plain(line)) for line in lines)
    return card(body, fallback_for(answer, limit))
