"""supervisions.csv: recorded supervision sessions, one per worker per date (the natural key).

Both the supervisee and the supervisor must already be in the store (import staff first). A
session is a record of something that happened, so a date after today is refused.

A session logged in chat (`/supervision log`) is chat's: a file row for the same worker and date
changes nothing (importers/chat_rule.py). Both rules hold in the statements themselves, so a
session logged while the import runs is neither overwritten nor a reason to refuse the file.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from importers.base import (
    KindImporter, Written, batches, changed_columns, insert_new, max_length,
)
from importers.cells import RowCells
from importers.keys import id_key, staff_pks
from models import Staff, Supervision

SUPERVISION = Supervision.__table__
STAFF = Staff.__table__


class SupervisionRow(NamedTuple):
    number: int
    staff_id: int
    date: date
    supervisor_id: int | None
    kind: str | None


class SupervisionsImporter(KindImporter):
    kind = "supervisions"
    required = ("staff_id", "date")
    optional = ("supervisor_id", "kind")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.staff_pk = staff_pks(self.connection)
        self.seen: dict[tuple[int, date], int] = {}

    def _staff(self, cells: RowCells, column: str, *, required: bool) -> int | None:
        staff_id = cells.text(column, required=required)
        if staff_id is None:
            return None
        pk = self.staff_pk.get(id_key(staff_id))
        if pk is None:
            cells.problem(column, staff_id, f"{staff_id} is not a known staff id — import staff "
                                            "first, or check the id")
        return pk

    def check(self, cells: RowCells) -> SupervisionRow | None:
        staff = self._staff(cells, "staff_id", required=True)
        held_on = cells.date("date", required=True)
        supervisor = self._staff(cells, "supervisor_id", required=False)
        kind = cells.text("kind", max_length=max_length(SUPERVISION, "kind"))
        if held_on is not None and held_on > self.today:
            cells.problem("date", cells.raw("date"), f"in the future (today is "
                          f"{self.today.isoformat()}): record a supervision once it has happened")
        if staff is not None and staff == supervisor:
            cells.problem("supervisor_id", cells.raw("supervisor_id"),
                          "the same person as staff_id: a worker cannot supervise themselves")
        if staff is not None and held_on is not None:
            self.first_seen(self.seen, (staff, held_on), cells, "date", cells.raw("date"),
                            f"a supervision of {cells.raw('staff_id')} on {held_on.isoformat()}")
        if not cells.ok:
            return None
        return SupervisionRow(cells.row_number, staff, held_on, supervisor, kind)  # type: ignore[arg-type]

    def write(self, rows: list[SupervisionRow]) -> Written:
        written = Written()
        columns = self.present("supervisor_id", "kind")
        existing: dict[tuple[int, date], Any] = {}
        staff_in_file = sorted({row.staff_id for row in rows})
        for staff_batch in batches(staff_in_file):
            for stored in self.connection.execute(
                select(SUPERVISION.c.id, SUPERVISION.c.staff_id, SUPERVISION.c.date,
                       SUPERVISION.c.supervisor_id, SUPERVISION.c.kind,
                       SUPERVISION.c.logged_in_chat)
                .where(SUPERVISION.c.staff_id.in_(staff_batch))
            ):
                existing[(stored.staff_id, stored.date)] = stored
        inserts: list[dict[str, Any]] = []
        changes: list[tuple[int, dict[str, Any]]] = []
        kept = 0
        for row in rows:
            values = {"staff_id": row.staff_id, "date": row.date,
                      "supervisor_id": row.supervisor_id, "kind": row.kind}
            old = existing.get((row.staff_id, row.date))
            if old is None:
                inserts.append(values)
            elif old.logged_in_chat:
                written.unchanged += 1
                kept += changed_columns(columns, values, old)
            elif changed_columns(columns, values, old):
                changes.append((old.id, values))
            else:
                written.unchanged += 1
        update_unless_logged_in_chat(self.connection, columns, changes)
        insert_new(self.connection, SUPERVISION, inserts, ("staff_id", "date"))
        written.created, written.updated = len(inserts), len(changes)
        if kept:
            written.notes.append(
                f"{kept} session{'s' if kept != 1 else ''} logged in the bot kept as recorded "
                "there, though the file differs"
            )
        return written


def update_unless_logged_in_chat(connection: Connection, columns: tuple[str, ...],
                                 changes: list[tuple[int, dict[str, Any]]]) -> None:
    """Update sessions by id, but never one logged in chat, judged as the row is when written."""
    if not changes or not columns:
        return
    statement = (
        update(SUPERVISION)
        .where(SUPERVISION.c.id == bindparam("b_id"), SUPERVISION.c.logged_in_chat.is_(False))
        .values({column: bindparam(f"b_{column}") for column in columns})
    )
    for batch in batches(changes):
        connection.execute(statement, [
            {"b_id": row_id, **{f"b_{column}": values[column] for column in columns}}
            for row_id, values in batch
        ])
