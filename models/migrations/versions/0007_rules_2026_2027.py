"""The rules of 2026-2027 (issue #13): early career programme, agency rules, Social Work England
CPD on staff; family and placement type on cases. Every column is optional (nullable), so a
council that imports none of them keeps the answers it had.

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: Union[str, None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STAFF_COLUMNS = (
    ("early_career_programme", sqlmodel.sql.sqltypes.AutoString(length=10)),
    ("qualified_date", sa.Date()),
    ("agency_reference", sa.Boolean()),
    ("agency_notice_weeks", sa.Integer()),
    ("agency_hourly_rate", sa.Float()),
    ("left_permanent_post", sa.Date()),
    ("agency_exception_approved_by", sqlmodel.sql.sqltypes.AutoString(length=200)),
    ("cpd_records", sa.Integer()),
    ("cpd_peer_reflection", sa.Boolean()),
)
CASE_COLUMNS = (
    ("family_id", sqlmodel.sql.sqltypes.AutoString(length=60)),
    ("placement_type", sqlmodel.sql.sqltypes.AutoString(length=40)),
)


def upgrade() -> None:
    # Plain ALTER TABLE, not batch mode: on SQLite batch mode may rebuild the table, and a
    # rebuild silently drops the expression indexes (lower(case_ref), lower(staff_id), …) that
    # make identifiers one key whatever their case.
    for name, kind in STAFF_COLUMNS:
        op.add_column("staff", sa.Column(name, kind, nullable=True))
    for name, kind in CASE_COLUMNS:
        op.add_column("cases", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for name, _kind in reversed(CASE_COLUMNS):
        op.drop_column("cases", name)
    for name, _kind in reversed(STAFF_COLUMNS):
        op.drop_column("staff", name)
