"""The small council of `query_council` (tests/builders.py), built fresh for each test."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.builders import query_council


@pytest.fixture
def council(engine) -> dict[str, object]:
    with Session(engine, expire_on_commit=False) as session:
        return query_council(session)
