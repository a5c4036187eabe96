"""`python bot.py export census-summary [--date D]`: the council's staffing figures by the DfE
children's social work workforce census definitions, beside England's, so a council can check the
bot's numbers against the return it submitted (whose reference date is 30 September).

The figures are `queries.staffing.staffing_figures` for all services (one source for each number);
this module only lays them out with their definitions (SPEC section 4, quoted) and workings. Where
the council has agency workers, the count outside the DfE agency rules (when their facts are
recorded) and the next DfE quarterly agency return (queries.agency_return) sit beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from config import Settings
from queries.agency_return import AgencyReturnDue, agency_return_beside
from queries.staffing import StaffingFigures, staffing_figures
from render.text import agency_return_text

#: SPEC section 4's definitions, quoted; FTE and headcount as queries/staffing.py counts them.
DEFINITIONS: dict[str, str] = {
    "fte": "employed workforce in post on the date (started on or before it, not left before it); "
           "agency workers count in the agency rate only",
    "headcount": "people in the employed workforce in post on the date",
    "turnover": "turnover (rolling 12 months) = FTE of leavers in the period ÷ FTE in post at the "
                "period end",
    "agency": "agency rate = agency FTE ÷ (agency FTE + employed FTE)",
    "vacancy": "vacancy rate = vacant FTE ÷ (vacant FTE + FTE in post), vacant FTE = "
               "establishment − FTE in post (never below 0)",
    "caseload": "average caseload = cases held by case-holding workers ÷ FTE of workers holding "
                "at least one case",
    "agency_rules": "agency workers in post who break a DfE agency rule (experience, reference, "
                    "notice, price cap, cool-off) with no approved exception; not a census "
                    "figure, but what the quarterly agency return asks about",
}


@dataclass(frozen=True)
class SummaryLine:
    figure: str
    council: str
    england: str | None  # None: England publishes no comparable figure
    working: str | None  # how the council's figure was reached
    definition: str


@dataclass(frozen=True)
class CensusSummary:
    scope: str
    as_of: date
    lines: tuple[SummaryLine, ...]
    agency_return: AgencyReturnDue | None = None  # the DfE quarterly return, due next


def _number(value: float) -> str:
    return f"{value:.1f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} %"


def summary_lines(figures: StaffingFigures, settings: Settings) -> tuple[SummaryLine, ...]:
    f = figures
    held_cases = round((f.caseload_per_fte or 0.0) * f.case_holder_fte)
    return (
        SummaryLine("FTE in post", _number(f.fte_in_post), None, None, DEFINITIONS["fte"]),
        SummaryLine("Headcount", str(f.headcount), None, None, DEFINITIONS["headcount"]),
        SummaryLine(
            "Turnover (12 months)", _pct(f.turnover_12m_pct), _pct(settings.england_turnover_pct),
            f"{_number(f.leavers_12m_fte)} FTE leavers ÷ {_number(f.fte_in_post)} FTE in post",
            DEFINITIONS["turnover"],
        ),
        SummaryLine(
            "Agency rate", _pct(f.agency_rate_pct), _pct(settings.england_agency_pct),
            f"{_number(f.agency_fte)} agency FTE ÷ ({_number(f.agency_fte)} + "
            f"{_number(f.fte_in_post)} employed FTE)",
            DEFINITIONS["agency"],
        ),
        SummaryLine(
            "Vacancy rate", _pct(f.vacancy_rate_pct), _pct(settings.england_vacancy_pct),
            f"{_number(f.vacant_fte)} vacant FTE (establishment {_number(f.establishment_fte)} "
            f"− {_number(f.fte_in_post)} in post) ÷ ({_number(f.vacant_fte)} + "
            f"{_number(f.fte_in_post)})",
            DEFINITIONS["vacancy"],
        ),
        SummaryLine(
            "Average caseload",
            "n/a" if f.caseload_per_fte is None else f"{f.caseload_per_fte:.1f}",
            f"{settings.england_caseload_per_fte:.1f}",
            f"{held_cases} cases held ÷ {_number(f.case_holder_fte)} FTE of {f.case_holders} "
            "case holders",
            DEFINITIONS["caseload"],
        ),
        # As in the digest: only a council that records the agency rule facts has this figure.
        *([SummaryLine("Agency outside rules", str(f.agency_outside_rules), None, None,
                       DEFINITIONS["agency_rules"])]
          if f.agency_outside_rules is not None else []),
    )


def census_summary(session: Session, *, as_of: date, settings: Settings) -> CensusSummary:
    figures = staffing_figures(session, as_of=as_of, settings=settings)
    return CensusSummary(figures.scope, as_of, summary_lines(figures, settings),
                         agency_return_beside(figures, settings))


def render_census_summary(summary: CensusSummary) -> str:
    """Plain text for the console: one block per figure, council beside England."""
    out = [
        f"Workforce census summary: {summary.scope}, {summary.as_of.isoformat()}",
        "DfE children's social work workforce census definitions (SPEC section 4); England: the "
        "latest published census figures (settings ENGLAND_*).",
        "",
        f"{'figure':<22} {'council':>10} {'England':>10}",
    ]
    for line in summary.lines:
        out.append(f"{line.figure:<22} {line.council:>10} {line.england or '—':>10}")
        if line.working:
            out.append(f"    = {line.working}")
        out.append(f"    definition: {line.definition}")
    if summary.agency_return is not None:
        out.extend(["", agency_return_text(summary.agency_return)])
    return "\n".join(out)


__all__ = ["CensusSummary", "DEFINITIONS", "SummaryLine", "census_summary",
           "render_census_summary", "summary_lines"]
