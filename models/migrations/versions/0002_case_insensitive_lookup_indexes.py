"""Expression indexes for the case-insensitive lookups (lower(column)) the queries make.

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = (
    ("ix_staff_lower_email", "staff", "email"),
    ("ix_staff_lower_staff_id", "staff", "staff_id"),
    ("ix_staff_lower_name", "staff", "name"),
    ("ix_team_lower_name", "team", "name"),
    ("ix_action_lower_ref", "action", "ref"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [sa.text(f"lower({column})")])


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
