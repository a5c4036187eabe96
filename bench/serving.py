"""The served app, and Slack's side of it, for the benchmark.

The real ASGI app (`handlers.server.build_asgi_app`) runs under uvicorn on a free loopback port in
a thread of this process. Requests are signed as Slack signs them. Answers go to response_urls on
the fake Slack Web API (`tests.fakes.slack_api.FakeSlackApi`), which runs in a process of its own
and speaks HTTPS with a certificate from the run's throw-away CA (bench/run.py makes it and
points SSL_CERT_FILE at it), so every reply pays TLS as it does against Slack, and the server's
side of each handshake is not charged to the app's CPU. It also serves plain HTTP on a second
port, for the secondary rows. Each answer's arrival is passed back over a pipe and stamped here,
so a command is timed from the request sent to the answer received.

Three bench-only slash commands are added to the returned Bolt App (nothing in handlers/ changes):
- FLOOR_COMMAND is never registered: Bolt verifies the signature, finds no listener and answers
  404 at once. That is the framework floor: HTTP, uvicorn, Starlette, the thread hop, Bolt's
  middleware, and no listener.
- NOOP_COMMAND is registered with an ack and nothing else: what Bolt's listener runner costs.
- ECHO_COMMAND acks and answers a fixed message through the response_url with a lazy listener,
  exactly as the real commands do: the floor of an answer that takes the lazy path.
- ECHO_PER_REPLY_COMMAND does the same with the reply code as it was before the shared transport
  (a new slack_sdk WebhookClient per reply: a new TLS context and a new connection each time),
  so before and after are measured in one run.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import logging
import multiprocessing
import os
import ssl
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_bolt import Ack, App
from sqlalchemy.engine import Engine

from config import Settings
from handlers.server import SLACK_EVENTS_PATH, build_asgi_app
from handlers.slack.commands import reply
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from tests.fakes.slack_api import RESPONSE_URL_METHOD, Call, FakeSlackApi
from tests.fakes.tls import ThrowAwayCA
from tests.handlers.slack.harness import uvicorn_serving

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-bot-token"
FLOOR_COMMAND = "/bench-floor"
NOOP_COMMAND = "/bench-noop"
ECHO_COMMAND = "/bench-echo"
ECHO_PER_REPLY_COMMAND = "/bench-echo-per-reply"
#: Set when a per-reply (before) reply's listener has finished, its client and TLS context freed:
#: the timing rounds wait for it, so freeing that context is not charged to the next probe.
PER_REPLY_DONE = threading.Event()
#: Where bench/run.py leaves the run's throw-away CA (the fake's certificate and key beside it).
CA_DIRECTORY_ENV = "BENCH_CA_DIR"
ANSWER_TIMEOUT_SECONDS = 30.0
UNAVAILABLE_WORDS = "try again shortly"
#: The bot answers only its own workspace: the one the fake Slack's auth.test reports.
BENCH_TEAM_ID = "T0BENCH"


class ResponseWaiters:
    """Who waits for which response_url path: the measuring side registers a path before it
    sends a command and is woken (with the body and its arrival time) when the reply lands."""

    def _init_waiters(self) -> None:
        self._waiting: dict[str, tuple[threading.Event, list[Any]]] = {}
        self._waiting_lock = threading.Lock()

    def expect(self, path: str) -> tuple[threading.Event, list[Any]]:
        slot: tuple[threading.Event, list[Any]] = (threading.Event(), [])
        with self._waiting_lock:
            self._waiting[f"/response/{path}"] = slot
        return slot

    def forget(self, path: str) -> None:
        with self._waiting_lock:
            self._waiting.pop(f"/response/{path}", None)


class TimedFakeSlack(ResponseWaiters, FakeSlackApi):
    """The fake Slack Web API, noting when each response_url answer arrives (and keeping only
    the answers somebody is waiting for, so a long run does not grow a list of every call)."""

    def __init__(self, tls: ThrowAwayCA | None = None,
                 notify: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        super().__init__(tls)
        self._notify = notify
        # socketserver listens with a backlog of 5: twenty askers' replies overflow it and
        # Linux resets the connection (the webhook client then retries). Slack would not.
        self._server.socket.listen(128)
        self.respond_with("auth.test", {"ok": True, "team_id": BENCH_TEAM_ID, "user_id": "UBOT",
                                        "bot_id": "BBOT", "team": "Bench council"})
        self._init_waiters()

    def _handler_class(self) -> Any:
        handler = super()._handler_class()
        # Headers and body are two writes: with Nagle on, the body waits for the client's
        # delayed ACK (40 ms on Linux loopback), which real Slack would not add.
        handler.disable_nagle_algorithm = True
        return handler

    def _record(self, call: Call) -> None:
        if call.method != RESPONSE_URL_METHOD:
            super()._record(call)
            return
        if self._notify is not None:  # in its own process: the bench process stamps the arrival
            self._notify(call.path, call.body)
            return
        arrived = time.perf_counter()
        with self._waiting_lock:
            slot = self._waiting.pop(call.path, None)
        if slot is not None:
            slot[1].extend((arrived, call.body))
            slot[0].set()


def _fake_process(ca_directory: str | None, pipe: Connection) -> None:
    """The fake Slack's process: HTTPS (the run's CA) and HTTP servers until told to stop."""
    lock = threading.Lock()

    def notify(path: str, body: dict[str, Any]) -> None:
        with lock:
            pipe.send((path, body))

    tls = ThrowAwayCA.from_directory(Path(ca_directory)) if ca_directory else None
    secure, plain = TimedFakeSlack(tls, notify), TimedFakeSlack(None, notify)
    for fake in (secure, plain):
        fake.respond_with("bench.counts", lambda _call, fake=fake: {
            "ok": True, "connections": fake.connections, "handshakes": fake.handshakes})
    with secure, plain:
        pipe.send((secure.base, plain.base))
        while True:  # the bench process closes its end (or sends None) to stop us
            try:
                if pipe.recv() is None:
                    break
            except EOFError:
                break


class FakeSlackProcess(ResponseWaiters):
    """The fake Slack in a process of its own; answers' arrivals stamped in this one."""

    def __init__(self, ca_directory: str | None) -> None:
        spawn = multiprocessing.get_context("spawn")
        self._pipe, child = spawn.Pipe()
        self._process = spawn.Process(target=_fake_process, args=(ca_directory, child),
                                      name="bench-fake-slack", daemon=True)
        self._process.start()
        child.close()
        self.secure_base, self.plain_base = self._pipe.recv()
        self._init_waiters()
        self._reader = threading.Thread(target=self._read, name="bench-fake-reader", daemon=True)
        self._reader.start()

    @property
    def base(self) -> str:
        return self.secure_base

    @property
    def url(self) -> str:
        return f"{self.secure_base}/api/"

    def response_url(self, path: str, secure: bool = True) -> str:
        return f"{self.secure_base if secure else self.plain_base}/response/{path}"

    def _read(self) -> None:
        while True:
            try:
                path, body = self._pipe.recv()
            except (EOFError, OSError):
                return
            arrived = time.perf_counter()
            with self._waiting_lock:
                slot = self._waiting.pop(path, None)
            if slot is not None:
                slot[1].extend((arrived, body))
                slot[0].set()

    def counts(self, secure: bool = True) -> dict[str, int]:
        """TCP connections and TLS handshakes the fake has served so far."""
        base = self.secure_base if secure else self.plain_base
        found = httpx.get(f"{base}/api/bench.counts", verify=ssl.create_default_context()).json()
        return {"connections": found["connections"], "handshakes": found["handshakes"]}

    def stop(self) -> None:
        try:
            self._pipe.send(None)
        except OSError:
            pass
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
        self._pipe.close()


def signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class DropUnhandledNotice(logging.Filter):
    """Bolt warns, with a code sample, for every request no listener handles: the floor is that
    request, sent hundreds of times, so the notice is dropped (it is still formatted)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Unhandled request" not in record.getMessage()


def add_bench_listeners(slack_app: App) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def echo(body: dict[str, Any]) -> None:
        reply(str(body.get("response_url") or ""),
              {"text": "bench echo", "blocks": []})  # type: ignore[typeddict-item]

    def send_per_reply(response_url: str) -> None:
        """The reply as handlers/slack/commands.reply sent it before the shared transport."""
        webhook = WebhookClient(response_url, timeout=15,
                                retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2),
                                                ConnectionErrorRetryHandler(max_retry_count=2)])
        webhook.send_dict({"text": "bench echo", "blocks": [], "response_type": "ephemeral",
                           "replace_original": False})

    def echo_per_reply(body: dict[str, Any]) -> None:
        send_per_reply(str(body.get("response_url") or ""))  # its client freed on return
        PER_REPLY_DONE.set()

    slack_app.command(NOOP_COMMAND)(acknowledge)
    slack_app.command(ECHO_COMMAND)(ack=acknowledge, lazy=[echo])
    slack_app.command(ECHO_PER_REPLY_COMMAND)(ack=acknowledge, lazy=[echo_per_reply])
    logging.getLogger("slack_bolt.caseload").addFilter(DropUnhandledNotice())


@dataclass(frozen=True)
class Timed:
    """One call: seconds from the request sent to the answer received, and whether it was good."""

    seconds: float
    ok: bool
    status: int
    error: str = ""


@dataclass
class SlackAsker:
    """Sends signed slash commands to the served app and waits for their answers."""

    base_url: str
    fake: FakeSlackProcess
    http: httpx.Client
    ids: Iterator[int]

    def _form(self, user_id: str, command: str, text: str, path: str,
              secure: bool = True) -> bytes:
        return urlencode({
            "token": "legacy-verification-token", "team_id": BENCH_TEAM_ID,
            "team_domain": "bench-council", "channel_id": "C0BENCH", "channel_name": "bench",
            "user_id": user_id, "user_name": user_id.lower(), "command": command, "text": text,
            "api_app_id": "A0CASELOAD", "is_enterprise_install": "false",
            "response_url": self.fake.response_url(path, secure),
            "trigger_id": f"trigger.{path}",
        }).encode()

    def call(self, user_id: str, command: str, text: str = "", *, answered: bool = True,
             secure: bool = True) -> tuple[Timed, dict[str, Any] | None]:
        """One command. `answered`: wait for the response_url answer (else the HTTP response is
        the answer, as for the floor and the do-nothing command). `secure`: the response_url is
        the fake's HTTPS one (else its plain HTTP one)."""
        path = f"bench/{next(self.ids)}"
        body = self._form(user_id, command, text, path, secure)
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Slack-Request-Timestamp": stamp,
                   "X-Slack-Signature": signature(body, stamp)}
        slot = self.fake.expect(path) if answered else None
        started = time.perf_counter()
        try:
            response = self.http.post(f"{self.base_url}{SLACK_EVENTS_PATH}", content=body,
                                      headers=headers)
        except httpx.HTTPError as error:
            self.fake.forget(path)
            return Timed(time.perf_counter() - started, False, 0, type(error).__name__), None
        if slot is None:
            return Timed(time.perf_counter() - started, True, response.status_code), None
        if response.status_code != 200:
            self.fake.forget(path)
            return Timed(time.perf_counter() - started, False, response.status_code,
                         f"HTTP {response.status_code}"), None
        if not slot[0].wait(ANSWER_TIMEOUT_SECONDS):
            self.fake.forget(path)
            return Timed(time.perf_counter() - started, False, 200, "no answer"), None
        arrived, answer = slot[1]
        unavailable = UNAVAILABLE_WORDS in str(answer.get("text", "")).lower()
        return (Timed(arrived - started, not unavailable, 200,
                      "unavailable" if unavailable else ""), answer)


@dataclass
class Served:
    base_url: str
    fake: FakeSlackProcess
    slack_app: App
    _ids: Iterator[int]

    def asker(self, http: httpx.Client) -> SlackAsker:
        return SlackAsker(self.base_url, self.fake, http, self._ids)


@contextmanager
def served_app(engine: Engine, today: Callable[[], date]) -> Iterator[Served]:
    """The real app (Slack over HTTP, Teams off) with the bench listeners, on loopback; the fake
    Slack in its own process, over HTTPS when the run made a CA (BENCH_CA_DIR)."""
    fake = FakeSlackProcess(os.environ.get(CA_DIRECTORY_ENV))
    try:
        settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                            slack_api_url=fake.url)  # type: ignore[call-arg]
        web = build_asgi_app(settings, engine, today=today, teams=False)
        add_bench_listeners(web.state.slack_app)
        with uvicorn_serving(web) as base_url:
            # itertools.count's next() is atomic (one C call): safe across the load's threads
            yield Served(base_url, fake, web.state.slack_app, itertools.count(1))
    finally:
        fake.stop()
