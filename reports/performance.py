"""The performance report's content: figures month by month, ratings, and what changed.

Built from queries.figures_history (which calls the same figure functions as the digests and the
census summary) and laid out by reports.html and reports.pdf, so the two formats cannot disagree.
Every number compared with is a setting: England's figures (ENGLAND_*), the council's own targets
(TARGETS) and the amber margin (REPORT_AMBER_MARGIN_PCT).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from config import Settings
from models import Service
from queries.figures_history import LIVE, NO_DATA, RECORDED, REBUILT, MonthPoint, monthly_points
from queries.performance import AreaActions
from queries.staffing import ALL_SERVICES

GREEN, AMBER, RED, NO_TARGET = "Green", "Amber", "Red", "No target"
IMPROVED, WORSENED, UNCHANGED, UNKNOWN = "improved", "worsened", "unchanged", "not enough data"


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report: how to read it off a month, and which way is better."""

    key: str  # the name used in TARGETS
    title: str
    unit: str  # "%", "FTE", "cases", "days", "workers", "NQSWs", "visits", "actions"
    higher_is_better: bool
    definition: str
    kind: str  # REBUILT or RECORDED: where past months come from
    read: Callable[[MonthPoint], float | None]
    england: Callable[[Settings], float | None] = lambda settings: None


def _staffing(attribute: str) -> Callable[[MonthPoint], float | None]:
    def read(point: MonthPoint) -> float | None:
        return None if point.staffing is None else getattr(point.staffing, attribute)
    return read


def _caseload(read_figures: Callable[[MonthPoint], float | None]
              ) -> Callable[[MonthPoint], float | None]:
    def read(point: MonthPoint) -> float | None:
        return read_figures(point) if point.caseloads_known else None
    return read


def _daily(read_figures: Callable[[MonthPoint], float | None]
           ) -> Callable[[MonthPoint], float | None]:
    def read(point: MonthPoint) -> float | None:
        return None if point.daily is None else read_figures(point)
    return read


def _oldest_days(point: MonthPoint) -> float | None:
    oldest = point.staffing.oldest_unallocated if point.staffing else None
    return float(oldest[1]) if oldest else 0.0


def _actions_overdue(point: MonthPoint) -> float | None:
    return float(sum(area.overdue for area in point.actions)) if point.actions else None


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("fte_in_post", "FTE in post", "FTE", True,
               "Employed social workers and managers in post (census definition; agency "
               "workers are in the agency rate).", REBUILT, _staffing("fte_in_post")),
    FigureSpec("vacancy_pct", "Vacancy rate", "%", False,
               "Vacant FTE ÷ (vacant FTE + FTE in post); vacant FTE = establishment − FTE in "
               "post, never below 0.", REBUILT, _staffing("vacancy_rate_pct"),
               lambda s: s.england_vacancy_pct),
    FigureSpec("agency_pct", "Agency rate", "%", False,
               "Agency FTE ÷ (agency FTE + employed FTE in post).", REBUILT,
               _staffing("agency_rate_pct"), lambda s: s.england_agency_pct),
    FigureSpec("turnover_pct", "Turnover rate (12 months)", "%", False,
               "FTE of employed leavers in the 12 months to the date ÷ FTE in post on it.",
               REBUILT, _staffing("turnover_12m_pct"), lambda s: s.england_turnover_pct),
    FigureSpec("caseload_per_fte", "Caseload per FTE", "cases", False,
               "Open cases held as lead ÷ FTE of the workers holding at least one (census "
               "average caseload).", REBUILT, _caseload(_staffing("caseload_per_fte")),
               lambda s: s.england_caseload_per_fte),
    FigureSpec("workers_over_cap", "Workers over their caseload cap", "workers", False,
               "Workers holding more open lead cases than the cap for their FTE (the protected "
               "cap for an NQSW).", REBUILT,
               _caseload(lambda p: float(len(p.staffing.workers_over_cap)))),  # type: ignore[union-attr]
    FigureSpec("nqsw_breaches", "NQSW protection breaches", "NQSWs", False,
               "NQSWs in their protected year with at least one breach (over the protected cap, "
               "lead on a CP case, supervision overdue).", RECORDED,
               _daily(lambda p: float(p.daily.nqsw_breaches))),  # type: ignore[union-attr]
    FigureSpec("unallocated", "Unallocated cases", "cases", False,
               "Open cases with no lead worker in post on the date.", REBUILT,
               _caseload(_staffing("unallocated_cases"))),
    FigureSpec("oldest_unallocated_days", "Oldest unallocated case", "days", False,
               "Days since the oldest unallocated open case started (0: none unallocated).",
               REBUILT, _caseload(_oldest_days)),
    FigureSpec("supervision_on_time_pct", "Supervision on time", "%", True,
               "Workforce in post whose supervision is not overdue on the date.", RECORDED,
               _daily(lambda p: p.daily.supervision_on_time_pct)),  # type: ignore[union-attr]
    FigureSpec("overdue_visits", "Overdue statutory visits", "visits", False,
               "Open cases whose statutory visit is past due on the date.", RECORDED,
               _daily(lambda p: float(p.daily.overdue_visits))),  # type: ignore[union-attr]
    FigureSpec("actions_overdue", "Improvement-plan actions overdue", "actions", False,
               "Actions not completed by the date and due before it.", REBUILT,
               _actions_overdue),
)

FIGURE_KEYS: tuple[str, ...] = tuple(spec.key for spec in FIGURES)


@dataclass(frozen=True)
class FigureValue:
    label: str
    day: date
    value: float | None  # None: no data for that month
    source: str  # REBUILT, RECORDED, LIVE or NO_DATA


@dataclass(frozen=True)
class FigureSection:
    spec: FigureSpec
    values: tuple[FigureValue, ...]
    england: float | None
    target: float | None
    rating: str  # GREEN, AMBER, RED, NO_TARGET, or NO_DATA
    change: str  # IMPROVED, WORSENED, UNCHANGED, UNKNOWN: first month with data → latest

    @property
    def latest(self) -> FigureValue:
        return self.values[-1]

    @property
    def first_known(self) -> FigureValue | None:
        return next((value for value in self.values if value.value is not None), None)


@dataclass(frozen=True)
class ActionsMonth:
    label: str
    done_on_time: int
    done_late: int
    overdue: int
    not_yet_due: int


@dataclass(frozen=True)
class ActionsSection:
    by_area: tuple[AreaActions, ...]  # on the report's date
    months: tuple[ActionsMonth, ...]


@dataclass(frozen=True)
class PerformanceReport:
    scope: str
    as_of: date
    months: int
    sections: tuple[FigureSection, ...]
    actions: ActionsSection
    rebuilt_months: tuple[str, ...]  # months whose staffing figures were rebuilt from history
    recorded_months: tuple[str, ...]  # months with a daily snapshot (or today's live figures)
    missing_months: tuple[str, ...]  # months with no snapshot: recorded figures show "no data"
    amber_margin_pct: float


def rating(value: float | None, target: float | None, higher_is_better: bool,
           margin_pct: float) -> str:
    """Green: meets the target; amber: worse by at most margin_pct of it; red: further off."""
    if value is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    shortfall = (target - value) if higher_is_better else (value - target)
    if shortfall <= 1e-9:
        return GREEN
    return AMBER if shortfall <= abs(target) * margin_pct / 100 else RED


def change(first: float | None, latest: float | None, higher_is_better: bool,
           only_one: bool) -> str:
    if first is None or latest is None or only_one:
        return UNKNOWN
    if abs(latest - first) < 0.05:
        return UNCHANGED
    return IMPROVED if (latest > first) == higher_is_better else WORSENED


def value_text(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    if unit == "%":
        return f"{value:.1f} %"
    if unit in ("FTE", "cases") and not float(value).is_integer():
        return f"{value:.1f}"
    return f"{value:.1f}" if unit == "FTE" else f"{value:.0f}"


def _source(spec: FigureSpec, point: MonthPoint, value: float | None) -> str:
    if value is None:
        return NO_DATA
    return REBUILT if spec.kind == REBUILT else point.daily_source


def section(spec: FigureSpec, points: list[MonthPoint], settings: Settings) -> FigureSection:
    values = tuple(
        FigureValue(point.label, point.day, value, _source(spec, point, value))
        for point in points for value in (spec.read(point),)
    )
    target = settings.target_values.get(spec.key)
    known = [value for value in values if value.value is not None]
    latest = values[-1].value
    return FigureSection(
        spec=spec, values=values, england=spec.england(settings), target=target,
        rating=rating(latest, target, spec.higher_is_better, settings.report_amber_margin_pct),
        change=change(known[0].value if known else None, latest, spec.higher_is_better,
                      len(known) < 2),
    )


def unknown_targets(settings: Settings) -> list[str]:
    return sorted(set(settings.target_values) - set(FIGURE_KEYS))


def build_report(
    session: Session, *, as_of: date, today: date, settings: Settings, months: int | None = None,
    service_id: int | None = None,
) -> PerformanceReport:
    """The report for one service (or all services) over ``months`` month ends to ``as_of``."""
    wrong = unknown_targets(settings)
    if wrong:
        raise ValueError(f"TARGETS names figure(s) the report does not have: {', '.join(wrong)}. "
                         f"Use: {', '.join(FIGURE_KEYS)}.")
    count = months or settings.report_months
    points = monthly_points(session, as_of=as_of, months=count, settings=settings, today=today,
                            service_id=service_id)
    scope = ALL_SERVICES
    if service_id is not None:
        service = session.get(Service, service_id)
        if service is None:
            raise LookupError(f"no service with id {service_id}")
        scope = service.name
    return PerformanceReport(
        scope=scope, as_of=as_of, months=count,
        sections=tuple(section(spec, points, settings) for spec in FIGURES),
        actions=ActionsSection(
            by_area=points[-1].actions,
            months=tuple(
                ActionsMonth(point.label, sum(a.done_on_time for a in point.actions),
                             sum(a.done_late for a in point.actions),
                             sum(a.overdue for a in point.actions),
                             sum(a.not_yet_due for a in point.actions))
                for point in points
            ),
        ),
        rebuilt_months=tuple(p.label for p in points if p.staffing is not None),
        recorded_months=tuple(p.label for p in points if p.daily_source in (RECORDED, LIVE)),
        missing_months=tuple(p.label for p in points if p.daily_source == NO_DATA),
        amber_margin_pct=settings.report_amber_margin_pct,
    )


def find_service(session: Session, name: str) -> Service | None:
    """A service by name, ignoring case and surrounding spaces."""
    wanted = " ".join(name.split()).lower()
    for service in session.exec(select(Service)).all():
        if " ".join(service.name.split()).lower() == wanted:
            return service
    return None


__all__ = ["AMBER", "FIGURES", "FIGURE_KEYS", "FigureSection", "FigureSpec", "FigureValue",
           "GREEN", "IMPROVED", "NO_TARGET", "PerformanceReport", "RED", "UNCHANGED", "UNKNOWN",
           "WORSENED", "build_report", "change", "find_service", "rating", "value_text"]


def change_sentence(section: FigureSection) -> str:
    """One line of the cover: what moved, from when to when, against England and the target."""
    spec, first, latest = section.spec, section.first_known, section.latest
    if section.change == UNKNOWN or first is None:
        text = f"{spec.title}: {value_text(latest.value, spec.unit)} ({latest.label})"
    else:
        text = (f"{spec.title} {section.change} from {value_text(first.value, spec.unit)} "
                f"({first.label}) to {value_text(latest.value, spec.unit)} ({latest.label})")
    if section.england is not None:
        text += f"; England {value_text(section.england, spec.unit)}"
    if section.target is not None:
        text += f"; target {value_text(section.target, spec.unit)}: {section.rating}"
    return text + "."


def summary_groups(report: PerformanceReport) -> dict[str, list[str]]:
    """The cover's lists: what improved, what worsened, and the rest."""
    groups: dict[str, list[str]] = {"Improved": [], "Worsened": [],
                                    "Unchanged or not enough data": []}
    for item in report.sections:
        key = {IMPROVED: "Improved", WORSENED: "Worsened"}.get(item.change,
                                                               "Unchanged or not enough data")
        groups[key].append(change_sentence(item))
    return groups


def sources_note(report: PerformanceReport) -> list[str]:
    """Which months are rebuilt from history and which recorded by the daily snapshot."""
    def months(labels: tuple[str, ...]) -> str:
        return ", ".join(labels) if labels else "none"
    return [
        f"Rebuilt from the store's history (staffing from start and end dates, caseloads from "
        f"the allocation history, actions from due and completion dates): "
        f"{months(report.rebuilt_months)}.",
        f"Recorded by the bot's daily snapshot (overdue visits, supervision on time, NQSW "
        f"breaches), or worked out live when the report's date is today: "
        f"{months(report.recorded_months)}.",
        f"No snapshot, shown as \"no data\" and never estimated: {months(report.missing_months)}.",
        f"Ratings against the council's targets (TARGETS): green meets the target, amber is "
        f"worse by at most {report.amber_margin_pct:g} % of it, red is further off.",
    ]
