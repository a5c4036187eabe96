"""A local stand-in for the Bot Framework connector service that Teams gives a bot as `serviceUrl`.

It answers the calls the bot makes (post to a conversation, reply in a thread, create a 1:1
conversation, look a member up in the roster) and records every request, so a test can assert
exactly what the bot sent and where. It runs on a loopback port in a background thread; `failing`
makes chosen calls return 503, as an unavailable chat API would.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.fakes.tls import (
    ConnectionCounts, CountsConnections, ThrowAwayCA, close_connections, count_connections,
)

_ACTIVITIES = re.compile(r"^/v3/conversations/([^/]+)/activities(?:/([^/]+))?$")
_MEMBER = re.compile(r"^/v3/conversations/([^/]+)/members/([^/]+)$")
_CREATE = re.compile(r"^/v3/conversations/?$")


@dataclass(frozen=True)
class Recorded:
    """One request the bot made."""

    method: str
    path: str
    kind: str  # "activity", "member", "create", "unknown"
    conversation_id: str | None
    body: dict[str, Any] | None
    authorization: str | None

    @property
    def card(self) -> dict[str, Any] | None:
        """The Adaptive Card this activity carried, if any."""
        for attachment in (self.body or {}).get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment.get("content")
        return None

    @property
    def text(self) -> str:
        """What a person would read in this message: its text, summary and the card's words."""
        body = self.body or {}
        parts = [body.get("text") or "", body.get("summary") or ""]
        if self.card is not None:
            parts.extend(card_words(self.card))
        return "\n".join(part for part in parts if part)


def card_words(element: Any) -> list[str]:
    """Every string a reader sees on an Adaptive Card: texts, facts, button titles, labels."""
    words: list[str] = []
    if isinstance(element, dict):
        for key, value in element.items():
            if key in ("text", "title", "value", "label", "placeholder") and isinstance(value, str):
                words.append(value)
            elif key != "fallbackText":
                words.extend(card_words(value))
    elif isinstance(element, list):
        for item in element:
            words.extend(card_words(item))
    return words


@dataclass
class FakeTeamsConnector(CountsConnections):
    """The recording connector. Use as a context manager, or call start() and stop()."""

    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)  # kinds to answer with 503
    #: Finer than `failing`: answer 503 when this says so for (kind, conversation id).
    fail_if: Callable[[str, str | None], bool] | None = None
    requests: list[Recorded] = field(default_factory=list)
    #: HTTPS with this CA's certificate (as the real connector), else plain HTTP.
    tls: ThrowAwayCA | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> str:
        connector = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real connector: reuse is visible

            def do_GET(self) -> None:  # noqa: N802
                connector._answer(self)

            def do_POST(self) -> None:  # noqa: N802
                connector._answer(self)

            def do_PUT(self) -> None:  # noqa: N802
                connector._answer(self)

            def log_message(self, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._counts = count_connections(
            self._server, self.tls.server_context() if self.tls is not None else None)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="fake-teams-connector", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            close_connections(self._counts)
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeTeamsConnector:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the connector first"
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls is not None else 'http'}://{host}:{port}/"

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
        self.failing.clear()
        self.fail_if = None

    # --- what the bot sent ------------------------------------------------------------------

    def activities(self, conversation_id: str | None = None) -> list[Recorded]:
        """Messages the bot posted (typing indicators left out), optionally to one conversation."""
        with self._lock:
            found = [r for r in self.requests if r.kind == "activity"
                     and (r.body or {}).get("type", "message") == "message"]
        if conversation_id is not None:
            found = [r for r in found if r.conversation_id == conversation_id]
        return found

    def of_kind(self, kind: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.kind == kind]

    # --- answering --------------------------------------------------------------------------

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        path = urlsplit(request.path).path
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        kind, conversation_id, status, reply = self._route(request.command, path, body)
        with self._lock:
            self.requests.append(Recorded(request.command, path, kind, conversation_id, body,
                                          request.headers.get("Authorization")))
        if kind in self.failing or (self.fail_if is not None and self.fail_if(kind,
                                                                               conversation_id)):
            status, reply = 503, {"error": {"code": "ServiceUnavailable",
                                            "message": "connector unavailable"}}
        data = json.dumps(reply).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _route(self, method: str, path: str, body: Any
               ) -> tuple[str, str | None, int, dict[str, Any]]:
        if match := _ACTIVITIES.match(path):
            return "activity", unquote(match.group(1)), 200, {"id": f"activity-{next(self._ids)}"}
        if method == "GET" and (match := _MEMBER.match(path)):
            conversation_id, user_id = unquote(match.group(1)), unquote(match.group(2))
            member = self.members.get(user_id)
            if member is None:
                return "member", conversation_id, 404, {
                    "error": {"code": "MemberNotFoundInConversation",
                              "message": "The member was not found"}}
            return "member", conversation_id, 200, member
        if method == "POST" and _CREATE.match(path):
            members = (body or {}).get("members") or [{}]
            new_id = f"a:1on1-{members[0].get('id', 'unknown')}"
            return "create", new_id, 201, {"id": new_id,
                                           "activityId": f"activity-{next(self._ids)}"}
        return "unknown", None, 404, {"error": {"code": "NotFound", "message": path}}


__all__ = ["FakeTeamsConnector", "Recorded", "card_words"]
