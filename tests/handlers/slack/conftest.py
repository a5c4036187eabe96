"""Fixtures: the fake Slack Web API, a seeded council, and the app served over real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.builders import Council, small_council
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.harness import TODAY, ServedSlack, served_slack


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def council(engine: Engine) -> Council:
    with Session(engine, expire_on_commit=False) as session:
        return small_council(session, TODAY)


@pytest.fixture
def slack(engine: Engine, fake_slack: FakeSlackApi, council: Council) -> Iterator[ServedSlack]:
    """The Slack front end served by uvicorn on loopback, against the seeded council."""
    with served_slack(engine, fake_slack) as served:
        yield served


@pytest.fixture(scope="module")
def module_fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def module_slack(migrated_engine: Engine, module_fake_slack: FakeSlackApi) -> Iterator[ServedSlack]:
    """One server for a whole module of read-mostly tests (each test still re-seeds the store
    through `council`), so a long table of commands runs quickly."""
    with served_slack(migrated_engine, module_fake_slack) as served:
        yield served


@pytest.fixture
def seeded_slack(module_slack: ServedSlack, council: Council) -> ServedSlack:
    return module_slack


@pytest.fixture(scope="module", autouse=True)
def no_threads_left_behind() -> Iterator[None]:
    """Every server, listener pool and socket this module started is stopped by its end."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 10
    while True:
        left = [thread for thread in threading.enumerate()
                if thread not in before and thread.is_alive()]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"threads left running: {[thread.name for thread in left]}"
