"""Delivery.first_claimed_at: where a retried delivery starts looking for its own earlier post.

Revision ID: 0005
Revises: 0002
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
    # Rows claimed before this revision: their latest claim is the best bound there is.
    op.execute("UPDATE delivery SET first_claimed_at = claimed_at")


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("first_claimed_at")
