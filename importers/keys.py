"""How identifiers are matched: one key whatever their case and surrounding spaces.

A council's systems spell the same id differently (`SW0001` in HR, `sw0001` in the case system,
` CR-9000010 ` from a spreadsheet), so staff ids, case references, action references and e-mails
are compared by `id_key`, and team, service and plan names by `name_key` (which also folds runs
of spaces). The store keeps the spelling first imported and enforces the same rule with unique
indexes on lower(column) (migration 0006), so no import path can make two records of one key.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from models import Staff

STAFF = Staff.__table__


def id_key(value: str) -> str:
    """An identifier's key: surrounding spaces dropped, lower case (as the indexes' lower())."""
    return value.strip().lower()


def staff_pks(connection: Connection) -> dict[str, int]:
    """Every staff record's row id by its staff id's key, read once per import."""
    return {id_key(staff_id): pk
            for staff_id, pk in connection.execute(select(STAFF.c.staff_id, STAFF.c.id))}
