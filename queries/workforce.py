"""/staffing: the weekly staffing figures on demand, for the asker's scope (SPEC section 3).

Heads of service see their service, team managers their teams, admins every service;
practitioners are refused. Every figure comes from queries.staffing (the digest's own
implementation), and each weekly point of a trend is that same function at that week's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from config import Settings
from queries.access import Asker
from queries.results import Refusal, StaffingAnswer, StaffingFigureRow
from queries.staffing import FIGURES, TREND_WEEKS, staffing_figures, staffing_trend

STAFFING_ONLY = "/staffing is for heads of service, team managers and admins."


@dataclass(frozen=True)
class StaffingScope:
    """What a /staffing question covers: a service, a manager's teams, or everything."""

    title: str
    service_id: int | None = None
    team_ids: frozenset[int] | None = None


def staffing_scope(asker: Asker) -> StaffingScope | Refusal:
    """The asker's /staffing scope, decided here so Slack, Teams and the console agree."""
    if asker.role == "admin":
        return StaffingScope("All services")
    if asker.role == "head_of_service" and asker.service_id is not None:
        return StaffingScope("Your service", service_id=asker.service_id)
    if asker.managed_team_ids:
        return StaffingScope("Your teams", team_ids=asker.managed_team_ids)
    return Refusal(STAFFING_ONLY, "Try /caseload or /protected for your own work.")


def staffing_answer(session: Session, scope: StaffingScope, today: date, settings: Settings,
                    weeks: int = TREND_WEEKS) -> StaffingAnswer:
    """The digest's figures for the scope today, each with its trend over ``weeks`` weeks."""
    trend = staffing_trend(session, as_of=today, settings=settings, weeks=weeks,
                           service_id=scope.service_id, team_ids=scope.team_ids)
    now = trend[-1]
    rows = tuple(
        StaffingFigureRow(
            key=figure.key, label=figure.label, unit=figure.unit, value=figure.read(now),
            england=getattr(settings, figure.england_setting) if figure.england_setting
            else None,
            trend=tuple(figure.read(point) for point in trend),
        )
        for figure in FIGURES
    )
    return StaffingAnswer(title=f"Staffing — {now.scope}", as_of=today, rows=rows,
                          trend_weeks=weeks)


__all__ = ["STAFFING_ONLY", "StaffingScope", "staffing_answer", "staffing_figures",
           "staffing_scope"]
