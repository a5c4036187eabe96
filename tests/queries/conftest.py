"""The small council of tests/queries/council.py, built fresh for each test."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.queries.council import build


@pytest.fixture
def council(engine) -> dict[str, object]:
    with Session(engine, expire_on_commit=False) as session:
        return build(session)
