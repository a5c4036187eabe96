"""The migrations and the models agree: autogenerate finds nothing left to migrate."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401
from models.migrate import include_object


# SQLite cannot reflect expression indexes (lower(email)…): they are checked in test_store.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_and_migrations_agree(engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_object": include_object}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_keys_that_differ_only_in_case_stop_the_upgrade_listing_every_clash(engine) -> None:
    """Migration 0006 will not guess which of two spellings of one key is right."""
    from datetime import date

    from sqlalchemy import text

    from models.migrate import downgrade, upgrade

    downgrade(engine, "0002")
    try:
        with engine.begin() as connection:
            for staff_id, email in (("SW0001", "a@x.org"), ("sw0001", "A@X.org"),
                                    ("SW0002", "b@x.org")):
                connection.execute(text(
                    "INSERT INTO staff (staff_id, name, email, role, fte, agency, start_date) "
                    "VALUES (:id, 'Someone', :email, 'social_worker', 1.0, false, :start)"),
                    {"id": staff_id, "email": email, "start": date(2020, 1, 1)})
        with pytest.raises(Exception) as refused:
            upgrade(engine)
        message = str(refused.value)
        assert "staff id: 'SW0001' / 'sw0001'" in message
        assert "e-mail: 'A@X.org' / 'a@x.org'" in message
        assert "SW0002" not in message
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM staff")).scalar_one() == 3
            assert connection.execute(text("SELECT version_num FROM alembic_version")
                                      ).scalar_one() == "0002"
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM staff"))
        upgrade(engine)
