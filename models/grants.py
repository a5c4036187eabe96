"""`bot.py db grant ROLE`: the least-privilege PostgreSQL role the bot runs as (SPEC section 8).

The migrations run as the tables' owner (`MIGRATION_DATABASE_URL`); the bot connects as another
role (`DATABASE_URL`) that owns nothing, so it cannot `ALTER TABLE … DISABLE TRIGGER`, drop a
trigger or truncate — only the owner or a superuser can — and it may only read and append the
audit log. Its grants, from the models so a table a later migration adds is covered:
- CONNECT on the database, USAGE on the schema;
- SELECT, INSERT, UPDATE, DELETE on every table of the app and on APScheduler's job table;
- SELECT, INSERT only on `audit_log`; SELECT only on `audit_chain_head` (the chain trigger moves
  it as the owner) and on `alembic_version` (so start-up can see the store is at head);
- USAGE, SELECT on the schema's sequences (ids).
The role itself is made by whoever runs the database (it needs a password), not here. Grants are
additive: re-run after `db upgrade` when a migration adds a table.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from models.migrate import FOREIGN_TABLES

ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
APPEND_ONLY = {"audit_log": "SELECT, INSERT", "audit_chain_head": "SELECT",
               "alembic_version": "SELECT"}
READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_statements(role: str, database: str, schema: str = "public") -> list[str]:
    """The SQL that makes `role` the bot's least-privilege role (module docstring)."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"'{role}' is not a plain role name (letters, digits, underscore)")
    who, where = _quote(role), _quote(schema)
    tables = sorted(set(SQLModel.metadata.tables) | FOREIGN_TABLES | set(APPEND_ONLY))
    statements = [
        f"GRANT CONNECT ON DATABASE {_quote(database)} TO {who}",
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        # A grant adds; take back anything broader on the append-only tables first.
        *(f"REVOKE ALL ON {where}.{_quote(table)} FROM {who}" for table in sorted(APPEND_ONLY)),
    ]
    statements += [f"GRANT {APPEND_ONLY.get(table, READ_WRITE)} ON {where}.{_quote(table)} "
                   f"TO {who}" for table in tables]
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}")
    return statements


def database_name(url: str) -> str:
    return make_url(url).database or ""


def apply_grants(engine: Engine, role: str, schema: str = "public") -> list[str]:
    """Run the grants as the owner, in one transaction; refuse a role that does not exist."""
    with engine.begin() as connection:
        found = connection.execute(
            text("SELECT rolsuper, rolbypassrls, EXISTS (SELECT 1 FROM pg_tables "
                 "WHERE tablename = 'audit_log' AND tableowner = :role) AS owns_audit "
                 "FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
        if found is None:
            raise LookupError(f"role '{role}' does not exist: create it first, e.g. "
                              f"CREATE ROLE {role} LOGIN PASSWORD '…'")
        if found.rolsuper or found.owns_audit:
            raise ValueError(f"role '{role}' is a superuser or owns the tables, so it could "
                             f"switch the audit triggers off: use a role of its own")
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        statements = grant_statements(role, database, schema)
        for statement in statements:
            connection.execute(text(statement))
    return statements
