"""A request body over the limit is refused with 413 while it is being read, on every route.

Checking Content-Length alone is not enough: a chunked request declares no length, and Starlette's
`request.body()` then reads whatever arrives into memory before anyone looks at it (an unsigned
1 GB body once took the server to 6.9 GB). So this ASGI middleware reads the body itself, counting
bytes as the chunks arrive, and stops at the limit: at most the limit plus one chunk is ever held.
A body within the limit is handed on to the app unchanged, as one message.

It reads the whole (bounded) body before the app runs, which costs nothing here: every route
needs its whole body anyway (Slack's signature covers all of it; Teams' activity is one JSON
document).
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The refusal closes the connection, so a sender cannot go on feeding the rest of the body.
TOO_LARGE_HEADERS = [(b"content-type", b"application/json"), (b"connection", b"close")]
TOO_LARGE_BODY = b'{"error": "request body too large"}'


def declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number, or None when there is none (chunked)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def refuse_too_large(send: Send) -> None:
    await send({"type": "http.response.start", "status": 413,
                "headers": [*TOO_LARGE_HEADERS,
                            (b"content-length", str(len(TOO_LARGE_BODY)).encode())]})
    await send({"type": "http.response.body", "body": TOO_LARGE_BODY, "more_body": False})


class BoundedBody:
    """ASGI middleware: refuse (413) any HTTP request whose body exceeds `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await refuse_too_large(send)  # refused before a byte of it is read
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away: nobody to answer
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                chunks.clear()
                await refuse_too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        chunks.clear()
        await self.app(scope, replay(body, receive), send)


def replay(body: bytes, receive: Receive) -> Any:
    """A `receive` that gives the app the body already read, then whatever comes next
    (a disconnect), as the server's own `receive` would."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


__all__ = ["BoundedBody"]
