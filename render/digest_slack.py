"""Weekly digests as Slack Block Kit: a header, the service's figures, then one table per list.

Slack's limits shape this module: at most 50 blocks a message and 3,000 characters a section, so
every list is cut to fit and says "… and N more" instead of being dropped silently. Tables are
preformatted text (Slack has no table block that all clients render), built from the same rows
as the plain-text digest so the two cannot disagree. ``named`` as in render.digest_text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import singledispatch
from typing import Any

from jobs.digest_results import (
    ActionsDigest,
    Digest,
    StaffingDigest,
    SupervisionDigest,
    digest_title,
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
    staffing_summary_rows,
    staffing_team_rows,
    supervision_nqsw_rows,
    supervision_overdue_rows,
    supervision_summary,
    supervision_team_row,
)
from render.slack import MAX_TABLE_ROWS, raw_cell, table_block
from render.text import cut, day, freshness_lines, table

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150

Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    """What chat.postMessage needs: blocks, and the text notifications and old clients show."""

    text: str
    blocks: list[Block]


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION_CHARS]}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION_CHARS]}]}


def table_section(title: str, headers: list[str], rows: list[list[str]]) -> Block:
    """A titled table in one section: the rows that fit in 3,000 characters, "… and N more"."""
    heading = f"*{escape(title)}*"
    if not rows:
        return mrkdwn(heading)
    reserve = len(f"\n… and {len(rows)} more") + len("\n``````")
    lines = escape(table(headers, rows)).split("\n")  # header, rule, then one line per row
    budget = MAX_SECTION_CHARS - len(heading) - reserve
    used = len(lines[0]) + len(lines[1]) + 1
    shown = 0
    for line in lines[2:]:
        if used + len(line) + 1 > budget:
            break
        used += len(line) + 1
        shown += 1
    more = f"\n… and {len(rows) - shown} more" if shown < len(rows) else ""
    body = f"\n```{escape(table(headers, rows[:shown]))}```" if shown else ""
    return mrkdwn(f"{heading}{body}{more}")


def team_table(title: str, headers: list[str], rows: list[list[str]]) -> list[Block]:
    """The digest's by-team figures as a Block Kit table (Slack allows one a message, so the
    digest's other lists stay text), its title above it; beyond 99 teams, the text table."""
    if not rows or len(rows) > MAX_TABLE_ROWS - 1:
        return [table_section(title, headers, rows)]
    numbers = [column for column in range(1, len(headers))
               if all(_numeric(row[column]) for row in rows if column < len(row))]
    return [mrkdwn(f"*{escape(title)}*"),
            table_block(headers, [[raw_cell(value) for value in row] for row in rows],
                        right_aligned=numbers)]


def _numeric(value: str) -> bool:
    return value.replace(".", "", 1).replace("%", "").replace(",", "").strip().isdigit() \
        or value in ("—", "-", "")


def head_blocks(digest: Digest) -> list[Block]:
    head = digest.header
    blocks: list[Block] = [
        {"type": "header",
         "text": {"type": "plain_text", "text": digest_title(digest)[:MAX_HEADER_CHARS]}},
        context(f"Week {head.period} · as of {day(head.as_of)}"),
    ]
    if note := late_note(head):
        blocks.append(context(f":warning: {escape(note)}"))
    blocks.extend(context((":warning: " if line.startswith("Warning") else "") + escape(line))
                  for line in freshness_lines(head.freshness))
    return blocks


def capped(blocks: list[Block]) -> list[Block]:
    """Never more than Slack's 50 blocks; the last says what was left out."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    left_out = len(blocks) - (MAX_BLOCKS - 1)
    return [*blocks[: MAX_BLOCKS - 1], context(f"… and {left_out} more sections")]


@singledispatch
def render_digest_slack(digest: object, named: bool = True) -> SlackMessage:
    raise TypeError(f"no Slack rendering for {type(digest).__name__}")


@render_digest_slack.register
def _(digest: StaffingDigest, named: bool = True) -> SlackMessage:
    total = digest.total
    blocks = head_blocks(digest)
    blocks.append(table_section("Service total (England beside it)",
                                ["Figure", "Council", "England"],
                                staffing_summary_rows(digest, named)))
    if digest.teams:
        blocks.extend(team_table("By team", STAFFING_TEAM_HEADERS, staffing_team_rows(digest)))
    if named:
        if rows := over_cap_rows(digest):
            blocks.append(table_section("Workers over cap", ["Worker", "Team", "Cases", "Cap"],
                                        rows))
        if rows := over_span_rows(digest):
            blocks.append(table_section(
                f"Managers over span of control (more than {digest.span_of_control_max})",
                ["Manager", "Direct reports"], rows))
        if rows := nqsw_rows(digest):
            blocks.append(table_section("NQSWs in their protected year (breaches first)",
                                        ["NQSW", "Team", "ASYE", "Cases/cap", "Protection"], rows))
    blocks.append(context("Figures follow the DfE children's social work workforce census "
                          "definitions; the chart is in the thread."))
    caseload = (f"{total.caseload_per_fte:.1f}" if total.caseload_per_fte is not None else "—")
    text = (f"{digest_title(digest)}: caseload per FTE {caseload} (cap {digest.cap_per_fte:g}), "
            f"{total.unallocated_cases} unallocated, {len(total.workers_over_cap)} over cap")
    return SlackMessage(text=text, blocks=capped(blocks))


@render_digest_slack.register
def _(digest: SupervisionDigest, named: bool = True) -> SlackMessage:
    blocks = head_blocks(digest)
    blocks.append(mrkdwn(escape(supervision_summary(digest))))
    if digest.teams:
        blocks.extend(team_table("By team", ["Team", "People", "On time", "%", "NQSWs on time"],
                                 [supervision_team_row(team) for team in digest.teams]))
    if named and digest.overdue:
        blocks.append(table_section("Overdue (most overdue first)",
                                    ["Name", "Team", "NQSW", "Frequency", "Last",
                                     "Days overdue"],
                                    supervision_overdue_rows(digest)))
    if named and digest.nqsws:
        blocks.append(table_section("NQSW supervision frequency",
                                    ["NQSW", "Team", "Required", "Last", "Next due", "Status"],
                                    supervision_nqsw_rows(digest)))
    if named and digest.registration:
        blocks.append(table_section(REGISTRATION_TITLE, REGISTRATION_HEADERS,
                                    registration_rows_text(digest)))
    total = digest.total
    text = (f"{digest_title(digest)}: {total.on_time} of {total.people} on time, "
            f"{len(digest.overdue)} overdue")
    return SlackMessage(text=text, blocks=capped(blocks))


@render_digest_slack.register
def _(digest: ActionsDigest, named: bool = True) -> SlackMessage:
    owner = ["Owner"] if named else []
    blocks = head_blocks(digest)
    blocks.append(mrkdwn(escape(actions_summary(digest))))
    if digest.overdue:
        blocks.append(table_section("Overdue (most overdue first)",
                                    ["Ref", "Plan", "Action", *owner, "Due", "Days overdue"],
                                    action_rows_text(digest.overdue, named, True)))
    if digest.due_soon:
        blocks.append(table_section(f"Due in the next {digest.due_soon_days} days",
                                    ["Ref", "Plan", "Action", *owner, "Due"],
                                    action_rows_text(digest.due_soon, named, False)))
    if digest.completed:
        rows = [[done.ref, done.plan, cut(done.action, 60), *([done.owner] if named else []),
                 day(done.completed_date)] for done in digest.completed]
        blocks.append(table_section("Completed this week",
                                    ["Ref", "Plan", "Action", *owner, "Completed"], rows))
    return SlackMessage(text=f"{digest_title(digest)}: {actions_summary(digest)}",
                        blocks=capped(blocks))


__all__ = ["MAX_BLOCKS", "MAX_SECTION_CHARS", "SlackMessage", "render_digest_slack"]


# --- Charts as Block Kit data visualisation ------------------------------------------------

#: Slack's data visualisation block (https://docs.slack.dev/reference/block-kit/blocks/
#: data-visualization-block): a title of at most 50 characters, axis category labels of at most
#: 20, axis titles of at most 50. The reference gives no maximum number of categories; a
#: service with more teams than this keeps the picture (the uploaded PNG) instead.
MAX_CHART_TITLE = 50
MAX_CHART_CATEGORY = 20
MAX_CHART_AXIS_LABEL = 50
MAX_CHART_CATEGORIES = 20


def data_visualisation(title: str, series_name: str, points: list[tuple[str, float]],
                       x_label: str, y_label: str) -> Block | None:
    """A bar chart block, or None when the data does not fit the block's limits (too many
    categories, or two teams whose names read the same once cut to 20 characters)."""
    labels = [cut(label, MAX_CHART_CATEGORY) for label, _value in points]
    if not points or len(points) > MAX_CHART_CATEGORIES or len(set(labels)) != len(labels):
        return None
    return {
        "type": "data_visualization",
        "title": cut(title, MAX_CHART_TITLE),
        "chart": {
            "type": "bar",
            "series": [{"name": cut(series_name, MAX_CHART_CATEGORY),
                        "data": [{"label": label, "value": round(value, 1)}
                                 for label, (_name, value) in zip(labels, points)]}],
            "axis_config": {"categories": labels,
                            "x_label": cut(x_label, MAX_CHART_AXIS_LABEL),
                            "y_label": cut(y_label, MAX_CHART_AXIS_LABEL)},
        },
    }


def chart_message(digest: object) -> SlackMessage | None:
    """The digest's chart as a data visualisation block, with its figures as the text (for
    notifications, and clients that cannot draw the block); None for digests without a chart,
    or whose chart does not fit the block (the PNG goes instead)."""
    if isinstance(digest, StaffingDigest) and digest.teams:
        points = [(team.scope, team.caseload_per_fte) for team in digest.teams
                  if team.caseload_per_fte is not None]
        block = data_visualisation(f"Caseload per FTE by team (cap {digest.cap_per_fte:g})",
                                   "Cases per FTE", points, "Team", "Open cases per FTE")
        text = "Caseload per FTE by team: " + ", ".join(
            f"{name} {value:.1f}" for name, value in points)
    elif isinstance(digest, SupervisionDigest) and digest.teams:
        points = [(team.team, team.on_time_pct) for team in digest.teams
                  if team.on_time_pct is not None]
        block = data_visualisation("Supervision on time by team", "% on time", points, "Team",
                                   "% of staff supervised on time")
        text = "Supervision on time by team: " + ", ".join(
            f"{name} {value:.0f}%" for name, value in points)
    else:
        return None
    if block is None:
        return None
    return SlackMessage(text=cut(text, 3000), blocks=[block])
