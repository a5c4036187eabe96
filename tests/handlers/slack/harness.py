"""Serving the Slack front end for real in tests, and talking to it the way Slack does.

The ASGI app runs under uvicorn on a free loopback port in a background thread; requests are
signed with the signing secret exactly as Slack signs them (v0=HMAC-SHA256 of "v0:ts:body"); the
Web API and every response_url are the local FakeSlackApi, reached through SLACK_API_URL.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import select as sockets_ready
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from handlers.server import build_asgi_app
from models import AuditEntry
from tests.fakes.slack_api import RESPONSE_URL_METHOD, Call, FakeSlackApi

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-bot-token"
TODAY = date(2026, 3, 16)
ANSWER_TIMEOUT_SECONDS = 15.0
#: How long to wait before asserting that something did *not* happen.
SETTLE_SECONDS = 0.4
CHANNEL = ("C0GENERAL", "general")
DM = ("D0DIRECT", "directmessage")


def slack_settings(fake: FakeSlackApi, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"slack_bot_token": BOT_TOKEN,
                              "slack_signing_secret": SIGNING_SECRET, "slack_api_url": fake.url}
    return Settings(**{**values, **overrides})


def signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@contextmanager
def uvicorn_serving(asgi_app: Any, host: str = "127.0.0.1",
                    **config: Any) -> Iterator[str]:
    """Serve an ASGI app on `host` (default 127.0.0.1; a free port) until the block ends; yields
    its base URL. `config` goes to uvicorn.Config (e.g. forwarded_allow_ips="*").

    The tests and the benchmark (bench/serving.py) both serve through this.
    """
    # IPPROTO_TCP, as uvicorn.run's own socket has: asyncio sets TCP_NODELAY only on sockets
    # whose proto says TCP, and without it every response with a body (headers, then body: two
    # writes) waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(asgi_app, log_level="warning", lifespan="on",
                                           access_log=False, **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()


@dataclass(frozen=True)
class Streamed:
    """What a streaming sender saw: the server's status line, and how much it got to send."""

    status: int | None
    bytes_sent: int


def receive_some(sock: socket.socket) -> bytes:
    """What has arrived (b"" at the end of the stream, or when the connection was reset)."""
    try:
        return sock.recv(65536)
    except (BlockingIOError, ConnectionResetError):
        return b""


def stream_chunked(base_url: str, path: str, total_bytes: int,
                   headers: dict[str, str] | None = None, chunk_bytes: int = 64 * 1024,
                   give_up_seconds: float = 60.0) -> Streamed:
    """POST `total_bytes` with Transfer-Encoding: chunked (no Content-Length), as a client that
    streams would, stopping as soon as the server answers: the server refusing early shows as
    `bytes_sent` well short of `total_bytes`. (`give_up_seconds` only ends a hung exchange.)"""
    host, port = base_url.removeprefix("http://").split(":")
    head = [f"POST {path} HTTP/1.1", f"Host: {host}", "Transfer-Encoding: chunked",
            "Content-Type: application/json",
            *(f"{name}: {value}" for name, value in (headers or {}).items())]
    frame = b"%x\r\n" % chunk_bytes + b"a" * chunk_bytes + b"\r\n"
    sent, pending, answer = 0, b"", b""
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        sock.setblocking(False)
        finished = False
        while b"\r\n" not in answer:
            writers = [sock] if pending or not finished else []
            readable, writable, _ = sockets_ready.select([sock], writers, [], give_up_seconds)
            if not readable and not writable:
                break
            if readable:
                data = receive_some(sock)
                answer += data
                if not data:
                    break
                continue
            if not pending:
                pending = frame if sent < total_bytes else b"0\r\n\r\n"
                finished = sent >= total_bytes
            try:
                written = sock.send(pending)
            except OSError:  # the server closed on us: its answer may already be waiting
                answer += receive_some(sock)
                break
            pending = pending[written:]
            sent += written
    status_line = answer.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else None
    return Streamed(status=status, bytes_sent=sent)


@dataclass
class ServedSlack:
    """The app under test, and Slack's side of the conversation."""

    base_url: str
    fake: FakeSlackApi
    http: httpx.Client
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # --- raw, signed requests ----------------------------------------------------------------

    def post(self, body: bytes, content_type: str, *, timestamp: str | None = None,
             secret: str = SIGNING_SECRET, sign: bool = True,
             headers: dict[str, str] | None = None) -> httpx.Response:
        stamp = timestamp or str(int(time.time()))
        sent = {"Content-Type": content_type, **(headers or {})}
        if sign:
            sent["X-Slack-Request-Timestamp"] = stamp
            sent["X-Slack-Signature"] = signature(body, stamp, secret)
        return self.http.post(f"{self.base_url}/slack/events", content=body, headers=sent)

    def post_form(self, fields: dict[str, str], **options: Any) -> httpx.Response:
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded",
                         **options)

    # --- slash commands ----------------------------------------------------------------------

    def command_body(self, user_id: str, command: str, text: str = "",
                     channel: tuple[str, str] = CHANNEL) -> tuple[dict[str, str], str]:
        number = next(self._ids)
        path = f"commands/{number}"
        return {
            "token": "legacy-verification-token",
            "team_id": "T0TEST",
            "team_domain": "test-council",
            "channel_id": channel[0],
            "channel_name": channel[1],
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0CASELOAD",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(path),
            "trigger_id": f"trigger.{number}",
        }, path

    def send_command(self, user_id: str, command: str, text: str = "",
                     channel: tuple[str, str] = CHANNEL) -> tuple[httpx.Response, str]:
        fields, path = self.command_body(user_id, command, text, channel)
        return self.post_form(fields), path

    def answer_at(self, path: str, timeout: float = ANSWER_TIMEOUT_SECONDS) -> Call:
        return self.fake.wait_for(RESPONSE_URL_METHOD, timeout=timeout,
                                  where=lambda call: call.path.endswith(f"/{path}"))[0]

    def ask(self, user_id: str, command: str, text: str = "",
            channel: tuple[str, str] = CHANNEL) -> Call:
        """A slash command, acked 200, then its answer as posted to the response_url."""
        response, path = self.send_command(user_id, command, text, channel)
        assert response.status_code == 200, response.text
        return self.answer_at(path)

    # --- events and interactions -------------------------------------------------------------

    def send_event(self, event: dict[str, Any], event_id: str | None = None) -> httpx.Response:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": "T0TEST",
            "api_app_id": "A0CASELOAD",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "event": event,
        }
        return self.post(json.dumps(envelope).encode(), "application/json")

    def send_dm(self, user_id: str, text: str, channel: str = "D0DIRECT") -> httpx.Response:
        return self.send_event({"type": "message", "channel_type": "im", "channel": channel,
                                "user": user_id, "text": text, "ts": f"{time.time():.6f}"})

    def send_interaction(self, payload: dict[str, Any]) -> httpx.Response:
        return self.post_form({"payload": json.dumps(payload)})


def answer_text(call: Call) -> str:
    """Everything a person would read in an answer: the fallback and every block's text."""
    return json.dumps(call.body, ensure_ascii=False)


def audit_entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)).all())


def web_api_calls(fake: FakeSlackApi) -> list[Call]:
    """Calls a listener could have made (auth.test at start-up is the app's own)."""
    return [call for call in fake.calls if call.method != "auth.test"]


@contextmanager
def served_slack(
    engine: Engine, fake: FakeSlackApi, *, today: Callable[[], date] = lambda: TODAY,
    **settings_overrides: Any,
) -> Iterator[ServedSlack]:
    settings = slack_settings(fake, **settings_overrides)
    asgi_app = build_asgi_app(settings, engine, today=today, teams=False)
    with uvicorn_serving(asgi_app) as base_url, httpx.Client(timeout=30) as http:
        yield ServedSlack(base_url=base_url, fake=fake, http=http)
