"""Keys ignore case: unique indexes on lower(key); and the import_run record of every load.

Staff ids, e-mails, team, service and plan names, case references and action references (within
a plan) become one key whatever their case. A store that already holds two spellings of one key
cannot be fixed by guessing which record is right, so the upgrade first looks for every such
clash and, if there is any, stops with a message listing them all (nothing is changed): merge or
rename the records, then upgrade again.

Revision ID: 0006
Revises: 0002
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: (index, table, grouping columns before the key, key column, what the user calls the key)
UNIQUE_KEYS = (
    ("ix_staff_lower_staff_id", "staff", (), "staff_id", "staff id"),
    ("ix_staff_lower_email", "staff", (), "email", "e-mail"),
    ("ix_team_lower_name", "team", (), "name", "team name"),
    ("ix_service_lower_name", "service", (), "name", "service name"),
    ("ix_plan_lower_name", "plan", (), "name", "plan name"),
    ("ix_cases_lower_case_ref", "cases", (), "case_ref", "case reference"),
    ("ix_action_plan_lower_ref", "action", ("plan_id",), "ref", "action reference in one plan"),
)
#: Indexes from 0002 that become unique here (dropped and re-created under the same name).
WERE_PLAIN = {"ix_staff_lower_staff_id", "ix_staff_lower_email", "ix_team_lower_name"}
#: At most this many clashes are listed per key, so the message stays readable.
LISTED = 20


class KeyClashes(RuntimeError):
    """Two records whose keys differ only in case or spaces: a person must decide which is right."""


def clashes(connection: sa.engine.Connection) -> list[str]:
    """One line per key spelled more than one way, with every spelling; empty when none."""
    found: list[str] = []
    for _index, table, group, column, what in UNIQUE_KEYS:
        grouping = ", ".join([*group, f"lower(trim({column}))"])
        keys = connection.execute(sa.text(
            f"SELECT {grouping} FROM {table} GROUP BY {grouping} HAVING count(*) > 1"
        )).all()
        for key in keys[:LISTED]:
            conditions = " AND ".join(
                [f"{name} = :g{i}" for i, name in enumerate(group)]
                + [f"lower(trim({column})) = :key"])
            params = {f"g{i}": value for i, value in enumerate(key[:-1])} | {"key": key[-1]}
            spellings = connection.execute(sa.text(
                f"SELECT {column} FROM {table} WHERE {conditions} ORDER BY {column}"), params
            ).scalars().all()
            found.append(f"{what}: " + " / ".join(f"'{spelling}'" for spelling in spellings))
        if len(keys) > LISTED:
            found.append(f"{what}: and {len(keys) - LISTED} more")
    return found


def upgrade() -> None:
    connection = op.get_bind()
    found = clashes(connection)
    if found:
        raise KeyClashes(
            f"{len(found)} key(s) are stored more than once, differing only in case or spaces; "
            "identifiers now ignore case, and the upgrade will not guess which record is right. "
            "Merge or rename these records, then run `python bot.py db upgrade` again:\n  "
            + "\n  ".join(found))
    for name, table, group, column, _what in UNIQUE_KEYS:
        if name in WERE_PLAIN:
            op.drop_index(name, table_name=table)
        op.create_index(name, table, [*group, sa.text(f"lower({column})")], unique=True)

    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("folder_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_run_at", "import_run", ["at"])
    op.create_index("ix_import_run_kind_at", "import_run", ["kind", "at"])
    op.create_index("ix_import_run_folder_hash", "import_run", ["folder_hash"])


def downgrade() -> None:
    op.drop_index("ix_import_run_folder_hash", table_name="import_run")
    op.drop_index("ix_import_run_kind_at", table_name="import_run")
    op.drop_index("ix_import_run_at", table_name="import_run")
    op.drop_table("import_run")
    for name, table, group, column, _what in reversed(UNIQUE_KEYS):
        op.drop_index(name, table_name=table)
        if name in WERE_PLAIN:
            op.create_index(name, table, [sa.text(f"lower({column})")])
