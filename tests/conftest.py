"""Shared fixtures: a migrated store (SQLite or PostgreSQL), emptied before each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings
from models.migrate import upgrade
from models.store import make_engine
from tests.database import reset_schema, test_database_url, wipe


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return test_database_url(Path(tmp_path_factory.mktemp("store")))


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    reset_schema(engine)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """The store, empty: every test starts from nothing and builds what it needs."""
    wipe(migrated_engine)
    return migrated_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def settings() -> Settings:
    """SPEC defaults, whatever the developer's environment or .env says."""
    return Settings()
