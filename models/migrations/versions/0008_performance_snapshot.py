"""The daily performance snapshot (SPEC section 11): figures history cannot rebuild; and the
short-lived report links Teams users get their report PDF through.

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
# The brief said "0002"; this branch already has 0004 on 0002, so 0008 follows it (one head).
down_revision: Union[str, None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "performance_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("overdue_visits", sa.Integer(), nullable=False),
        sa.Column("supervision_people", sa.Integer(), nullable=False),
        sa.Column("supervision_on_time", sa.Integer(), nullable=False),
        sa.Column("nqsw_breaches", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "service_id", name="uq_performance_snapshot_day"),
    )
    with op.batch_alter_table("performance_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_performance_snapshot_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_performance_snapshot_service_id"), ["service_id"],
                              unique=False)
    op.create_table(
        "report_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("staff_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    with op.batch_alter_table("report_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_link_expires_at"), ["expires_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_link_expires_at"))
    op.drop_table("report_link")
    with op.batch_alter_table("performance_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_performance_snapshot_service_id"))
        batch_op.drop_index(batch_op.f("ix_performance_snapshot_day"))
    op.drop_table("performance_snapshot")
