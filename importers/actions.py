"""actions.csv: improvement-plan and audit actions, matched on (plan, ref); plans made if new.

`status` is open, in_progress or done (blank means open; "complete"/"completed" read as done);
done needs a `completed_date`, and a `completed_date` needs status done.

Progress recorded in the bot is kept as `importers/chat_rule.py` sets out: a completion recorded
in chat is never reopened or overwritten, and progress set in chat gives way only to a completion
the file dates after it; the action's other columns still update. The rule is applied in the
UPDATE itself, so a chat change made while the import runs is kept too. The report notes how
many such actions the file disagreed with, so the spreadsheet can be brought up to date.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Date, bindparam, case, select, update
from sqlalchemy.engine import Connection

from importers.base import (
    KindImporter, Written, batches, changed_columns, insert_many, insert_returning_ids,
    max_length, name_key,
)
from importers.cells import RowCells
from importers.chat_rule import may_set_progress, may_set_progress_sql
from importers.keys import id_key, staff_pks
from models import Action, Plan, Staff

ACTION = Action.__table__
PLAN = Plan.__table__
STAFF = Staff.__table__

STATUS_CHOICES = {
    "open": "open", "not_started": "open",
    "in_progress": "in_progress", "ongoing": "in_progress",
    "done": "done", "complete": "done", "completed": "done",
}
STATUS_EXPECTED = "open, in_progress or done (blank means open)"
COMPLETION = ("status", "completed_date", "evidence")
OPTIONAL_FIELDS = ("area", "agency", "measure", *COMPLETION)
STORED = ("id", "plan_id", "ref", "action", "owner_id", "due_date", "completed_by_id",
          "chat_changed_on", *OPTIONAL_FIELDS)


class ActionRow(NamedTuple):
    number: int
    plan: str
    ref: str
    action: str
    owner_id: int
    due_date: date
    area: str | None
    agency: str | None
    measure: str | None
    status: str
    completed_date: date | None
    evidence: str | None


class ActionsImporter(KindImporter):
    kind = "actions"
    required = ("plan", "ref", "action", "owner_id", "due_date")
    optional = OPTIONAL_FIELDS
    fills = (PLAN,)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.staff_pk = staff_pks(self.connection)
        self.plan_pk: dict[str, int] = {
            name_key(name): pk
            for pk, name in self.connection.execute(select(PLAN.c.id, PLAN.c.name))
        }
        self.seen: dict[tuple[str, str], int] = {}

    def check(self, cells: RowCells) -> ActionRow | None:
        plan = cells.text("plan", required=True, max_length=max_length(PLAN, "name"))
        ref = cells.text("ref", required=True, max_length=max_length(ACTION, "ref"))
        action = cells.text("action", required=True, max_length=max_length(ACTION, "action"))
        owner_ref = cells.text("owner_id", required=True)
        owner = None
        if owner_ref is not None:
            owner = self.staff_pk.get(id_key(owner_ref))
            if owner is None:
                cells.problem("owner_id", owner_ref, f"{owner_ref} is not a known staff id — "
                                                     "import staff first, or check the id")
        due = cells.date("due_date", required=True)
        optional = {column: cells.text(column, max_length=max_length(ACTION, column))
                    for column in ("area", "agency", "measure", "evidence")}
        status = cells.choice("status", STATUS_CHOICES, expected=STATUS_EXPECTED, default="open")
        completed = cells.date("completed_date")
        if status == "done" and completed is None and not cells.raw("completed_date"):
            cells.problem("completed_date", None,
                          "blank, but status is done: give the date the action was completed")
        if status in ("open", "in_progress") and completed is not None:
            cells.problem("completed_date", cells.raw("completed_date"),
                          f"given, but status is {status}: set status to done, or clear "
                          "completed_date")
        if completed is not None and completed > self.today:
            cells.problem("completed_date", cells.raw("completed_date"),
                          f"in the future (today is {self.today.isoformat()})")
        if plan is not None and ref is not None:
            self.first_seen(self.seen, (name_key(plan), id_key(ref)), cells, "ref", ref,
                            f"the action {ref} of the plan {plan}")
        if not cells.ok:
            return None
        return ActionRow(cells.row_number, plan, ref, action, owner, due,  # type: ignore[arg-type]
                         optional["area"], optional["agency"], optional["measure"],
                         status, completed, optional["evidence"])  # type: ignore[arg-type]

    def write(self, rows: list[ActionRow]) -> Written:
        written = Written()
        new_plans: dict[str, str] = {}
        for row in rows:
            key = name_key(row.plan)
            if key not in self.plan_pk and key not in new_plans:
                new_plans[key] = " ".join(row.plan.split())
        stored_plans = sorted({self.plan_pk[name_key(row.plan)] for row in rows
                               if name_key(row.plan) in self.plan_pk})
        if new_plans:
            ids = insert_returning_ids(self.connection, PLAN,
                                       [{"name": name} for name in new_plans.values()], "name")
            self.plan_pk.update((key, ids[name]) for key, name in new_plans.items())
            written.notes.append("New plans: " + ", ".join(new_plans.values()))

        existing: dict[tuple[int, str], Any] = {}
        for plan_batch in batches(stored_plans):
            for stored in self.connection.execute(
                select(*(ACTION.c[name] for name in STORED)).where(ACTION.c.plan_id.in_(plan_batch))
            ):
                existing[(stored.plan_id, id_key(stored.ref))] = stored

        columns = ("action", "owner_id", "due_date", *self.present(*OPTIONAL_FIELDS))
        inserts: list[dict[str, Any]] = []
        changes: list[tuple[int, dict[str, Any]]] = []
        progress = [column for column in COMPLETION if column in columns]
        kept = {"completed": 0, "updated": 0}
        for row in rows:
            values = row._asdict()
            values["plan_id"] = self.plan_pk[name_key(row.plan)]
            old = existing.get((values["plan_id"], id_key(row.ref)))
            if old is None:
                inserts.append({column: values[column] for column in (
                    "plan_id", "ref", "action", "owner_id", "due_date", *OPTIONAL_FIELDS)})
                continue
            as_read = dict(values)  # what the row will hold, by the rule, as read just now
            if not may_set_progress(old.completed_by_id is not None, old.chat_changed_on,
                                    row.completed_date):
                if changed_columns(progress, values, old):
                    kept["completed" if old.completed_by_id is not None else "updated"] += 1
                as_read.update({column: getattr(old, column) for column in COMPLETION})
            if changed_columns(columns, as_read, old):
                changes.append((old.id, values))
            else:
                written.unchanged += 1
        update_actions(self.connection, columns, changes)
        insert_many(self.connection, ACTION, inserts)
        written.created, written.updated = len(inserts), len(changes)
        for how, count in kept.items():
            if count:
                written.notes.append(
                    f"{count} action{'s' if count != 1 else ''} {how} in the bot kept as "
                    "recorded there, though the file differs: update the spreadsheet to match"
                )
        return written


def update_actions(connection: Connection, columns: tuple[str, ...],
                   changes: list[tuple[int, dict[str, Any]]]) -> None:
    """Write the file's values to stored actions, by id, in one executemany.

    Status, completed date and evidence are set by `chat_rule` against the row as it is now,
    not as the importer read it: a completion recorded in chat a moment ago is kept."""
    if not changes:
        return
    file_may = may_set_progress_sql(ACTION, bindparam("b_file_completed", type_=Date))
    values: dict[str, Any] = {}
    for column in columns:
        if column in COMPLETION:
            values[column] = case((file_may, bindparam(f"b_{column}")), else_=ACTION.c[column])
        else:
            values[column] = bindparam(f"b_{column}")
    if any(column in COMPLETION for column in columns):
        values["chat_changed_on"] = case((file_may, None), else_=ACTION.c.chat_changed_on)
    statement = update(ACTION).where(ACTION.c.id == bindparam("b_id")).values(values)
    for batch in batches(changes):
        connection.execute(statement, [
            {"b_id": row_id, "b_file_completed": row["completed_date"],
             **{f"b_{column}": row[column] for column in columns}}
            for row_id, row in batch
        ])
