"""cases.csv: the case management extract, by case reference only, matched on `case_ref`.

Cases are never deleted or closed for being absent from an extract (extracts are often partial);
a closure arrives as an `end_date` on the case's row.

Allocation history (`CaseAllocation`, one spell per worker per role) follows the rows:
- a new case opens a spell for its allocated worker and co-worker from the case's start_date
  (already closed at the case's end_date if the case arrives closed);
- when an open case's allocated worker or co-worker changes, or is first set, the open spell for
  that role is closed today and the new worker's spell opens today;
- when a case closes, its open spells close at the case's end_date; when it reopens, spells open
  today for the workers it then names.

Built for county-to-national extracts (400,000 rows): lookups and stored cases are read once
per import, and every write is a bulk statement (COPY on PostgreSQL, executemany elsewhere).
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Date, bindparam, case, select, update

from importers.base import (
    BATCH_ROWS, KindImporter, Written, batches, insert_many, insert_returning_ids, max_length, name_key,
    rows_by_lower_key, update_by_id,
)
from importers.cells import RowCells
from importers.keys import id_key, staff_pks
from models import CASE_TYPES, Case, CaseAllocation, Staff, Team
from models.cases import PLACEMENT_TYPES
from models.organisation import FAMILY_HELP_LEAD_CASE_TYPES, FAMILY_HELP_ROLE

CASES = Case.__table__
ALLOCATION = CaseAllocation.__table__
STAFF = Staff.__table__
TEAM = Team.__table__

CASE_TYPE_CHOICES = {case_type.lower(): case_type for case_type in CASE_TYPES}
CASE_TYPES_EXPECTED = "one of " + ", ".join(CASE_TYPES)
OPTIONAL_FIELDS = ("end_date", "allocated_worker_id", "co_worker_id", "last_visit", "next_review",
                   "placement_start", "long_term_placement", "family_id", "placement_type")
PLACEMENT_CHOICES = {word: stored for stored, words in PLACEMENT_TYPES.items() for word in words}
PLACEMENT_EXPECTED = "one of " + ", ".join(PLACEMENT_TYPES) + " (or blank)"
STORED = ("id", "case_ref", "case_type", "team_id", "start_date", *OPTIONAL_FIELDS)


class CaseRow(NamedTuple):
    number: int
    case_ref: str
    case_type: str
    team_id: int
    start_date: date
    end_date: date | None
    allocated_worker_id: int | None
    co_worker_id: int | None
    last_visit: date | None
    next_review: date | None
    placement_start: date | None
    long_term_placement: bool
    family_id: str | None = None
    placement_type: str | None = None


def _close_open_spells():  # type: ignore[no-untyped-def]
    """Close a case's open spell in one role; never before the spell began."""
    to_date = bindparam("b_to", type_=Date)
    return (
        update(ALLOCATION)
        .where(ALLOCATION.c.case_id == bindparam("b_case"),
               ALLOCATION.c.role == bindparam("b_role"),
               ALLOCATION.c.to_date.is_(None))
        .values(to_date=case((ALLOCATION.c.from_date > to_date, ALLOCATION.c.from_date),
                             else_=to_date))
    )


class CasesImporter(KindImporter):
    kind = "cases"
    required = ("case_ref", "case_type", "start_date", "team")
    optional = OPTIONAL_FIELDS

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.staff_pk = staff_pks(self.connection)
        self.team_pk: dict[str, int] = {
            name_key(name): pk
            for pk, name in self.connection.execute(select(TEAM.c.id, TEAM.c.name))
        }
        self.family_help: set[int] = set(self.connection.execute(
            select(STAFF.c.id).where(STAFF.c.role == FAMILY_HELP_ROLE)).scalars())
        self.family_help_barred: list[str] = []  # case refs led by family help, CP or LAC
        self.team_by_text: dict[str, int | None] = {}
        self.seen: dict[str, int] = {}
        self.ref_length = max_length(CASES, "case_ref")

    def check(self, cells: RowCells) -> CaseRow | None:
        case_ref = cells.text("case_ref", required=True, max_length=self.ref_length)
        case_type = cells.choice("case_type", CASE_TYPE_CHOICES, required=True,
                                 expected=CASE_TYPES_EXPECTED)
        start = cells.date("start_date", required=True)
        team_id = self._team(cells)
        lead = self._worker(cells, "allocated_worker_id")
        co_worker = self._worker(cells, "co_worker_id")
        if co_worker is not None and co_worker == lead:
            cells.problem("co_worker_id", cells.raw("co_worker_id"),
                          "the same person as allocated_worker_id: a co-worker must be someone "
                          "else (leave co_worker_id blank if there is none)")
        end = cells.date("end_date")
        if end is not None and start is not None and end < start:
            cells.problem("end_date", cells.raw("end_date"),
                          "before start_date: a case cannot close before it opens")
        last_visit = cells.date("last_visit")
        if last_visit is not None and last_visit > self.today:
            cells.problem("last_visit", cells.raw("last_visit"),
                          f"in the future (today is {self.today.isoformat()}): give the date of "
                          "the last visit made")
        next_review = cells.date("next_review")
        placement_start = cells.date("placement_start")
        if placement_start is not None and placement_start > self.today:
            cells.problem("placement_start", cells.raw("placement_start"),
                          f"in the future (today is {self.today.isoformat()}): give the date the "
                          "current placement began")
        elif placement_start is not None and start is not None and placement_start < start:
            cells.problem("placement_start", cells.raw("placement_start"),
                          "before start_date: a placement cannot begin before the case opens")
        long_term = cells.boolean("long_term_placement")
        family_id = cells.text("family_id", max_length=max_length(CASES, "family_id"))
        placement_type = cells.choice("placement_type", PLACEMENT_CHOICES,
                                      expected=PLACEMENT_EXPECTED)
        if case_ref is not None:
            first = self.seen.setdefault(id_key(case_ref), cells.row_number)
            if first != cells.row_number:
                cells.problem("case_ref", case_ref, f"the case {case_ref} appears more than once "
                                                    f"in this file (first at row {first}): give "
                                                    "each case one row")
        if not cells.ok:
            return None
        if lead in self.family_help and case_type not in FAMILY_HELP_LEAD_CASE_TYPES:
            self.family_help_barred.append(case_ref)  # type: ignore[arg-type]
        return CaseRow(cells.row_number, case_ref, case_type, team_id, start, end,  # type: ignore[arg-type]
                       lead, co_worker, last_visit, next_review, placement_start,
                       long_term, family_id, placement_type)  # type: ignore[arg-type]

    def _team(self, cells: RowCells) -> int | None:
        written = cells.text("team", required=True)
        if written is None:
            return None
        if written not in self.team_by_text:
            self.team_by_text[written] = self.team_pk.get(name_key(written))
        team_id = self.team_by_text[written]
        if team_id is None:
            cells.problem("team", written, f"{written} is not a known team — import teams first, "
                                           "or check the spelling")
        return team_id

    def _worker(self, cells: RowCells, column: str) -> int | None:
        staff_id = cells.raw(column)
        if not staff_id:
            return None
        worker = self.staff_pk.get(id_key(staff_id))
        if worker is None:
            cells.problem(column, staff_id, f"{staff_id} is not a known staff id — import staff "
                                            "first, or check the id")
        return worker

    def write(self, rows: list[CaseRow]) -> Written:
        written = Written()
        columns = ("case_type", "team_id", "start_date", *self.present(*OPTIONAL_FIELDS))
        close_spells = _close_open_spells()
        existing = self._stored(rows)
        for batch in batches(rows):
            inserts: list[CaseRow] = []
            changes: list[tuple[int, dict[str, Any]]] = []
            closes: list[dict[str, Any]] = []
            opens: list[dict[str, Any]] = []
            for row in batch:
                old = existing.get(id_key(row.case_ref))
                if old is None:
                    inserts.append(row)
                elif any(getattr(row, column) != getattr(old, column) for column in columns):
                    changes.append((old.id, row._asdict()))
                    self._follow_allocation(old, row, closes, opens)
                else:
                    written.unchanged += 1
            update_by_id(self.connection, CASES, columns, changes)
            new_ids = insert_returning_ids(self.connection, CASES, [
                {"case_ref": row.case_ref, "case_type": row.case_type, "team_id": row.team_id,
                 "start_date": row.start_date, "end_date": row.end_date,
                 "allocated_worker_id": row.allocated_worker_id,
                 "co_worker_id": row.co_worker_id, "last_visit": row.last_visit,
                 "next_review": row.next_review, "placement_start": row.placement_start,
                 "long_term_placement": row.long_term_placement, "family_id": row.family_id,
                 "placement_type": row.placement_type}
                for row in inserts
            ], "case_ref")
            for row in inserts:
                case_id = new_ids[row.case_ref]
                for role, worker in (("lead", row.allocated_worker_id), ("co", row.co_worker_id)):
                    if worker is not None:
                        opens.append({"case_id": case_id, "worker_id": worker, "role": role,
                                      "from_date": row.start_date, "to_date": row.end_date})
            for batch_of_closes in batches(closes):
                self.connection.execute(close_spells, list(batch_of_closes))
            insert_many(self.connection, ALLOCATION, opens)
            written.created += len(inserts)
            written.updated += len(changes)
        return written

    def finish(self) -> Written:
        """The note naming the cases a family help practitioner may not lead, once for the
        whole file (built per batch, it said a different count after each)."""
        written = Written()
        if self.family_help_barred:
            shown = ", ".join(self.family_help_barred[:5])
            more = len(self.family_help_barred) - 5
            written.notes.append(
                f"{len(self.family_help_barred)} case(s) name a family help practitioner as lead "
                f"on a case type they may not lead (only {', '.join(FAMILY_HELP_LEAD_CASE_TYPES)}"
                f"; Working Together 2023): {shown}{f' and {more} more' if more > 0 else ''}"
                " — flagged in /caseload")
        return written

    def _stored(self, rows: list[CaseRow]) -> dict[str, Any]:
        """Stored cases by their reference's key: those named, for one batch of rows (found
        by the unique index on lower(case_ref)); otherwise every case in one read, far quicker
        than many lookups of a few thousand references each."""
        if len(rows) <= BATCH_ROWS:
            stored = rows_by_lower_key(self.connection, CASES, STORED, "case_ref",
                                       [id_key(row.case_ref) for row in rows])
        else:
            stored = self.connection.execute(select(*(CASES.c[name] for name in STORED))).all()
        return {id_key(row.case_ref): row for row in stored}

    def _follow_allocation(self, old: Any, row: CaseRow, closes: list[dict[str, Any]],
                           opens: list[dict[str, Any]]) -> None:
        """Spells to close and open for a stored case that changed (see the module docstring)."""
        end = row.end_date if "end_date" in self.columns else old.end_date
        closed_now = old.end_date is None and end is not None
        for role, column in (("lead", "allocated_worker_id"), ("co", "co_worker_id")):
            worker = getattr(row, column) if column in self.columns else getattr(old, column)
            before = getattr(old, column) if old.end_date is None else None
            after = worker if end is None else None
            if before == after:
                continue
            if before is not None:
                closes.append({"b_case": old.id, "b_role": role,
                               "b_to": end if closed_now else self.today})
            if after is not None:
                opens.append({"case_id": old.id, "worker_id": after, "role": role,
                              "from_date": self.today, "to_date": None})
