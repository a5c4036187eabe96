"""Tamper-evident audit log: a hash chain over audit_log, its head, and the triggers that keep it.

Existing entries are chained in the order they were written (by id), so a store upgraded from
0002 verifies like a new one. SQLite also gets a BEFORE INSERT trigger that refuses an entry whose
id or seq already exists: `REPLACE INTO audit_log` deletes the old row without firing the DELETE
trigger (SQLite fires it only with recursive_triggers on), so this is the trigger that stops it,
whatever connection tries. APScheduler's job table is created here too (APScheduler creates it
only if missing), so the owner makes it and `bot.py db grant` can grant it to the bot's role.

Revision ID: 0004
Revises: 0002
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

from models.audit import GENESIS_HASH
from models.audit_chain import POSTGRES_HASH_FUNCTION, entry_hash

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: Rows chained per round trip: the migration's memory stays flat however long the log.
BATCH = 5000

SQLITE_APPEND_ONLY = [  # as 0001: the table rebuild below drops them with the old table
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
]
SQLITE_CHAIN = [
    """CREATE TRIGGER audit_log_chain_check BEFORE INSERT ON audit_log
       BEGIN
         SELECT RAISE(ABORT, 'audit_log is append-only: that entry exists (REPLACE refused)')
          WHERE EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR seq = NEW.seq);
         SELECT RAISE(ABORT, 'audit_log entry does not follow the chain head')
          WHERE NOT EXISTS (SELECT 1 FROM audit_chain_head WHERE id = 1
                            AND last_seq + 1 = NEW.seq AND last_hash = NEW.prev_hash);
       END""",
    """CREATE TRIGGER audit_log_chain_advance AFTER INSERT ON audit_log
       BEGIN
         UPDATE audit_chain_head SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = 1;
       END""",
]
SQLITE_HEAD_KEPT = [  # the head row itself may move on, never go away or be replaced
    """CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
       BEGIN SELECT RAISE(ABORT, 'audit_chain_head is kept'); END""",
]
POSTGRES_CHAIN = [
    POSTGRES_HASH_FUNCTION,
    """CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger AS $$
       DECLARE head audit_chain_head%ROWTYPE;
       BEGIN
         SELECT * INTO head FROM audit_chain_head WHERE id = 1 FOR UPDATE;
         IF NOT FOUND THEN RAISE EXCEPTION 'audit_chain_head has no row'; END IF;
         NEW.seq := head.last_seq + 1;
         NEW.prev_hash := head.last_hash;
         NEW.hash := audit_entry_hash(NEW.seq, NEW.at, NEW.front_end, NEW.actor, NEW.command,
                                      NEW.scope, NEW.outcome, NEW.detail, NEW.prev_hash);
         UPDATE audit_chain_head SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = 1;
         RETURN NEW;
       END $$ LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT""",
    """CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_chain()""",
    """CREATE OR REPLACE FUNCTION audit_chain_head_kept() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_chain_head is kept'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
       FOR EACH ROW EXECUTE FUNCTION audit_chain_head_kept()""",
    """CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
       FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_kept()""",
]

_audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()), sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("front_end", sa.String()), sa.column("actor", sa.String()),
    sa.column("command", sa.String()), sa.column("scope", sa.String()),
    sa.column("outcome", sa.String()), sa.column("detail", sa.String()),
    sa.column("seq", sa.BigInteger()), sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _chain_existing_entries() -> tuple[int, str]:
    """Chain the entries already written, oldest id first; return the new head."""
    bind = op.get_bind()
    t = _audit_log
    seq, prev_hash, after_id = 0, GENESIS_HASH, 0
    while True:
        rows = bind.execute(
            sa.select(t.c.id, t.c.at, t.c.front_end, t.c.actor, t.c.command, t.c.scope,
                      t.c.outcome, t.c.detail).where(t.c.id > after_id).order_by(t.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return seq, prev_hash
        updates = []
        for row in rows:
            seq += 1
            digest = entry_hash(seq, row.at, row.front_end, row.actor, row.command, row.scope,
                                row.outcome, row.detail, prev_hash)
            updates.append({"row_id": row.id, "seq": seq, "prev_hash": prev_hash, "hash": digest})
            prev_hash, after_id = digest, row.id
        bind.execute(
            t.update().where(t.c.id == sa.bindparam("row_id"))
            .values(seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev_hash"),
                    hash=sa.bindparam("hash")),
            updates,
        )


def _create_scheduler_table() -> None:
    """APScheduler 3's own job table, made by the owner here; APScheduler skips it if present."""
    jobs = sa.Table(
        "apscheduler_jobs", sa.MetaData(),
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25), index=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
    )
    jobs.create(op.get_bind(), checkfirst=True)


def upgrade() -> None:
    sqlite = _is_sqlite()
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    else:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
    op.add_column("audit_log", sa.Column("seq", sa.BigInteger(), nullable=True))
    op.add_column("audit_log", sa.Column(
        "prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column("audit_log", sa.Column(
        "hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    last_seq, last_hash = _chain_existing_entries()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for column in ("seq", "prev_hash", "hash"):
            batch_op.alter_column(column, nullable=False)
        batch_op.create_index(batch_op.f("ix_audit_log_seq"), ["seq"], unique=True)

    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.get_bind().execute(
        sa.text("INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, :seq, :hash)"),
        {"seq": last_seq, "hash": last_hash},
    )
    if sqlite:
        for statement in SQLITE_APPEND_ONLY + SQLITE_CHAIN + SQLITE_HEAD_KEPT:
            op.execute(statement)
    else:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")
        for statement in POSTGRES_CHAIN:
            op.execute(statement)
    _create_scheduler_table()


def downgrade() -> None:
    """Back to 0002's log: the chain columns and head go; the entries themselves stay."""
    sqlite = _is_sqlite()
    if sqlite:
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_chain_check",
                     "audit_log_chain_advance", "audit_chain_head_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_chain ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_chain()")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_hash(bigint, timestamptz, text, text, "
                   "text, text, text, text, text)")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head_kept() CASCADE")
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_seq"))
        for column in ("hash", "prev_hash", "seq"):
            batch_op.drop_column(column)
    if sqlite:
        for statement in SQLITE_APPEND_ONLY:
            op.execute(statement)
