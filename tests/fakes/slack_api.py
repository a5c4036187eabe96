"""A local Slack Web API that records every call, the way slackapi/bolt-python's tests mock Slack.

Point the app at it with ``SLACK_API_URL=server.url``. It answers the Web API methods the bot uses
with ``{"ok": true, ...}``, accepts file uploads at the upload URL it hands out, and accepts
response_url posts at ``server.response_url(path)``. It can be told to fail: ``fail_next(method,
429, times=1, retry_after=1)`` answers "rate limited" with a Retry-After header, a 5xx status an
error, so retry behaviour is tested over real HTTP. Given a `ThrowAwayCA` (tests/fakes/tls.py) it
speaks HTTPS with that CA's certificate, as Slack does, and counts the TCP connections and TLS
handshakes it served (`connections`, `handshakes`), so connection reuse can be asserted.

Like Slack, it keeps what was posted: chat.postMessage stores the message (with its ``metadata``)
in its channel, and conversations.history serves it back, newest first, from ``oldest``, with
metadata only when ``include_all_metadata`` is set. A channel posted to by name gets an id of its
own (conversations.list lists them), and conversations.open gives one DM channel per user, as
Slack does. ``after_accepting(method, hook)`` runs `hook` once the fake has acted on a call and
before it answers — a test can stop the caller there (kill it) to play a crash in that window.

    with FakeSlackApi() as slack:
        slack.add_user("U123", email="jo@council.example")
        ...  # run the app with slack_api_url=slack.url
        slack.wait_for("chat.postMessage")
        assert slack.calls_to("chat.postMessage")[0].body["channel"] == "D123"
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.tls import (
    ConnectionCounts, CountsConnections, ThrowAwayCA, close_connections, count_connections,
)

#: Form fields Slack clients send as JSON strings; decoded so tests can look inside.
JSON_FORM_FIELDS = ("blocks", "view", "attachments", "files", "metadata")

RESPONSE_URL_METHOD = "response_url"
UPLOAD_METHOD = "upload"

Responder = Callable[["Call"], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """One request the fake received (failed attempts included, with the status answered)."""

    method: str  # "chat.postMessage", …, "response_url" or "upload"
    path: str
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.status < 300


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    responders: dict[str, Responder] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: channel id → messages posted there, oldest first
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    channel_ids: dict[str, str] = field(default_factory=dict)  # channel name → id
    dm_ids: dict[str, str] = field(default_factory=dict)  # user id(s) → DM channel id
    hooks: dict[str, Callable[[Call], None]] = field(default_factory=dict)
    last_ts: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)


def _decode_body(raw: bytes, content_type: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = {key: values[-1] for key, values in parse_qs(query).items()}
    if not raw:
        return body
    if "application/json" in content_type:
        try:
            decoded = json.loads(raw)
        except ValueError:
            return body
        if isinstance(decoded, dict):
            body.update(decoded)
        return body
    if "application/x-www-form-urlencoded" in content_type:
        for key, values in parse_qs(raw.decode("utf-8", "replace")).items():
            body[key] = values[-1]
        for key in JSON_FORM_FIELDS:
            if isinstance(body.get(key), str):
                try:
                    body[key] = json.loads(body[key])
                except ValueError:
                    pass
    return body


class FakeSlackApi(CountsConnections):
    """A ThreadingHTTPServer on 127.0.0.1, on a free port, answering like Slack's Web API."""

    def __init__(self, tls: ThrowAwayCA | None = None) -> None:
        self._state = _State()
        self._ids = itertools.count(1)
        self.tls = tls
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._counts: ConnectionCounts = count_connections(
            self._server, tls.server_context() if tls is not None else None)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, name="fake-slack-api",
                                        daemon=True)
        self.socket_mode_url: str | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeSlackApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        close_connections(self._counts)  # kept-alive ones, so their handler threads end too
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlackApi:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- addresses ---------------------------------------------------------------------------

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls is not None else 'http'}://{host}:{port}"

    @property
    def url(self) -> str:
        """The Web API base URL (SLACK_API_URL), ending with "/api/" as slack_sdk expects."""
        return f"{self.base}/api/"

    def response_url(self, path: str = "commands/1") -> str:
        return f"{self.base}/response/{path.lstrip('/')}"

    # --- what it answers ---------------------------------------------------------------------

    def add_user(self, user_id: str, email: str | None = None, **profile: Any) -> None:
        """A Slack user users.info knows; `email` goes in the profile as Slack reports it."""
        if email is not None:
            profile["email"] = email
        with self._state.lock:
            self._state.users[user_id] = {"id": user_id, "name": user_id.lower(),
                                          "profile": profile}

    def respond_with(self, method: str, responder: Responder | dict[str, Any]) -> None:
        """Override the answer to one method (a dict, or a function of the call)."""
        with self._state.lock:
            self._state.responders[method] = (
                responder if callable(responder) else (lambda _call, fixed=responder: fixed)
            )

    def after_accepting(self, method: str, hook: Callable[[Call], None] | None) -> None:
        """Run `hook(call)` after the fake acted on a call to `method` (a message is stored),
        before it answers; None removes it. The hook may block: the caller waits."""
        with self._state.lock:
            if hook is None:
                self._state.hooks.pop(method, None)
            else:
                self._state.hooks[method] = hook

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """What was posted to a channel (by id or by the name it was posted to), oldest first."""
        with self._state.lock:
            channel_id = self._state.channel_ids.get(channel.lstrip("#"), channel)
            return [dict(message) for message in self._state.messages.get(channel_id, [])]

    def fail_next(self, method: str, status: int, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls to `method` get `status` (429 with Retry-After, or a 5xx)."""
        with self._state.lock:
            self._state.failures.setdefault(method, []).append(
                _Failure(status=status, times=times, retry_after=retry_after)
            )

    # --- what it received --------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._state.lock:
            return list(self._state.calls)

    def calls_to(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [call for call in self.calls
                if call.method == method and (call.ok or not ok_only)]

    def clear(self) -> None:
        with self._state.lock:
            self._state.calls.clear()

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 10.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait (bounded) until `count` successful calls to `method` (matching `where`) arrived."""
        deadline = time.monotonic() + timeout
        with self._state.changed:
            while True:
                found = [call for call in self._state.calls
                         if call.method == method and call.ok and (where is None or where(call))]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({call.method for call in self._state.calls})
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s, got "
                        f"{len(found)}; calls seen: {seen}"
                    )
                self._state.changed.wait(remaining)

    # --- the HTTP side -----------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._state.changed:
            self._state.calls.append(call)
            self._state.changed.notify_all()

    def _take_failure(self, method: str) -> _Failure | None:
        with self._state.lock:
            queue = self._state.failures.get(method) or []
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    def _answer(self, call: Call) -> dict[str, Any]:
        with self._state.lock:
            responder = self._state.responders.get(call.method)
            users = dict(self._state.users)
        if responder is not None:
            return responder(call)
        return self._default_answer(call, users)

    def _next_ts(self) -> str:
        """A message timestamp as Slack makes them: the time, unique and increasing."""
        with self._state.lock:
            self._state.last_ts = max(time.time(), self._state.last_ts + 0.000001)
            return f"{self._state.last_ts:.6f}"

    def _channel_id(self, channel: str) -> str:
        """A channel id stays itself; a name gets an id of its own, the same every time."""
        if not channel or (channel[0] in "CDG" and channel[1:].isalnum() and channel.isupper()):
            return channel
        with self._state.lock:
            name = channel.lstrip("#")
            return self._state.channel_ids.setdefault(
                name, f"C{len(self._state.channel_ids) + 1:08d}X")

    def _store_message(self, channel: str, ts: str, body: dict[str, Any]) -> None:
        message = {"type": "message", "ts": ts, "text": body.get("text"),
                   "blocks": body.get("blocks"), "user": "UBOT", "bot_id": "BBOT"}
        if body.get("thread_ts"):
            message["thread_ts"] = body["thread_ts"]
        if isinstance(body.get("metadata"), dict):
            message["metadata"] = body["metadata"]
        with self._state.lock:
            self._state.messages.setdefault(channel, []).append(message)

    def _history(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel") or "")
        with self._state.lock:
            if channel not in self._state.messages and channel not in \
                    self._state.channel_ids.values() and channel not in \
                    self._state.dm_ids.values():
                return {"ok": False, "error": "channel_not_found"}
            stored = list(self._state.messages.get(channel, []))
        oldest = float(body.get("oldest") or 0)
        latest = float(body.get("latest") or "inf")
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        newest_first = [message for message in reversed(stored)
                        if oldest < float(message["ts"]) < latest and "thread_ts" not in message]
        start = int(body.get("cursor") or 0)
        limit = int(body.get("limit") or 100)
        page = newest_first[start:start + limit]
        more = start + limit < len(newest_first)
        shown = [message if with_metadata else
                 {key: value for key, value in message.items() if key != "metadata"}
                 for message in page]
        return {"ok": True, "messages": shown, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _default_answer(self, call: Call, users: dict[str, dict[str, Any]]) -> dict[str, Any]:
        body = call.body
        number = next(self._ids)
        ts = self._next_ts()
        if call.method == "auth.test":
            return {"ok": True, "url": "https://test-council.slack.com/", "team": "Test council",
                    "user": "caseload_bot", "team_id": "T0TEST", "user_id": "UBOT",
                    "bot_id": "BBOT", "is_enterprise_install": False}
        if call.method == "users.info":
            user = users.get(str(body.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False,
                                                              "error": "user_not_found"}
        if call.method == "chat.postMessage":
            channel = self._channel_id(str(body.get("channel") or ""))
            self._store_message(channel, ts, body)
            return {"ok": True, "channel": channel, "ts": ts,
                    "message": {"text": body.get("text"), "blocks": body.get("blocks")}}
        if call.method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts") or ts,
                    "message": {"text": body.get("text"), "blocks": body.get("blocks")}}
        if call.method == "conversations.history":
            return self._history(body)
        if call.method == "conversations.list":
            with self._state.lock:
                channels = [{"id": channel_id, "name": name, "is_archived": False}
                            for name, channel_id in self._state.channel_ids.items()]
            return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}
        if call.method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if call.method in ("views.open", "views.publish", "views.update", "views.push"):
            view = body.get("view") if isinstance(body.get("view"), dict) else {}
            return {"ok": True, "view": {**view, "id": f"V{number:08d}"}}
        if call.method == "conversations.open":
            with self._state.lock:
                channel_id = self._state.dm_ids.setdefault(
                    str(body.get("users")), f"D{len(self._state.dm_ids) + 1:08d}")
            return {"ok": True, "channel": {"id": channel_id}}
        if call.method == "files.getUploadURLExternal":
            file_id = f"F{number:08d}"
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if call.method == "files.completeUploadExternal":
            files = body.get("files") if isinstance(body.get("files"), list) else []
            return {"ok": True, "files": [{"id": item.get("id"), "title": item.get("title")}
                                          for item in files if isinstance(item, dict)]}
        if call.method == "apps.connections.open":
            if self.socket_mode_url:
                return {"ok": True, "url": self.socket_mode_url}
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # small replies go at once, not after a delayed ACK

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return  # quiet: the tests read fake.calls instead

            def do_GET(self) -> None:  # noqa: N802
                self._handle()

            def do_POST(self) -> None:  # noqa: N802
                self._handle()

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                if parts.path.startswith("/api/"):
                    method = parts.path[len("/api/"):]
                elif parts.path.startswith("/response/"):
                    method = RESPONSE_URL_METHOD
                elif parts.path.startswith("/upload/"):
                    method = UPLOAD_METHOD
                else:
                    self._send(404, b"not found", "text/plain")
                    return
                headers = {key.lower(): value for key, value in self.headers.items()}
                body = _decode_body(raw, headers.get("content-type", ""), parts.query)
                failure = fake._take_failure(method)
                if failure is not None:
                    fake._record(Call(method, parts.path, body, raw, headers, failure.status))
                    extra = {"Retry-After": str(failure.retry_after)} if failure.status == 429 \
                        else {}
                    payload = {"ok": False, "error": "ratelimited" if failure.status == 429
                               else "fatal_error"}
                    self._send(failure.status, json.dumps(payload).encode(), "application/json",
                               extra)
                    return
                call = Call(method, parts.path, body, raw, headers)
                fake._record(call)
                if method == RESPONSE_URL_METHOD:
                    self._send(200, b"ok", "text/plain")
                elif method == UPLOAD_METHOD:
                    self._send(200, f"OK - {len(raw)}".encode(), "text/plain")
                else:
                    answer = json.dumps(fake._answer(call)).encode()
                    with fake._state.lock:
                        hook = fake._state.hooks.get(method)
                    if hook is not None:
                        hook(call)
                    self._send(200, answer, "application/json")

            def _send(self, status: int, payload: bytes, content_type: str,
                      extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


__all__ = ["Call", "FakeSlackApi", "RESPONSE_URL_METHOD", "UPLOAD_METHOD"]
