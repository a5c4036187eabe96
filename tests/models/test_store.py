"""The store's promises: migrations build it, foreign keys hold, the audit log cannot be rewritten."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from models import AuditEntry, Case, Service, Team


def test_audit_log_refuses_update_and_delete(engine) -> None:
    with Session(engine) as session:
        session.add(AuditEntry(at=datetime.now(timezone.utc), front_end="cli", actor="SW1",
                               command="/caseload", outcome="answered"))
        session.commit()
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError):
            with engine.begin() as connection:
                connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT actor FROM audit_log")).scalar_one() == "SW1"


def test_foreign_keys_are_enforced(engine) -> None:
    with Session(engine) as session:
        session.add(Case(case_ref="CR-1", case_type="CP", team_id=999, start_date=date(2026, 1, 1)))
        with pytest.raises(IntegrityError):
            session.commit()


def test_team_names_are_unique(engine) -> None:
    with Session(engine) as session:
        service = Service(name="Safeguarding")
        session.add(service)
        session.flush()
        session.add(Team(name="Assessment", service_id=service.id))
        session.add(Team(name="Assessment", service_id=service.id))
        with pytest.raises(IntegrityError):
            session.commit()


def test_case_insensitive_lookups_have_expression_indexes(engine) -> None:
    expected = {"ix_staff_lower_email", "ix_staff_lower_staff_id", "ix_staff_lower_name",
                "ix_team_lower_name", "ix_action_lower_ref"}
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            names = connection.execute(text("SELECT indexname FROM pg_indexes")).scalars()
        else:
            names = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars()
        assert expected <= set(names)
