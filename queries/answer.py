"""One question in, one answer out: parse, find the asker, route to the query, audit.

Every front end (Slack, Teams, console, `bot.py ask`) calls `ask`, so access rules, wording and the
audit trail are the same whichever door the question came through.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timezone

from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from commands import Command, ParseError, help_lines, parse
from config import Settings
from models import Action, Plan, Service, Staff, Team
from models.audit_chain import append_entry
from models.store import store_deadline
from queries import access, audit_spool
from queries.access import Asker, Identity
from queries.actions import action_list, action_rows, record_progress
from queries.caseload import (
    capacity,
    caseload_table,
    overdue_cases,
    team_open_cases,
    unallocated_cases,
    worker_cases,
    worker_open_cases,
)
from queries.freshness import UNKNOWN_USER_SCOPE, freshness_of, status
from queries.protection import nqsws_in_teams, protection_statuses
from queries.results import (
    ActionChanged,
    Answer,
    HelpAnswer,
    Invalid,
    ProtectionAnswer,
    ReadAs,
    Refusal,
    ReportRequested,
    ReminderSettings,
    SupervisionLogged,
    Unavailable,
    unwrapped,
)
from queries.staffing import ALL_SERVICES
from queries.supervision import log_supervision, supervision_list
from queries.workforce import staffing_answer as staffing_figures_answer
from queries.workforce import agency_answer, registration_answer, staffing_scope

log = logging.getLogger(__name__)

MANAGERS_ONLY = "That question is for team managers and heads of service."


@dataclass(frozen=True)
class Outcome:
    answer: Answer
    asker: Asker | None
    scope: str


def outcome_word(answer: Answer) -> str:
    answer = unwrapped(answer)
    if isinstance(answer, Refusal):
        return "refused"
    if isinstance(answer, Invalid):
        return "invalid"
    if isinstance(answer, Unavailable):
        return "error"
    if isinstance(answer, (ActionChanged, SupervisionLogged)):
        return "changed"
    if isinstance(answer, ReminderSettings) and answer.changed:
        return "changed"
    return "answered"


def storable(text: str, limit: int) -> str:
    """Text as the audit log can hold it: PostgreSQL refuses NUL characters in text columns."""
    return text.replace("\x00", "\ufffd")[:limit]


def audit_fields(
    identity: Identity, asker: Asker | None, command_text: str, scope: str, answer: Answer,
    now: datetime,
) -> dict[str, object]:
    """One audit entry's columns: the same whether written now or spooled until the store is
    back (queries.audit_spool)."""
    detail = ""
    answer = unwrapped(answer)
    if isinstance(answer, (Refusal, Invalid)):
        detail = answer.reason if isinstance(answer, Refusal) else answer.message
    return {
        "at": now,
        "front_end": identity.front_end,
        "actor": asker.staff_id if asker else storable(identity.label, 254),
        "command": storable(command_text, 2000),
        "scope": storable(scope, 300),
        "outcome": outcome_word(answer),
        "detail": storable(detail, 2000),
    }


def audit(
    session: Session, identity: Identity, asker: Asker | None, command_text: str, scope: str,
    answer: Answer, now: datetime,
) -> None:
    """Append the entry in the answer's transaction (committed with it, before the reply)."""
    append_entry(session.connection(), audit_fields(identity, asker, command_text, scope, answer,
                                                    now))


def spool_audit(
    engine: Engine, settings: Settings, identity: Identity, command_text: str, answer: Answer,
    now: datetime,
) -> None:
    """The store could not take the entry: keep it until it can (queries.audit_spool)."""
    fields = audit_fields(identity, None, command_text, "", answer, now)
    audit_spool.spool_for(engine, settings.audit_spool_max_entries).add(
        audit_spool.PendingEntry(**fields))  # type: ignore[arg-type]


def ask(
    engine: Engine, identity: Identity, text: str, *, verb: str | None = None, today: date,
    settings: Settings, now: datetime | None = None,
) -> Outcome:
    """Answer and audit in one transaction; a store failure becomes a plain 'try again'.

    The store work runs under a deadline (models.store.store_deadline), so a hung or locked
    store gives the plain message within SPEC section 8's 10 seconds rather than never. A
    request that failed because of the store is audited later, when the store is back."""
    stamp = now or datetime.now(timezone.utc)
    command_text = f"/{verb.lstrip('/')} {text}".strip() if verb else text.strip()
    with store_deadline(settings.store_answer_budget_seconds):
        outcome = _ask(engine, identity, text, command_text, verb=verb, today=today,
                       settings=settings, stamp=stamp)
        if not isinstance(outcome.answer, Unavailable) and audit_spool.pending(engine):
            audit_spool.flush(engine)  # the store answers again: write what waited for it
        return outcome


def store_error_code(error: SQLAlchemyError) -> str:
    """The store's own code for a failure (SQLITE_BUSY, PostgreSQL's 57014 for a cancelled
    statement…): enough to tell a lock wait from a timeout or a lost connection in the log,
    never the message, which may quote a value."""
    original = getattr(error, "orig", None)
    code = (getattr(original, "sqlite_errorname", None) or getattr(original, "sqlstate", None)
            or ("invalidated" if getattr(error, "connection_invalidated", False) else None))
    return f"({code})" if code else ""


def _ask(
    engine: Engine, identity: Identity, text: str, command_text: str, *, verb: str | None,
    today: date, settings: Settings, stamp: datetime,
) -> Outcome:
    try:
        with Session(engine, expire_on_commit=False) as session:
            outcome = answer(session, identity, text, verb=verb, today=today, settings=settings,
                             now=stamp)
            audit(session, identity, outcome.asker, command_text, outcome.scope, outcome.answer,
                  stamp)
            session.commit()
            return outcome
    except SQLAlchemyError as error:
        log.error("store unavailable answering %s for %s: %s %s", identity.front_end,
                  identity.label, type(error).__name__, store_error_code(error))
        failed = Outcome(Unavailable(), None, "")
        spool_audit(engine, settings, identity, command_text, failed.answer, stamp)
        return failed
    except Exception:
        # A bug, not the user's fault: the trace goes to the log (case references only, never
        # a child's details), the user gets a plain message, and the failure is audited.
        log.exception("failed answering %s for %s", identity.front_end, identity.label)
        failed = Outcome(Unavailable(), None, "")
        try:
            with Session(engine) as session:
                audit(session, identity, None, command_text, "", failed.answer, stamp)
                session.commit()
        except SQLAlchemyError:
            log.error("could not audit the failure either: kept until the store is back")
            spool_audit(engine, settings, identity, command_text, failed.answer, stamp)
        return failed


def answer(
    session: Session, identity: Identity, text: str, *, verb: str | None = None, today: date,
    settings: Settings, now: datetime | None = None,
) -> Outcome:
    asker = access.resolve_asker(session, identity, today)
    if asker is None:
        return Outcome(access.NOT_REGISTERED, None, UNKNOWN_USER_SCOPE)
    parsed = parse(text, verb=verb)
    if isinstance(parsed, ParseError):
        return Outcome(Invalid(parsed.message, parsed.usage), asker, "")
    if parsed.did_you_mean and parsed.person and not access.find_person(session, parsed.person):
        # "/caseload overdeu": nobody is called that, so it was a mistyped option.
        return Outcome(Invalid(f"'{parsed.person.value}' isn't a /{parsed.verb} option or "
                               f"anyone's name. Did you mean {parsed.did_you_mean}?",
                               parsed.did_you_mean), asker, "")
    outcome = route(session, asker, parsed, today, settings, now)
    outcome = with_freshness(outcome, asker, now or datetime.now(timezone.utc), settings)
    if parsed.read_as:
        return Outcome(ReadAs(parsed.read_as, outcome.answer), outcome.asker,
                       f"{outcome.scope} (read from a question)")
    return outcome


def with_freshness(outcome: Outcome, asker: Asker, now: datetime, settings: Settings) -> Outcome:
    """Every answer built from the store carries how fresh its data is (read with the asker)."""
    answer = outcome.answer
    if "freshness" not in {field.name for field in fields(answer)}:  # type: ignore[arg-type]
        return outcome
    fresh = freshness_of(asker.data_loaded_at, now, settings)
    dated = replace(answer, freshness=fresh)  # type: ignore[type-var]
    return Outcome(dated, outcome.asker, outcome.scope)


def route(
    session: Session, asker: Asker, command: Command, today: date, settings: Settings,
    now: datetime | None = None,
) -> Outcome:
    if command.verb == "help":
        scope = None if command.scope in ("all", "caseload") else command.scope
        return Outcome(HelpAnswer(tuple(help_lines(scope))), asker, f"help:{command.scope}")
    handler = {
        "caseload": caseload_answer,
        "protected": protected_answer,
        "actions": actions_answer,
        "supervision": supervision_answer,
        "staffing": staffing_answer,
        "remind": remind_answer,
    }[command.verb]
    return handler(session, asker, command, today, settings, now)


def scope_label(command: Command, detail: str = "") -> str:
    return f"{command.verb}:{command.scope}" + (f":{detail}" if detail else "")


def teams_title(team_names: tuple[str, ...], prefix: str) -> str:
    shown = ", ".join(team_names[:4])
    if len(team_names) > 4:
        shown += f" and {len(team_names) - 4} more teams"
    return f"{prefix} — {shown}"


def caseload_answer(session, asker, command, today, settings, now):  # type: ignore[no-untyped-def]
    label = scope_label(command)
    if command.scope == "status":
        if asker.role != "admin":
            return Outcome(Refusal("/caseload status is for the bot's administrators.",
                                   "Try /caseload for your own scope."), asker, label)
        return Outcome(status(session, now or datetime.now(timezone.utc), settings), asker,
                       label)
    if command.scope == "mine":
        if asker.managed_team_ids:
            title = teams_title(asker.managed_team_names, "Caseload")
            return Outcome(caseload_table(session, title, asker.managed_team_ids, today, settings),
                           asker, label)
        return Outcome(worker_cases(session, asker.staff, today, settings, "Your caseload"),
                       asker, label)
    if command.scope == "person":
        found = access.resolve_person(session, asker, command.person)
        if isinstance(found, Refusal):
            return Outcome(found, asker, scope_label(command, command.person.value))
        person = found.staff
        title = "Your caseload" if person.id == asker.id else f"Caseload — {person.name}"
        return Outcome(worker_cases(session, person, today, settings, title), asker,
                       scope_label(command, person.staff_id))
    if command.scope == "overdue":
        if asker.managed_team_ids:
            cases = team_open_cases(session, asker.managed_team_ids, today)
            title = teams_title(asker.managed_team_names, "Overdue visits and reviews")
        else:
            cases = worker_open_cases(session, asker.id, today)
            title = "Your overdue visits and reviews"
        return Outcome(overdue_cases(cases, today, settings, title), asker, label)
    if not asker.managed_team_ids:
        return Outcome(Refusal(MANAGERS_ONLY, "Try /caseload for your own cases."), asker, label)
    if command.scope == "team":
        team = access.resolve_team(session, asker, command.team)
        if isinstance(team, Refusal):
            return Outcome(team, asker, scope_label(command, command.team))
        return Outcome(
            caseload_table(session, f"Caseload — {team.name}", [team.id], today, settings),
            asker, scope_label(command, team.name),
        )
    if command.scope == "unallocated":
        return Outcome(unallocated_cases(session, asker.managed_team_ids, today, settings),
                       asker, label)
    if command.scope == "capacity":
        return Outcome(
            capacity(session, asker.managed_team_ids, command.case_type, today, settings),
            asker, scope_label(command, command.case_type or ""),
        )
    raise ValueError(f"the grammar produced an unknown caseload scope {command.scope!r}")


def protected_answer(session, asker, command, today, settings, now):  # type: ignore[no-untyped-def]
    label = scope_label(command)
    if command.scope == "team":
        if not asker.managed_team_ids:
            return Outcome(Refusal(MANAGERS_ONLY, "Try /protected for your own status."),
                           asker, label)
        team_ids, team_names = asker.managed_team_ids, asker.managed_team_names
        if command.team:
            team = access.resolve_team(session, asker, command.team)
            if isinstance(team, Refusal):
                return Outcome(team, asker, scope_label(command, command.team))
            team_ids, team_names = frozenset({team.id}), (team.name,)
        statuses = protection_statuses(session, nqsws_in_teams(session, list(team_ids), today,
                                                               settings), today, settings)
        statuses.sort(key=lambda status: (not status.breaches, status.team, status.name))
        return Outcome(
            ProtectionAnswer(
                title=teams_title(team_names, "NQSW protection"),
                as_of=today,
                statuses=tuple(statuses),
                empty_message="No one in these teams is in their protected (ASYE) year.",
            ),
            asker, label,
        )
    if command.scope == "person":
        found = access.resolve_person(session, asker, command.person)
        if isinstance(found, Refusal):
            return Outcome(found, asker, scope_label(command, command.person.value))
        person, team_name = found.staff, found.team
    else:
        person, team_name = asker.staff, asker.team_name
    statuses = protection_statuses(session, [(person, team_name)], today, settings)
    title = "Your protected year" if person.id == asker.id else f"Protected year — {person.name}"
    return Outcome(ProtectionAnswer(title=title, as_of=today, statuses=tuple(statuses)), asker,
                   scope_label(command, person.staff_id))


def owner_scope(asker: Asker):  # type: ignore[no-untyped-def]
    """SQL condition for the action owners an asker may see."""
    if asker.role == "admin":
        return None
    if asker.role == "practitioner":
        return Action.owner_id == asker.id
    people = select(Staff.id).where(
        or_(
            Staff.id == asker.id,
            Staff.manager_id == asker.id,
            Staff.team_id.in_(asker.managed_team_ids or [-1]),  # type: ignore[union-attr]
            (Staff.service_id == asker.service_id) if asker.role == "head_of_service" else False,
        )
    )
    return Action.owner_id.in_(people)  # type: ignore[attr-defined]


def visible_plans(session: Session, asker: Asker) -> list[Plan]:
    """The plans with at least one action the asker may see (every plan, for an admin): the only
    plans a refusal or a list of plans may name."""
    query = select(Plan)
    scope_condition = owner_scope(asker)
    if scope_condition is not None:
        query = query.where(Plan.id.in_(  # type: ignore[union-attr]
            select(Action.plan_id).where(scope_condition)))
    return list(session.exec(query).all())


def actions_answer(session, asker, command, today, settings, now):  # type: ignore[no-untyped-def]
    label = scope_label(command, command.ref or command.plan or "")
    if command.scope in ("done", "update"):
        changed = record_progress(session, asker, command.ref, command.scope, command.text, today,
                                  now)
        return Outcome(changed, asker, label)
    conditions = []
    scope_condition = owner_scope(asker)
    if command.scope == "mine":
        scope_condition = Action.owner_id == asker.id
    if scope_condition is not None:
        conditions.append(scope_condition)
    title = "Your outstanding actions" if command.scope == "mine" or asker.role == "practitioner" \
        else "Outstanding actions"
    if command.scope == "overdue":
        conditions.append(Action.due_date < today)
        title = title.replace("Outstanding", "Overdue").replace("outstanding", "overdue")
    if command.scope == "plan":
        plans = visible_plans(session, asker)
        wanted = " ".join(command.plan.split()).lower()
        plan = next((plan for plan in plans if plan.name.lower() == wanted), None)
        if plan is None:  # no such plan, or none of its actions in scope: the same answer
            names = ", ".join(sorted(plan.name for plan in plans)[:10])
            return Outcome(access.not_found_or_not_yours(
                f"plan '{command.plan}'", f"Your plans: {names}." if names
                else "Type /actions to see your actions."), asker, label)
        conditions.append(Action.plan_id == plan.id)
        title = f"{title} — {plan.name}"
    rows = action_rows(session, today, *conditions)
    return Outcome(action_list(title, rows, today, "Nothing outstanding. Well done."), asker, label)


def supervision_scope(session: Session, asker: Asker, today: date) -> list[tuple[Staff, str]]:
    """Everyone whose supervision the asker oversees: their teams and their direct reports."""
    if asker.role == "practitioner":
        return [(asker.staff, asker.team_name)]
    rows = session.exec(
        select(Staff, Team.name)
        .outerjoin(Team, Team.id == Staff.team_id)
        .where(
            or_(Staff.team_id.in_(asker.managed_team_ids or [-1]), Staff.manager_id == asker.id),  # type: ignore[union-attr]
            Staff.id != asker.id,
        )
        .order_by(Staff.name)
    ).all()
    return [(staff, team or "") for staff, team in rows if staff.in_post_on(today)]


def supervision_answer(session, asker, command, today, settings, now):  # type: ignore[no-untyped-def]
    if command.scope == "log":
        found = access.resolve_person(session, asker, command.person)
        if isinstance(found, Refusal):
            return Outcome(found, asker, scope_label(command, command.person.value))
        person = found.staff
        if not access.may_manage(asker, person):
            return Outcome(
                Refusal(f"Only {person.name}'s manager can log their supervision.",
                        "Ask their line manager to log it."),
                asker, scope_label(command, person.staff_id),
            )
        return Outcome(log_supervision(session, asker, person, command.on_date, today, settings),
                       asker, scope_label(command, person.staff_id))
    title = "Your supervision" if asker.role == "practitioner" else "Supervision"
    return Outcome(
        supervision_list(session, title, supervision_scope(session, asker, today), today,
                         settings),
        asker, scope_label(command),
    )


def staffing_answer(session, asker, command, today, settings, now):  # type: ignore[no-untyped-def]
    """/staffing [agency|registration|report]: the asker's service, teams, or every service (admin)."""
    if command.scope == "report":  # heads of service and admins only: its own rule
        return report_answer(session, asker, command, today, settings, now)
    label = scope_label(command)
    scope = staffing_scope(asker)
    if isinstance(scope, Refusal):
        return Outcome(scope, asker, label)
    if command.scope == "figures":
        return Outcome(staffing_figures_answer(session, scope, today, settings), asker, label)
    if command.scope == "agency":
        return Outcome(agency_answer(session, scope, today, settings), asker, label)
    if command.scope == "registration":
        return Outcome(registration_answer(session, scope, today, settings), asker, label)
    raise ValueError(f"the grammar produced an unknown staffing scope {command.scope!r}")


def remind_answer(session, asker, command, today, settings, now):  # type: ignore[no-untyped-def]
    """The asker's own reminders only: /remind names no one else."""
    from queries.remind import remind

    stamp = now or datetime.now(timezone.utc)
    return Outcome(remind(session, asker, command, stamp, settings), asker,
                   scope_label(command, command.at_time or ""))


__all__ = ["Outcome", "ask", "answer", "route"]


REPORT_ROLES = ("head_of_service", "admin")


def report_answer(session, asker, command, today, settings, now):  # type: ignore[no-untyped-def]
    """`/staffing report`: a head of service gets their service's report, an admin all services'.

    Everyone else is refused politely (and audited, as every answer is). The report itself is
    built and sent by the front end after this answer (jobs.report_delivery), off the chat reply.
    """
    if asker.role not in REPORT_ROLES:
        return Outcome(Refusal("The performance report is for heads of service and admins.",
                               "Ask your head of service for a copy."),
                       asker, scope_label(command))
    if asker.role == "head_of_service" and asker.service_id is None:
        return Outcome(Refusal("You are not attached to a service, so there is no report to "
                               "send.", "Ask an admin to set your service in the staff file."),
                       asker, scope_label(command))
    service_id = asker.service_id if asker.role == "head_of_service" else None
    scope = session.get(Service, service_id).name if service_id is not None else ALL_SERVICES
    request = ReportRequested(scope=scope, service_id=service_id, as_of=today,
                              months=settings.report_months)
    return Outcome(request, asker, scope_label(command, scope))
