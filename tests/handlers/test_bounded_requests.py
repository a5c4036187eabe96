"""SPEC section 8, "Bounded": a request body over the limit (1 MB) is refused with 413 before it
is read, whatever its transfer encoding, on every route (Slack's and Teams').

A chunked body declares no length, so the refusal must come from counting bytes as they arrive.
The server runs in this process, so its peak memory is this process's (VmHWM, reset first).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from config import Settings
from handlers.server import build_asgi_app
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.harness import slack_settings, stream_chunked, uvicorn_serving

LIMIT_BYTES = Settings().max_request_body_bytes
STREAMED_BYTES = 48 * 1024 * 1024
#: Room for the 1 MB kept, the sockets' buffers and the interpreter's own noise: far below the
#: 48 MB streamed (reading it whole costs twice that).
PEAK_GROWTH_ALLOWED_BYTES = 16 * 1024 * 1024
#: A bogus but well-formed signature: the body must be refused for its size, not its signature.
SIGNED_LOOKING = {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": "v0=00"}


def peak_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc/self/status")


def reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from VmRSS


@pytest.fixture(scope="module")
def served(migrated_engine: Engine) -> Iterator[dict[str, str]]:
    """The Slack route (HTTP mode) and the Teams route (anonymous local mode), each served."""
    with FakeSlackApi() as fake, \
            uvicorn_serving(build_asgi_app(slack_settings(fake), migrated_engine,
                                           teams=False)) as slack_url, \
            uvicorn_serving(build_asgi_app(Settings(), migrated_engine)) as teams_url:
        yield {"/slack/events": slack_url, "/api/messages": teams_url}


@pytest.mark.parametrize("path", ["/slack/events", "/api/messages"])
def test_a_chunked_body_over_the_limit_is_refused_while_it_is_read(
        served: dict[str, str], path: str) -> None:
    reset_peak_rss()
    before = peak_rss_bytes()
    streamed = stream_chunked(served[path], path, STREAMED_BYTES, SIGNED_LOOKING)
    assert streamed.status == 413
    assert streamed.bytes_sent < STREAMED_BYTES // 4  # refused, not read to the end
    assert peak_rss_bytes() - before < PEAK_GROWTH_ALLOWED_BYTES


@pytest.mark.parametrize("path", ["/slack/events", "/api/messages"])
def test_a_declared_length_over_the_limit_is_refused_unread(served: dict[str, str],
                                                             path: str) -> None:
    response = httpx.post(f"{served[path]}{path}", content=b"a" * (LIMIT_BYTES + 1),
                          headers=SIGNED_LOOKING, timeout=30)
    assert response.status_code == 413


def test_a_body_within_the_limit_still_reaches_the_route(served: dict[str, str]) -> None:
    response = httpx.post(f"{served['/slack/events']}/slack/events",
                          content=b"a" * LIMIT_BYTES, headers=SIGNED_LOOKING, timeout=30)
    assert response.status_code == 401  # the signature check ran: the body was passed on
