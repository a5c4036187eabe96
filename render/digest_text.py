"""Weekly digests as plain text: `bot.py digest --dry-run`, logs, and chat notification fallbacks.

``named`` decides whether people and case references appear. A head of service's DM is named;
a channel post is not (SPEC section 2: lists of people or cases are only for the person asking,
unless in a DM), so a channel sees each team's figures and counts, never who.
"""

from __future__ import annotations

from functools import singledispatch

from jobs.digest_results import (
    ActionsDigest,
    Digest,
    DigestHeader,
    StaffingDigest,
    SupervisionDigest,
    TeamSupervision,
    digest_title,
)
from queries.staffing import StaffingFigures
from render.text import (
    agency_return_due,
    cut,
    day,
    freshness_lines,
    limited,
    plural,
    table,
)


def pct(value: float | None) -> str:
    return f"{value:.1f}%" if value is not None else "—"


def number(value: float | None, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if value is not None else "—"


def fte(value: float) -> str:
    return f"{value:.1f}"


def late_note(head: DigestHeader) -> str:
    """Said at the top when a run missed while the bot was down is posted after it came back."""
    if head.late_for is None:
        return ""
    return f"Posted late: this digest was due {head.late_for.strftime('%a %d %b %Y %H:%M')}."


def heading(digest: Digest) -> str:
    head = digest.header
    lines = [f"{digest_title(digest)} (week {head.period}, as of {day(head.as_of)})"]
    if note := late_note(head):
        lines.append(note)
    lines.extend(freshness_lines(head.freshness))
    return "\n".join(lines)



def unallocated_text(figures: StaffingFigures, named: bool) -> str:
    if not figures.unallocated_cases:
        return "0"
    text = str(figures.unallocated_cases)
    if figures.oldest_unallocated:
        case_ref, days = figures.oldest_unallocated
        text += f" (oldest {plural(days, 'day')}" + (f": {case_ref})" if named else ")")
    return text


def caseload_text(figures: StaffingFigures, cap: float) -> str:
    if figures.caseload_per_fte is None:
        return "—"
    flag = " over cap" if figures.caseload_per_fte > cap else ""
    return f"{figures.caseload_per_fte:.1f}{flag}"


def staffing_summary_rows(digest: StaffingDigest, named: bool) -> list[list[str]]:
    """The service's figures beside England's: [figure, council, England]."""
    total, eng = digest.total, digest.england
    breaches = len(digest.nqsw_breaches)
    return [
        ["Headcount (employed)", str(total.headcount), ""],
        ["FTE in post / establishment",
         f"{fte(total.fte_in_post)} / {fte(total.establishment_fte)}", ""],
        ["Vacancy rate", pct(total.vacancy_rate_pct), pct(eng.vacancy_pct)],
        ["Agency rate", pct(total.agency_rate_pct), pct(eng.agency_pct)],
        ["Turnover (12 months)", pct(total.turnover_12m_pct), pct(eng.turnover_pct)],
        ["Caseload per FTE (cap " + f"{digest.cap_per_fte:g})",
         caseload_text(total, digest.cap_per_fte), number(eng.caseload_per_fte)],
        ["Workers over cap", str(len(total.workers_over_cap)), ""],
        ["Starters / leavers this week", f"{total.starters_week} / {total.leavers_week}", ""],
        ["New cases this week (12-week average)",
         f"{total.new_cases_week} ({total.new_cases_12w_weekly_avg:.1f})", ""],
        ["Unallocated cases", unallocated_text(total, named), ""],
        ["NQSWs in protected year", f"{total.nqsws}"
         + (f" ({breaches} with a protection breach)" if breaches else ""), ""],
        [f"Managers over span (> {digest.span_of_control_max} reports)",
         str(len(total.managers_over_span)), ""],
        *([["Agency workers outside the DfE rules", str(total.agency_outside_rules), ""]]
          if total.agency_outside_rules is not None else []),
        *([["DfE quarterly agency return", agency_return_due(digest.agency_return), ""]]
          if digest.agency_return is not None else []),
    ]


def staffing_team_rows(digest: StaffingDigest) -> list[list[str]]:
    return [
        [team.scope, str(team.headcount), f"{fte(team.fte_in_post)}/{fte(team.establishment_fte)}",
         pct(team.vacancy_rate_pct), pct(team.agency_rate_pct),
         caseload_text(team, digest.cap_per_fte), str(len(team.workers_over_cap)),
         str(team.nqsws), str(team.unallocated_cases)]
        for team in digest.teams
    ]


STAFFING_TEAM_HEADERS = ["Team", "Staff", "FTE/est", "Vacancy", "Agency", "Cases/FTE",
                         "Over cap", "NQSWs", "Unalloc."]


def over_cap_rows(digest: StaffingDigest) -> list[list[str]]:
    return [[name, team.scope, str(cases), f"{cap:g}"]
            for team in digest.teams for _staff_id, name, cases, cap in team.workers_over_cap]


def over_span_rows(digest: StaffingDigest) -> list[list[str]]:
    return [[name, str(reports)] for _staff_id, name, reports in digest.total.managers_over_span]


def nqsw_rows(digest: StaffingDigest) -> list[list[str]]:
    return [[line.name, line.team, line.position,
             f"{line.open_cases}/{line.protected_cap:g}",
             "; ".join(line.breaches) if line.breaches else "protection kept"]
            for line in digest.nqsws]


def section(title: str, headers: list[str], rows: list[list[str]], limit: int | None) -> str:
    shown, more = limited(rows, limit)
    return "\n".join(part for part in (title, table(headers, shown), more) if part)


@singledispatch
def render_digest_text(digest: object, named: bool = True, limit: int | None = None) -> str:
    raise TypeError(f"no text rendering for {type(digest).__name__}")


@render_digest_text.register
def _(digest: StaffingDigest, named: bool = True, limit: int | None = None) -> str:
    parts = [heading(digest),
             table(["Service total", "Council", "England"], staffing_summary_rows(digest, named))]
    if digest.teams:
        parts.append(section("By team", STAFFING_TEAM_HEADERS, staffing_team_rows(digest), limit))
    if named:
        if rows := over_cap_rows(digest):
            parts.append(section("Workers over cap", ["Worker", "Team", "Cases", "Cap"], rows,
                                 limit))
        if rows := over_span_rows(digest):
            parts.append(section(
                f"Managers over span of control (more than {digest.span_of_control_max})",
                ["Manager", "Direct reports"], rows, limit))
        if rows := nqsw_rows(digest):
            parts.append(section("NQSWs in their protected year (breaches first)",
                                 ["NQSW", "Team", "ASYE", "Cases/cap", "Protection"], rows, limit))
    return "\n\n".join(parts)


def supervision_team_row(team: TeamSupervision) -> list[str]:
    nqsw = f"{team.nqsws_on_time}/{team.nqsws}" if team.nqsws else "—"
    return [team.team, str(team.people), str(team.on_time), pct(team.on_time_pct), nqsw]


def supervision_summary(digest: SupervisionDigest) -> str:
    total = digest.total
    overdue = len(digest.overdue)
    line = (f"Supervision on time: {total.on_time} of {total.people} ({pct(total.on_time_pct)}); "
            f"{overdue} {'person' if overdue == 1 else 'people'} overdue "
            f"(due at least every {digest.interval_days} days; NQSWs more often)")
    if total.nqsws:
        line += (f"\nNQSWs supervised at their required frequency: {total.nqsws_on_time} of "
                 f"{total.nqsws} ({pct(total.nqsw_on_time_pct)})")
    if digest.registration_recorded:
        line += (f"\nSocial Work England registration needing attention: "
                 f"{len(digest.registration)}")
    return line


REGISTRATION_TITLE = "Social Work England registration and CPD"
REGISTRATION_HEADERS = ["Name", "Team", "SWE no", "CPD this year", "Status"]


def registration_rows_text(digest: SupervisionDigest) -> list[list[str]]:
    return [[row.name, row.team, row.swe_no or "—", row.cpd_text, row.flag]
            for row in digest.registration]


def supervision_overdue_rows(digest: SupervisionDigest) -> list[list[str]]:
    return [[row.name, row.team, "NQSW" if row.is_nqsw else "", row.frequency, day(row.last),
             f"{row.days_overdue}"] for row in digest.overdue]


def supervision_nqsw_rows(digest: SupervisionDigest) -> list[list[str]]:
    return [[row.name, row.team, row.frequency, day(row.last), day(row.next_due),
             f"{row.days_overdue}d overdue" if row.days_overdue else "on time"]
            for row in digest.nqsws]


@render_digest_text.register
def _(digest: SupervisionDigest, named: bool = True, limit: int | None = None) -> str:
    parts = [heading(digest), supervision_summary(digest)]
    if digest.teams:
        parts.append(section("By team", ["Team", "People", "On time", "%", "NQSWs on time"],
                             [supervision_team_row(team) for team in digest.teams], limit))
    if named and digest.overdue:
        parts.append(section("Overdue (most overdue first)",
                             ["Name", "Team", "NQSW", "Frequency", "Last", "Days overdue"],
                             supervision_overdue_rows(digest), limit))
    if named and digest.nqsws:
        parts.append(section("NQSW supervision frequency",
                             ["NQSW", "Team", "Required", "Last", "Next due", "Status"],
                             supervision_nqsw_rows(digest), limit))
    if named and digest.registration:
        parts.append(section(REGISTRATION_TITLE, REGISTRATION_HEADERS,
                             registration_rows_text(digest), limit))
    return "\n\n".join(parts)


def actions_summary(digest: ActionsDigest) -> str:
    return (f"{digest.outstanding} outstanding; {len(digest.overdue)} overdue; "
            f"{len(digest.due_soon)} due in the next {digest.due_soon_days} days; "
            f"{len(digest.completed)} completed this week")


def action_rows_text(rows, named: bool, overdue: bool) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[row.ref, row.plan, cut(row.action, 60), *([row.owner] if named else []),
             day(row.due_date), *([f"{row.days_overdue}"] if overdue else [])] for row in rows]


@render_digest_text.register
def _(digest: ActionsDigest, named: bool = True, limit: int | None = None) -> str:
    owner = ["Owner"] if named else []
    parts = [heading(digest), actions_summary(digest)]
    if digest.overdue:
        parts.append(section("Overdue (most overdue first)",
                             ["Ref", "Plan", "Action", *owner, "Due", "Days overdue"],
                             action_rows_text(digest.overdue, named, True), limit))
    if digest.due_soon:
        parts.append(section(f"Due in the next {digest.due_soon_days} days",
                             ["Ref", "Plan", "Action", *owner, "Due"],
                             action_rows_text(digest.due_soon, named, False), limit))
    if digest.completed:
        rows = [[done.ref, done.plan, cut(done.action, 60), *([done.owner] if named else []),
                 day(done.completed_date), cut(done.evidence or "", 60)]
                for done in digest.completed]
        parts.append(section("Completed this week",
                             ["Ref", "Plan", "Action", *owner, "Completed", "Evidence"], rows,
                             limit))
    return "\n\n".join(parts)


__all__ = ["render_digest_text"]
