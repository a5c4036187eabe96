"""staff.csv: everyone the bot knows, matched by the council's own `staff_id`.

`team` names a team or, for staff who sit above teams (heads of service, admins, managers of
several teams), a service: a team sets the worker's team and its service; a service sets the
service only. A name that is both a team and a service means the team. Practitioners must be in
a team. `manager_id` may name someone in the store or anyone in the same file, in any order.

Written as it streams: a batch's new staff go in at once, managers before the people they
manage, when their manager is already known (in the store, or written earlier in this file) and
they take no e-mail or chat id a stored person holds. The rest wait for the end of the file
(`finish`): staff already stored (updates first, so an e-mail one gives up another may take),
new staff whose manager comes later in the file, and those taking a stored person's value.

Optional columns absent from the file leave stored values alone (a file without
`slack_user_id` does not unlink anyone from Slack); present but blank, they clear the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from importers.base import (
    KindImporter, Written, changed_columns, insert_returning_ids, max_length, name_key,
    update_by_id,
)
from importers.cells import RowCells
from importers.keys import id_key
from importers.report import Problem
from models import ACCESS_ROLE_BY_JOB_ROLE, Service, Staff, Team

STAFF = Staff.__table__
TEAM = Team.__table__
SERVICE = Service.__table__

ROLES = {role: role for role in ACCESS_ROLE_BY_JOB_ROLE}
ROLE_CHOICES = "one of " + ", ".join(ACCESS_ROLE_BY_JOB_ROLE)
#: Roles that may be placed in a service rather than a team.
ABOVE_TEAM_ROLES = {role for role, access in ACCESS_ROLE_BY_JOB_ROLE.items()
                    if access != "practitioner"}
#: Model columns set from optional file columns of the same name.
OPTIONAL_FIELDS = (
    "slack_user_id", "teams_user_id", "agency", "asye_start", "asye_end",
    "academy_modules_passed", "academy_modules_required", "end_date", "leaving_reason",
    "swe_no", "annex_a_name",
    # issue #13: early career programme, the DfE agency rules, Social Work England CPD
    "early_career_programme", "qualified_date", "agency_reference", "agency_notice_weeks",
    "agency_hourly_rate", "left_permanent_post", "agency_exception_approved_by", "cpd_records",
    "cpd_peer_reflection",
)
PROGRAMME_CHOICES = {"asye": "asye", "ecdp": "ecdp"}
DEFAULTS: dict[str, Any] = {field: None for field in OPTIONAL_FIELDS} | {"agency": False}
STORED = (
    "id", "staff_id", "name", "email", "role", "team_id", "service_id", "manager_id", "fte",
    "start_date", *OPTIONAL_FIELDS,
)


@dataclass(frozen=True, slots=True)
class StaffRow:
    number: int
    staff_id: str
    values: dict[str, Any]  # model column → value, manager_id excluded
    manager_ref: str | None


class StaffImporter(KindImporter):
    kind = "staff"
    required = ("staff_id", "name", "email", "role", "team", "fte", "start_date")
    optional = (*OPTIONAL_FIELDS, "manager_id")
    name_is_the_worker = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.existing = {
            id_key(row.staff_id): row
            for row in self.connection.execute(select(*(STAFF.c[name] for name in STORED)))
        }
        self.owner_of = {
            column: {id_key(getattr(row, column)): row.staff_id
                     for row in self.existing.values() if getattr(row, column) is not None}
            for column in ("email", "slack_user_id", "teams_user_id", "swe_no")
        }
        self.teams = {
            name_key(name): (pk, service_id)
            for pk, name, service_id in self.connection.execute(
                select(TEAM.c.id, TEAM.c.name, TEAM.c.service_id))
        }
        self.services = {
            name_key(name): pk
            for pk, name in self.connection.execute(select(SERVICE.c.id, SERVICE.c.name))
        }
        self.seen: dict[str, dict[Any, int]] = {
            "staff_id": {}, "email": {}, "slack_user_id": {}, "teams_user_id": {},
            "swe_no": {},
        }
        # (row, column, value, staff id holding it in the store) — settled once the file is read
        self.taken_in_store: list[tuple[int, str, str, str]] = []
        self.managers: list[tuple[int, str, str]] = []  # (row, staff_id, manager_ref)
        # written by `write` only (the loader's worker thread), read by `finish` after it
        self.known: dict[str, int] = {key: row.id for key, row in self.existing.items()}
        self.held: list[StaffRow] = []  # rows that wait for the end of the file

    def check(self, cells: RowCells) -> StaffRow | None:
        staff_id = cells.text("staff_id", required=True, max_length=max_length(STAFF, "staff_id"))
        values: dict[str, Any] = {
            "name": cells.text("name", required=True, max_length=max_length(STAFF, "name")),
            "email": cells.email(max_length=max_length(STAFF, "email")),
            "role": cells.choice("role", ROLES, required=True, expected=ROLE_CHOICES),
            "fte": cells.fte(),
            "start_date": cells.date("start_date", required=True),
        }
        self._place(cells, values)
        for column in ("slack_user_id", "teams_user_id", "leaving_reason", "annex_a_name",
                       "agency_exception_approved_by"):
            values[column] = cells.text(column, max_length=max_length(STAFF, column))
        values["agency"] = cells.boolean("agency")
        values["swe_no"] = self._swe_no(cells)
        for column in ("asye_start", "asye_end", "end_date", "qualified_date",
                       "left_permanent_post"):
            values[column] = cells.date(column)
        for column in ("academy_modules_passed", "academy_modules_required",
                       "agency_notice_weeks", "cpd_records"):
            values[column] = cells.whole_number(column)
        values["early_career_programme"] = cells.choice(
            "early_career_programme", PROGRAMME_CHOICES,
            expected="asye or ecdp (blank: judged from asye_start)")
        values["agency_hourly_rate"] = cells.decimal(
            "agency_hourly_rate", expected="an hourly charge in pounds, e.g. 45.00")
        for column in ("agency_reference", "cpd_peer_reflection"):
            values[column] = cells.boolean(column)
        manager_ref = cells.text("manager_id")
        self._check_together(cells, values)

        if staff_id is not None:
            self.first_seen(self.seen["staff_id"], id_key(staff_id), cells, "staff_id", staff_id,
                            f"the staff id {staff_id}")
            for column in ("email", "slack_user_id", "teams_user_id", "swe_no"):
                value = values[column]
                if value is None:
                    continue
                self.first_seen(self.seen[column], id_key(value), cells, column, value,
                                f"{column} {value}")
                owner = self.owner_of[column].get(id_key(value))
                if owner is not None and id_key(owner) != id_key(staff_id):
                    self.taken_in_store.append((cells.row_number, column, value, owner))
            if manager_ref is not None:
                if id_key(manager_ref) == id_key(staff_id):
                    cells.problem("manager_id", manager_ref, "a worker cannot be their own manager")
                else:
                    self.managers.append((cells.row_number, staff_id, manager_ref))
        if not cells.ok:
            return None
        assert staff_id is not None
        return StaffRow(cells.row_number, staff_id, values, manager_ref)

    @staticmethod
    def _swe_no(cells: RowCells) -> str | None:
        """Social Work England number as the store keeps it: no spaces, upper case."""
        written = cells.raw("swe_no")
        if not written:
            return None
        value = "".join(written.split()).upper()
        limit = max_length(STAFF, "swe_no")
        if len(value) > limit:
            cells.problem("swe_no", written, f"too long: at most {limit} characters")
            return None
        return value

    def _place(self, cells: RowCells, values: dict[str, Any]) -> None:
        """team names a team (team and its service) or a service (service only)."""
        placed = cells.text("team", required=True)
        values["team_id"] = values["service_id"] = None
        if placed is None:
            return
        key = name_key(placed)
        if key in self.teams:
            values["team_id"], values["service_id"] = self.teams[key]
        elif key in self.services:
            values["service_id"] = self.services[key]
            role = values["role"]
            if role is not None and role not in ABOVE_TEAM_ROLES:
                cells.problem("team", placed, f"{placed} is a service, but a {role} must be in a "
                                              "team: give their team's name")
        else:
            cells.problem("team", placed, f"{placed} is not a known team or service — import "
                                          "teams first, or check the spelling")

    @staticmethod
    def _check_together(cells: RowCells, values: dict[str, Any]) -> None:
        start, end = values["start_date"], values["end_date"]
        if start is not None and end is not None and end < start:
            cells.problem("end_date", cells.raw("end_date"),
                          "before start_date: a worker cannot leave before they start")
        asye_start, asye_end = values["asye_start"], values["asye_end"]
        if asye_end is not None and not cells.raw("asye_start"):
            cells.problem("asye_end", cells.raw("asye_end"),
                          "asye_end without asye_start: give the date the ASYE began")
        if asye_start is not None and asye_end is not None and asye_end <= asye_start:
            cells.problem("asye_end", cells.raw("asye_end"),
                          "not after asye_start: the ASYE must end after it begins")
        passed, needed = values["academy_modules_passed"], values["academy_modules_required"]
        if passed is not None and needed is not None and passed > needed:
            cells.problem("academy_modules_passed", cells.raw("academy_modules_passed"),
                          f"more than academy_modules_required ({needed})")

    def check_file(self, problems: list[Problem]) -> None:
        in_file = self.seen["staff_id"]
        for number, column, value, owner in self.taken_in_store:
            if id_key(owner) not in in_file:
                problems.append(Problem(number, column, value,
                                        f"already belongs to staff id {owner} in the store"))
        for number, _staff_id, manager_ref in self.managers:
            if id_key(manager_ref) not in in_file and id_key(manager_ref) not in self.existing:
                problems.append(Problem(
                    number, "manager_id", manager_ref,
                    f"{manager_ref} is not a staff id in this file or the store",
                ))

    def _columns(self) -> tuple[str, ...]:
        """The stored columns this file sets (absent optional columns are left alone)."""
        return ("name", "email", "role", "team_id", "service_id", "fte", "start_date",
                *self.present(*OPTIONAL_FIELDS))

    def write(self, rows: list[StaffRow]) -> Written:
        """Insert the batch's new staff that can go in now; hold the rest for `finish`."""
        manages = "manager_id" in self.columns
        new_rows: list[StaffRow] = []
        for row in rows:
            if id_key(row.staff_id) in self.existing or self._takes_a_stored_value(row):
                self.held.append(row)
            else:
                new_rows.append(row)
        inserted, waiting = self._insert_in_waves(
            new_rows, self._columns(), self.known if manages else None)
        self.known |= inserted
        self.held.extend(waiting)
        return Written(created=len(inserted))

    def _takes_a_stored_value(self, row: StaffRow) -> bool:
        """Whether a new row takes an e-mail or chat id a stored person holds now: it must wait
        until that person's row (later in the file) has given it up."""
        for column in ("email", "slack_user_id", "teams_user_id", "swe_no"):
            value = row.values[column]
            if value is not None and id_key(value) in self.owner_of[column]:
                return True
        return False

    def finish(self) -> Written:
        """The held rows: updates first (freeing e-mails and chat ids others may take), then
        inserts, then managers, which may point at rows inserted a moment before."""
        written = Written()
        columns = self._columns()
        manages = "manager_id" in self.columns
        inserts: list[StaffRow] = []
        changes: list[tuple[int, dict[str, Any]]] = []
        manager_changes: list[tuple[int, str | None]] = []  # (row id, manager staff id)
        for row in self.held:
            old = self.existing.get(id_key(row.staff_id))
            if old is None:
                inserts.append(row)
                continue
            changed = changed_columns(columns, row.values, old)
            if changed:
                changes.append((old.id, row.values))
            if manages and self._manager_differs(old.manager_id, row.manager_ref):
                manager_changes.append((old.id, row.manager_ref))
                changed = True
            if changed:
                written.updated += 1
            else:
                written.unchanged += 1
        update_by_id(self.connection, STAFF, columns, changes)

        new_ids, cycle = self._insert_in_waves(inserts, columns, self.known if manages else None)
        without_manager = self._insert(cycle, columns, {})
        new_ids |= without_manager
        written.created = len(inserts)
        if manages:
            known = self.known | new_ids
            manager_changes.extend(
                (new_ids[id_key(row.staff_id)], row.manager_ref) for row in inserts
                if id_key(row.staff_id) in without_manager and row.manager_ref is not None
            )
            update_by_id(self.connection, STAFF, ("manager_id",), [
                (row_id, {"manager_id": known[id_key(ref)] if ref is not None else None})
                for row_id, ref in manager_changes
            ])
        return written

    def _insert_in_waves(self, inserts: list[StaffRow], columns: tuple[str, ...],
                         known: dict[str, int] | None) -> tuple[dict[str, int], list[StaffRow]]:
        """Insert new staff in waves, managers before the people they manage, so each row is
        written once with its manager_id (an UPDATE a row was the slow part of big imports).
        Returns the new ids (keyed by `id_key`) and the rows left unwritten because their
        manager is not known (later in the file, or a manager cycle). `known` is None when the
        file has no manager_id column: every row goes in, its manager left alone."""
        if known is None:
            return self._insert(inserts, columns, {}), []
        new_ids: dict[str, int] = {}
        known = dict(known)
        pending = inserts
        while pending:
            ready = [row for row in pending
                     if row.manager_ref is None or id_key(row.manager_ref) in known]
            if not ready:
                break
            wave = self._insert(ready, columns, known)
            known |= wave
            new_ids |= wave
            pending = [row for row in pending if id_key(row.staff_id) not in wave]
        return new_ids, pending

    def _insert(self, rows: list[StaffRow], columns: tuple[str, ...], known: dict[str, int]
                ) -> dict[str, int]:
        """Insert rows with their manager's id where `known` has it (else none); new ids."""
        def record(row: StaffRow) -> dict[str, Any]:
            manager_id = known.get(id_key(row.manager_ref)) if row.manager_ref else None
            return {**DEFAULTS, **{column: row.values[column] for column in columns},
                    "staff_id": row.staff_id, "manager_id": manager_id}

        return _keyed(insert_returning_ids(self.connection, STAFF, [record(row) for row in rows],
                                           "staff_id"))

    def _manager_differs(self, stored_manager_id: int | None, manager_ref: str | None) -> bool:
        if manager_ref is None:
            return stored_manager_id is not None
        stored = self.existing.get(id_key(manager_ref))
        return stored is None or stored.id != stored_manager_id


def _keyed(ids: dict[str, int]) -> dict[str, int]:
    """New row ids by staff id, re-keyed by `id_key` like every other staff lookup here."""
    return {id_key(staff_id): pk for staff_id, pk in ids.items()}
