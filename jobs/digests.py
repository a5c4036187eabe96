"""Digest builders: one service, one day → a digest result (jobs.digest_results).

Plain functions over the query layer, so the figures are the ones `/caseload` and friends would
give and the definitions live in one place (queries.staffing for the census figures). Each
builder runs a fixed number of statements whatever the size of the service: the queries it calls
aggregate by team, and nothing here loops over workers with a query inside.

"This week" is the 7 days ending on the digest's date (as_of − 6 … as_of), the same window
queries.staffing uses for starters, leavers and new cases, so consecutive weekly digests count
each day once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from sqlmodel import Session, select

from config import Settings
from jobs.digest_results import (
    ActionsDigest,
    CompletedAction,
    Digest,
    DigestHeader,
    EnglandFigures,
    NqswLine,
    StaffingDigest,
    SupervisionDigest,
    TeamSupervision,
)
from models import Action, Plan, Service, Staff, Team
from queries.agency_return import agency_return_beside
from queries.actions import action_rows
from queries.caseload import in_post_on
from queries.freshness import data_freshness
from queries.protection import nqsws_in_teams, protection_statuses
from queries.results import Freshness, ProtectionStatus, SupervisionRow
from queries.performance import (
    count_on_time,
    service_staff_ids,
    service_team_ids,
    supervised_workforce,
)
from queries.staffing import StaffingFigures, staffing_by_service, staffing_total_and_teams
from queries.supervision import supervision_rows
from queries.workforce import registration_rows

log = logging.getLogger(__name__)


def iso_period(day: date) -> str:
    """The ISO week a digest belongs to ("2026-W48"): one post per service, week and destination."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def header(kind: str, service: Service, as_of: date) -> DigestHeader:
    return DigestHeader(kind=kind, service_id=service.id, service=service.name,  # type: ignore[arg-type]
                        as_of=as_of, period=iso_period(as_of))


def england(settings: Settings) -> EnglandFigures:
    return EnglandFigures(
        caseload_per_fte=settings.england_caseload_per_fte,
        turnover_pct=settings.england_turnover_pct,
        agency_pct=settings.england_agency_pct,
        vacancy_pct=settings.england_vacancy_pct,
    )


def build_staffing_digest(
    session: Session, service: Service, as_of: date, settings: Settings
) -> StaffingDigest:
    """Census figures for the service and each team, and every NQSW with any protection breach."""
    total, teams = staffing_total_and_teams(session, as_of=as_of, settings=settings,
                                            service_id=service.id)
    nqsws = nqsws_in_teams(session, service_team_ids(session, service.id), as_of, settings)  # type: ignore[arg-type]
    return staffing_digest(service, as_of, settings, total, teams,
                           protection_statuses(session, nqsws, as_of, settings))


def build_staffing_digests(
    session: Session, services: Sequence[Service], as_of: date, settings: Settings
) -> dict[int, StaffingDigest]:
    """``build_staffing_digest`` of each service, from one pass over the whole council.

    The weekly run posts a digest per service: this builds them all with the statements of one
    (the figures of every service and team at once, every NQSW's status at once), rather than
    one set of statements per service, with the same digests."""
    figures = staffing_by_service(session, as_of=as_of, settings=settings)
    service_of_team = dict(session.exec(select(Team.id, Team.service_id)).all())
    nqsws = nqsws_in_teams(session, list(service_of_team), as_of, settings)
    statuses: dict[int, list[ProtectionStatus]] = {}
    for (staff, _team), status in zip(nqsws, protection_statuses(session, nqsws, as_of, settings)):
        statuses.setdefault(service_of_team[staff.team_id], []).append(status)
    return {
        service.id: staffing_digest(service, as_of, settings, *figures[service.id],  # type: ignore[index]
                                    statuses.get(service.id, []))  # type: ignore[arg-type]
        for service in services
    }


def staffing_digest(service: Service, as_of: date, settings: Settings, total: StaffingFigures,
                    teams: list[StaffingFigures], statuses: list[ProtectionStatus]
                    ) -> StaffingDigest:
    """The staffing digest from its figures and its NQSWs' statuses (breaches first)."""
    lines = [
        NqswLine(staff_id=status.staff_id, name=status.name, team=status.team,
                 month=status.month, open_cases=status.open_cases,
                 protected_cap=status.protected_cap, breaches=status.breaches,
                 programme=status.programme, month_text=status.month_text)
        for status in statuses
    ]
    lines.sort(key=lambda line: (not line.breaches, line.team, line.name))
    return StaffingDigest(
        header=header("staffing", service, as_of),
        total=total,
        teams=tuple(teams),
        nqsws=tuple(lines),
        cap_per_fte=settings.caseload_cap_per_fte,
        span_of_control_max=settings.span_of_control_max,
        england=england(settings),
        agency_return=agency_return_beside(total, settings),
    )


def team_supervision(team: str, rows: list[SupervisionRow]) -> TeamSupervision:
    return TeamSupervision(
        team=team,
        people=len(rows),
        on_time=count_on_time(rows),
        nqsws=sum(1 for row in rows if row.is_nqsw),
        nqsws_on_time=sum(1 for row in rows if row.is_nqsw and not row.days_overdue),
    )


def build_supervision_digest(
    session: Session, service: Service, as_of: date, settings: Settings
) -> SupervisionDigest:
    """Supervision on time by team, who is overdue and by how long, and NQSW frequency kept.

    Covers the same workforce as the staffing figures: everyone in post in the service's teams
    but heads of service and admins, employed or agency (agency workers are supervised too).
    Lists Social Work England registration needing attention (no number; CPD not met in the
    renewal window), where the service records SWE numbers or CPD at all.
    """
    team_names = list(session.exec(
        select(Team.name).where(Team.service_id == service.id).order_by(Team.name)
    ).all())
    people = supervised_workforce(session, service.id, as_of)  # type: ignore[arg-type]
    rows = supervision_rows(session, people, as_of, settings)
    recorded = any(staff.swe_no or staff.cpd_records is not None for staff, _team in people)
    by_team = {name: [row for row in rows if row.team == name] for name in team_names}
    return SupervisionDigest(
        header=header("supervision", service, as_of),
        total=team_supervision(service.name, rows),
        teams=tuple(team_supervision(name, team_rows) for name, team_rows in by_team.items()),
        overdue=tuple(row for row in rows if row.days_overdue),
        nqsws=tuple(row for row in rows if row.is_nqsw),
        interval_days=settings.supervision_interval_days,
        registration=tuple(registration_rows(people, as_of, settings)) if recorded else (),
        registration_recorded=recorded,
    )


def build_actions_digest(
    session: Session, service: Service, as_of: date, settings: Settings
) -> ActionsDigest:
    """Actions owned by the service's staff: overdue, due soon, and completed this week."""
    owned = Action.owner_id.in_(service_staff_ids(service.id))  # type: ignore[attr-defined, arg-type]
    outstanding = action_rows(session, as_of, owned)
    soon = as_of + timedelta(days=settings.actions_due_soon_days)
    overdue = sorted((row for row in outstanding if row.days_overdue),
                     key=lambda row: (-row.days_overdue, row.plan, row.ref))
    due_soon = [row for row in outstanding if not row.days_overdue and row.due_date <= soon]
    completed = session.exec(
        select(Action, Plan.name, Staff.name)
        .join(Plan, Plan.id == Action.plan_id)
        .join(Staff, Staff.id == Action.owner_id)
        .where(owned, Action.status == "done",
               Action.completed_date > as_of - timedelta(days=7),  # type: ignore[operator]
               Action.completed_date <= as_of)  # type: ignore[operator]
        .order_by(Action.completed_date, Plan.name, Action.ref)
    ).all()
    return ActionsDigest(
        header=header("actions", service, as_of),
        outstanding=len(outstanding),
        overdue=tuple(overdue),
        due_soon=tuple(due_soon),
        completed=tuple(
            CompletedAction(plan=plan, ref=action.ref, action=action.action, owner=owner,
                            completed_date=action.completed_date, evidence=action.evidence)  # type: ignore[arg-type]
            for action, plan, owner in completed
        ),
        due_soon_days=settings.actions_due_soon_days,
    )


Builder = Callable[[Session, Service, date, Settings], Digest]

BUILDERS: dict[str, Builder] = {
    "staffing": build_staffing_digest,
    "supervision": build_supervision_digest,
    "actions": build_actions_digest,
}


def build_digest(session: Session, kind: str, service: Service, as_of: date,
                 settings: Settings) -> Digest:
    """The digest of this kind for one service (KeyError for an unknown kind), saying how fresh
    its data is."""
    digest = BUILDERS[kind](session, service, as_of, settings)
    return with_freshness(digest, data_freshness(session, datetime.now(timezone.utc), settings))


def build_digests(session: Session, kind: str, services: Sequence[Service], as_of: date,
                  settings: Settings) -> dict[int, Digest | Exception]:
    """Each service's digest of this kind, or the exception that stopped it being built.

    Staffing digests for several services come from one pass over the council
    (``build_staffing_digests``); should that pass fail, each service is built on its own, so
    one service's problem never stops the others' digests. Other kinds are built service by
    service."""
    if kind == "staffing" and len(services) > 1:
        try:
            fresh = data_freshness(session, datetime.now(timezone.utc), settings)
            return {service_id: with_freshness(digest, fresh) for service_id, digest
                    in build_staffing_digests(session, services, as_of, settings).items()}
        except Exception:  # noqa: BLE001 - fall back to one service at a time, below
            log.exception("building every staffing digest at once failed; "
                          "building them one service at a time")
            session.rollback()
    built: dict[int, Digest | Exception] = {}
    for service in services:
        try:
            built[service.id] = build_digest(session, kind, service, as_of, settings)  # type: ignore[index]
        except Exception as failure:  # noqa: BLE001 - one service must not stop the rest
            log.exception("building the %s digest for %s failed", kind, service.name)
            built[service.id] = failure  # type: ignore[index]
    return built


def with_freshness(digest: Digest, fresh: Freshness | None) -> Digest:
    return replace(digest, header=replace(digest.header, freshness=fresh))  # type: ignore[type-var]


def all_services(session: Session) -> list[Service]:
    return list(session.exec(select(Service).order_by(Service.name)).all())


__all__ = ["BUILDERS", "all_services", "build_actions_digest", "build_digest", "build_digests",
           "build_staffing_digest", "build_staffing_digests", "build_supervision_digest",
           "iso_period", "staffing_digest"]
