"""Improvement-plan and audit actions: what is outstanding, and recording progress."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import bindparam, case, func, update
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from models import Action, ActionUpdate, Plan, Staff
from queries.access import Asker, can_see, not_found_or_not_yours
from queries.results import ActionChanged, ActionList, ActionRow, Refusal


_action = Action.__table__  # type: ignore[attr-defined]
_plan = Plan.__table__  # type: ignore[attr-defined]
_owner = Staff.__table__  # type: ignore[attr-defined]
_update = ActionUpdate.__table__.c  # type: ignore[attr-defined]
#: Outstanding actions with their plan's and owner's names, overdue first then by due date:
#: built once, read as Core rows; callers add their scope's conditions.
OUTSTANDING = (
    core_select(_action.c.id, _action.c.ref, _action.c.action, _action.c.agency, _action.c.area,
           _action.c.due_date, _action.c.measure, _action.c.status,
           _plan.c.name.label("plan"), _owner.c.name.label("owner"),
           _owner.c.staff_id.label("owner_staff_id"))
    .select_from(_action.join(_plan, _plan.c.id == _action.c.plan_id)
                 .join(_owner, _owner.c.id == _action.c.owner_id))
    .where(_action.c.status != "done")
    .order_by(_action.c.due_date, _plan.c.name, _action.c.ref)
)
_newest = (
    core_select(_update.action_id, func.max(_update.id).label("newest"))
    .where(_update.action_id.in_(bindparam("action_ids", expanding=True)))
    .group_by(_update.action_id)
    .subquery()
)
#: Each of some actions' latest note, built once.
_LATEST_NOTES = core_select(_update.action_id, _update.note).join(
    _newest, _newest.c.newest == _update.id)


def action_rows(
    session: Session, today: date, *conditions, owner_ids: list[int] | None = None  # type: ignore[no-untyped-def]
) -> list[ActionRow]:
    """Outstanding actions (not done), overdue first then by due date; two statements."""
    query = OUTSTANDING.where(*conditions) if conditions else OUTSTANDING
    if owner_ids is not None:
        query = query.where(Action.owner_id.in_(owner_ids or [-1]))  # type: ignore[attr-defined]
    found = session.connection().execute(query).all()
    latest_note = latest_notes(session, [action.id for action in found])
    return [
        ActionRow(
            plan=action.plan, ref=action.ref, action=action.action, owner=action.owner,
            owner_staff_id=action.owner_staff_id, agency=action.agency, area=action.area,
            due_date=action.due_date, days_overdue=max(0, (today - action.due_date).days),
            measure=action.measure, status=action.status, last_note=latest_note.get(action.id),
        )
        for action in found
    ]


def latest_notes(session: Session, action_ids: list[int]) -> dict[int, str]:
    if not action_ids:
        return {}
    rows = session.connection().execute(_LATEST_NOTES, {"action_ids": action_ids}).all()
    return {action_id: note for action_id, note in rows}


def action_list(title: str, rows: list[ActionRow], today: date, empty: str) -> ActionList:
    return ActionList(title=title, as_of=today, rows=tuple(rows), empty_message=empty)


def squeezed(text):  # type: ignore[no-untyped-def]
    """A plan name without case, spaces or underscores, in SQL or Python alike."""
    if isinstance(text, str):
        return text.lower().replace(" ", "").replace("_", "")
    return func.replace(func.replace(func.lower(text), " ", ""), "_", "")


def find_action(session: Session, ref: str) -> list[tuple[Action, str]]:
    """Actions by reference; `PLAN/REF` picks one plan when two plans share a reference.

    The plan may be written without its spaces or with `_` for them (`Ofsted_ILACS_2025/1.1`),
    since a chat command reads the reference as one word.
    """
    plan_name, _, bare_ref = ref.rpartition("/")
    query = select(Action, Plan.name).join(Plan, Plan.id == Action.plan_id).where(
        func.lower(Action.ref) == bare_ref.strip().lower()
    )
    if plan_name:
        query = query.where(squeezed(Plan.name) == squeezed(plan_name.strip()))
    return list(session.exec(query).all())


def may_record_progress(session: Session, asker: Asker, action: Action) -> bool:
    """The owner, an admin, or a manager who can see the owner: the same people who see it in
    /actions, so an action anyone else names is "not found or not yours to see"."""
    if action.owner_id == asker.id:  # the owner: no need to read their record
        return True
    owner = session.get(Staff, action.owner_id)
    return owner is not None and (asker.role == "admin"
                                  or (asker.is_manager and can_see(asker, owner)))


def record_progress(
    session: Session, asker: Asker, ref: str, kind: str, text: str, today: date,
    now: datetime | None = None,
) -> ActionChanged | Refusal:
    """Mark done (with evidence) or add an update: the owner, their manager, or an admin."""
    matches = [(action, plan) for action, plan in find_action(session, ref)
               if may_record_progress(session, asker, action)]
    if not matches:  # none by that reference, or none the asker may see: the same answer
        return not_found_or_not_yours(
            f"action '{ref}'", "Type /actions to see references, then /actions done REF evidence.")
    if len(matches) > 1:
        plans = ", ".join(sorted(plan for _action, plan in matches))
        return Refusal(
            reason=f"Reference '{ref}' is used in more than one of your plans ({plans}).",
            hint=f"Name the plan too, e.g. /actions {kind} {matches[0][1]}/{ref} …",
        )
    action, plan = matches[0]
    if kind == "done" and action.status == "done":
        return Refusal(
            reason=f"Action {ref} was already marked done on {action.completed_date}.",
            hint="Use /actions update REF note to add to it.",
        )
    stamp = now or datetime.now(timezone.utc)
    session.add(ActionUpdate(action_id=action.id, author_id=asker.id, at=stamp, kind=kind,  # type: ignore[arg-type]
                             note=text))
    session.flush()
    session.connection().execute(
        update(Action).where(Action.id == action.id)  # type: ignore[arg-type]
        .values(progress_change(kind, asker.id, today, text))  # type: ignore[arg-type]
    )
    stored_ref = action.ref
    session.expire(action)  # written past the ORM: reload if asked again
    return ActionChanged(plan=plan, ref=stored_ref, kind=kind, by=asker.name, on=today, text=text)


def progress_change(kind: str, asker_id: int, today: date, text: str) -> dict[str, Any]:
    """The columns `/actions done` or `/actions update` sets, as one UPDATE's values.

    Done sets the completion outright: it is the latest word on the action. An update moves
    the action from open to in_progress, decided against the row as it is when written (a
    completion an import wrote a moment ago is not undone). Done, and an update that moves the
    action on, mark the day chat set its progress, which an import respects
    (importers/chat_rule.py); a note on an action already moving on changes no column."""
    if kind == "done":
        return {"status": "done", "completed_date": today, "completed_by_id": asker_id,
                "evidence": text, "chat_changed_on": today}
    still_open = Action.status == "open"
    return {"status": case((still_open, "in_progress"), else_=Action.status),
            "chat_changed_on": case((still_open, today), else_=Action.chat_changed_on)}
