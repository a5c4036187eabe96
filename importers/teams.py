"""teams.csv: each team, its service, its manager and its establishment.

Teams and staff refer to each other (a team has a manager; a worker belongs to a team). The
folder import (`import DIR`, importers/folder.py) settles that by itself: a teams file may name
managers that the staff file in the same folder adds. It says so through `DEFERRED_MANAGERS`:
such a team is written without its manager, and the folder links it once staff are loaded, in
the same transaction.

Imported alone, a teams file's `manager_id` must be a staff id already in the store; one that is
not is refused with the folder import as the fix, rather than kept pending: the store has
nowhere to hold an unresolved id. A blank `manager_id` means the team has no manager recorded
(and clears one set before).
Services are matched by name and created when new; teams are matched by name (case and extra
spaces ignored), the natural key.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from importers.base import (
    KindImporter, Written, changed_columns, insert_many, insert_returning_ids, max_length,
    name_key, update_by_id,
)
from importers.cells import RowCells
from importers.keys import id_key, staff_pks
from models import Service, Staff, Team

TEAM = Team.__table__
SERVICE = Service.__table__
STAFF = Staff.__table__


@dataclass
class DeferredManagers:
    """Managers a folder's staff file will add: `staff_keys` are that file's staff ids (as
    `id_key`s); `pending` collects team name key → manager staff id for `link`."""

    staff_keys: frozenset[str]
    pending: dict[str, str] = field(default_factory=dict)

    def link(self, connection: Connection) -> None:
        """Set each pending team's manager, now the staff file is loaded (same transaction)."""
        if not self.pending:
            return
        staff_pk = staff_pks(connection)
        team_pk = {name_key(name): pk
                   for pk, name in connection.execute(select(TEAM.c.id, TEAM.c.name))}
        update_by_id(connection, TEAM, ("manager_id",), [
            (team_pk[team_key], {"manager_id": staff_pk[id_key(manager_ref)]})
            for team_key, manager_ref in self.pending.items()
        ])


#: Set by the folder import while it loads a teams file; None for a teams file imported alone.
DEFERRED_MANAGERS: ContextVar[DeferredManagers | None] = ContextVar("deferred_managers",
                                                                    default=None)
UNKNOWN_MANAGER = (
    "{ref} is not a known staff id. Teams name their managers and staff name their teams, so "
    "load both together: put this file and the staff file in one folder and run `python bot.py "
    "import FOLDER` (or leave manager_id blank, import staff, then import teams again)"
)


@dataclass(frozen=True, slots=True)
class TeamRow:
    number: int
    name: str
    service: str
    manager_id: int | None
    establishment_fte: float
    digest_channel: str | None
    teams_channel: str | None


class TeamsImporter(KindImporter):
    kind = "teams"
    required = ("team", "service", "manager_id", "establishment_fte")
    optional = ("digest_channel", "teams_channel")
    fills = (SERVICE, TEAM)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.staff_pk = staff_pks(self.connection)
        self.service_pk: dict[str, int] = {
            name_key(name): pk
            for pk, name in self.connection.execute(select(SERVICE.c.id, SERVICE.c.name))
        }
        self.existing = {
            name_key(row.name): row
            for row in self.connection.execute(select(
                TEAM.c.id, TEAM.c.name, TEAM.c.service_id, TEAM.c.manager_id,
                TEAM.c.establishment_fte, TEAM.c.digest_channel, TEAM.c.teams_channel,
            ))
        }
        self.seen: dict[str, int] = {}
        self.deferred = DEFERRED_MANAGERS.get()

    def check(self, cells: RowCells) -> TeamRow | None:
        name = cells.text("team", required=True, max_length=max_length(TEAM, "name"))
        service = cells.text("service", required=True, max_length=max_length(SERVICE, "name"))
        manager_ref = cells.text("manager_id")
        manager_id = None
        if manager_ref is not None:
            manager_id = self.staff_pk.get(id_key(manager_ref))
            if manager_id is None and name is not None and self.deferred is not None \
                    and id_key(manager_ref) in self.deferred.staff_keys:
                self.deferred.pending[name_key(name)] = manager_ref
            elif manager_id is None:
                cells.problem("manager_id", manager_ref, UNKNOWN_MANAGER.format(ref=manager_ref))
        establishment = cells.decimal(
            "establishment_fte", required=True, minimum=0.0,
            expected="the team's funded posts as full-time equivalents, e.g. 8.5 (0 or more)",
        )
        digest_channel = cells.text("digest_channel", max_length=max_length(TEAM, "digest_channel"))
        teams_channel = cells.text("teams_channel", max_length=max_length(TEAM, "teams_channel"))
        if name is not None:
            self.first_seen(self.seen, name_key(name), cells, "team", name, f"the team {name}")
        if not cells.ok:
            return None
        assert name is not None and service is not None and establishment is not None
        return TeamRow(cells.row_number, name, service, manager_id, establishment, digest_channel,
                       teams_channel)

    def write(self, rows: list[TeamRow]) -> Written:
        written = Written()
        new_services: dict[str, str] = {}
        for row in rows:
            key = name_key(row.service)
            if key not in self.service_pk and key not in new_services:
                new_services[key] = " ".join(row.service.split())
        if new_services:
            ids = insert_returning_ids(
                self.connection, SERVICE, [{"name": name} for name in new_services.values()],
                "name",
            )
            self.service_pk.update((key, ids[name]) for key, name in new_services.items())
            written.notes.append("New services: " + ", ".join(new_services.values()))

        columns = ("name", "service_id", "manager_id", "establishment_fte",
                   *self.present("digest_channel", "teams_channel"))
        inserts: list[dict[str, Any]] = []
        changes: list[tuple[int, dict[str, Any]]] = []
        for row in rows:
            values = {
                "name": row.name,
                "service_id": self.service_pk[name_key(row.service)],
                "manager_id": row.manager_id,
                "establishment_fte": row.establishment_fte,
                "digest_channel": row.digest_channel,
                "teams_channel": row.teams_channel,
            }
            old = self.existing.get(name_key(row.name))
            deferred = self.deferred is not None and name_key(row.name) in self.deferred.pending
            if old is None:
                inserts.append(values)
            elif deferred or changed_columns(columns, values, old):
                changes.append((old.id, values))
            else:
                written.unchanged += 1
        insert_many(self.connection, TEAM, inserts)
        update_by_id(self.connection, TEAM, columns, changes)
        written.created, written.updated = len(inserts), len(changes)
        return written
