"""Indexes on the allocation history's dates, so its last change is found in two lookups.

queries.staffing reads each case's lead from the case table on days after the history last
changed (the importers keep the two in step), and from the history only for earlier days; to
know which, it asks for the latest ``from_date`` and ``to_date``, which these indexes answer
without reading the table (530,000 spells at national size).

Revision ID: 0010
Revises: 0009
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0010"
down_revision: Union[str, None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("case_allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_allocation_from_date"), ["from_date"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_case_allocation_to_date"), ["to_date"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_allocation_to_date"))
        batch_op.drop_index(batch_op.f("ix_case_allocation_from_date"))
