"""What chat recorded, marked so an import can leave it alone (issue #10: no lost writes).

`action.chat_changed_on`: the day chat last set the action's progress. `supervision.logged_in_chat`:
the session was recorded by `/supervision log`. Rows from before this revision are marked from
what they already show: an action completed in chat (it has `completed_by_id`) from its completion
date, one moved on by an `/actions update` note from that note's day, and a session whose kind is
"logged in chat", the kind chat has always given.

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ALTER TABLE on both stores (SQLite 3.35+ drops columns too): a batch rebuild on
    # SQLite would lose the expression indexes of revision 0002, which it cannot reflect.
    op.add_column("action", sa.Column("chat_changed_on", sa.Date(), nullable=True))
    op.add_column("supervision", sa.Column("logged_in_chat", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
    bind = op.get_bind()
    action = sa.table("action", sa.column("id", sa.Integer), sa.column("status", sa.String),
                      sa.column("completed_by_id", sa.Integer),
                      sa.column("completed_date", sa.Date),
                      sa.column("chat_changed_on", sa.Date))
    note = sa.table("action_update", sa.column("action_id", sa.Integer),
                    sa.column("at", sa.DateTime), sa.column("kind", sa.String))
    bind.execute(action.update().where(action.c.completed_by_id.is_not(None))
                 .values(chat_changed_on=action.c.completed_date))
    # A note's day in Python: SQLite and PostgreSQL take a timestamp's date differently.
    noted = bind.execute(sa.select(note.c.action_id, sa.func.max(note.c.at))
                         .where(note.c.kind == "update").group_by(note.c.action_id)).all()
    for action_id, at in noted:
        bind.execute(action.update()
                     .where(action.c.id == action_id, action.c.completed_by_id.is_(None),
                            action.c.status == "in_progress")
                     .values(chat_changed_on=at.date()))
    supervision = sa.table("supervision", sa.column("kind", sa.String),
                           sa.column("logged_in_chat", sa.Boolean))
    bind.execute(supervision.update().where(supervision.c.kind == "logged in chat")
                 .values(logged_in_chat=True))


def downgrade() -> None:
    op.drop_column("supervision", "logged_in_chat")
    op.drop_column("action", "chat_changed_on")
