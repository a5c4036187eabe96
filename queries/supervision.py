"""Supervision: who is due, who is overdue, and recording that it happened."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, select

from config import Settings
from models import Staff, Supervision
from models.store import insert_unless_stored
from queries.access import Asker
from queries.caseload import is_nqsw, last_supervisions
from queries.protection_rules import supervision_frequency_label
from queries.results import Refusal, SupervisionList, SupervisionLogged, SupervisionRow
from queries.supervision_rules import (
    next_supervision_due,
    supervision_days_overdue,
    supervision_interval_days,
)


def supervision_rows(
    session: Session, staff_with_team: list[tuple[Staff, str]], today: date, settings: Settings
) -> list[SupervisionRow]:
    """One row per person, most overdue first; two statements whatever the number of people."""
    last = last_supervisions(session, [staff.id for staff, _team in staff_with_team])  # type: ignore[misc]
    rows = []
    for staff, team in staff_with_team:
        interval = supervision_interval_days(staff.asye_start, staff.asye_end, today, settings,
                                             staff.early_career_programme)
        due = next_supervision_due(last.get(staff.id), interval, staff.start_date)  # type: ignore[arg-type]
        rows.append(
            SupervisionRow(
                staff_id=staff.staff_id,
                name=staff.name,
                team=team,
                is_nqsw=is_nqsw(staff, today, settings),
                frequency=supervision_frequency_label(interval),
                last=last.get(staff.id),  # type: ignore[arg-type]
                next_due=due,
                days_overdue=supervision_days_overdue(due, today),
            )
        )
    rows.sort(key=lambda row: (-row.days_overdue, row.next_due, row.name))
    return rows


def supervision_list(
    session: Session, title: str, staff_with_team: list[tuple[Staff, str]], today: date,
    settings: Settings,
) -> SupervisionList:
    return SupervisionList(
        title=title,
        as_of=today,
        rows=tuple(supervision_rows(session, staff_with_team, today, settings)),
        empty_message="No one in scope has supervision to track.",
    )


def log_supervision(
    session: Session, asker: Asker, staff: Staff, on: date, today: date, settings: Settings
) -> SupervisionLogged | Refusal:
    """Record a session held by the worker's manager; the same date twice records it once.

    Marked as logged in chat, so no import changes it (importers/chat_rule.py).

    One read finds both whether that date is already logged and the latest date on record.
    """
    if on > today:
        return Refusal(
            reason=f"{on.isoformat()} is in the future: log supervision after it has happened.",
            hint="/supervision log @person YYYY-MM-DD",
        )
    if on < staff.start_date:
        return Refusal(
            reason=f"{staff.name} started on {staff.start_date.isoformat()}, after {on.isoformat()}.",
            hint="Check the date: /supervision log @person YYYY-MM-DD",
        )
    last, already_logged = session.exec(
        select(func.max(Supervision.date),
               func.count(case((Supervision.date == on, 1))))
        .where(Supervision.staff_id == staff.id)
    ).one()
    if not already_logged:  # an import storing the same session meanwhile is no error
        table = Supervision.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            insert_unless_stored(session.get_bind().dialect.name, table, ("staff_id", "date")),
            {"staff_id": staff.id, "date": on, "supervisor_id": asker.id,
             "kind": "logged in chat", "logged_in_chat": True},
        )
    latest = max(last, on) if last else on
    interval = supervision_interval_days(staff.asye_start, staff.asye_end, today, settings,
                                             staff.early_career_programme)
    return SupervisionLogged(
        staff_id=staff.staff_id,
        name=staff.name,
        on=on,
        by=asker.name,
        next_due=next_supervision_due(latest, interval, staff.start_date),
    )
