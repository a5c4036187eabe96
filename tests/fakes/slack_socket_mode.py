"""A local Socket Mode endpoint: a minimal WebSocket server (RFC 6455) that plays Slack's side.

The app gets its URL from the fake Web API's apps.connections.open (``FakeSlackApi.
socket_mode_url``), connects with slack_sdk's built-in client, and then receives envelopes sent by
``send_envelope``; the acks it writes back are recorded in ``acks``. Text frames, ping/pong and
close only: what Slack's Socket Mode uses.
"""

from __future__ import annotations

import base64
import hashlib
import json
import select
import socket
import struct
import threading
import time
from typing import Any

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def frame(opcode: int, payload: bytes) -> bytes:
    """A server frame: final, unmasked."""
    header = bytes([0x80 | opcode])
    if len(payload) < 126:
        header += bytes([len(payload)])
    elif len(payload) < 1 << 16:
        header += bytes([126]) + struct.pack("!H", len(payload))
    else:
        header += bytes([127]) + struct.pack("!Q", len(payload))
    return header + payload


def read_exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    first, second = read_exactly(sock, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exactly(sock, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exactly(sock, 8))[0]
    mask = read_exactly(sock, 4) if second & 0x80 else b"\0\0\0\0"
    payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(read_exactly(sock, length)))
    return first & 0x0F, payload


class FakeSocketMode:
    """Accepts one client at a time on 127.0.0.1; `url` is the ws:// address to hand out."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._client: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self.acks: list[dict[str, Any]] = []
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, name="fake-socket-mode", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=test"

    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._client is not None:
            try:
                self._client.close()
            except OSError:
                pass
        self._thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def wait_connected(self, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._client is not None, timeout):
                raise AssertionError("the app never connected over Socket Mode")

    def send_envelope(self, envelope_type: str, payload: dict[str, Any],
                      envelope_id: str) -> None:
        message = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                   "accepts_response_payload": envelope_type != "events_api",
                   "retry_attempt": 0, "retry_reason": ""}
        self._send(TEXT, json.dumps(message).encode())

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for ack in self.acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no ack for envelope {envelope_id}")
                self._changed.wait(remaining)

    def _send(self, opcode: int, payload: bytes) -> None:
        if self._client is None:
            raise AssertionError("no Socket Mode client connected")
        with self._send_lock:
            self._client.sendall(frame(opcode, payload))

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                self._handshake(client)
            except (OSError, ValueError):
                client.close()
                continue
            with self._changed:
                self._client = client
                self.connections += 1
                self._changed.notify_all()
            self._receive(client)

    def _handshake(self, client: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = client.recv(4096)
            if not chunk:
                raise ValueError("no handshake")
            request += chunk
        headers = {}
        for line in request.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        accept = base64.b64encode(hashlib.sha1(
            (headers["sec-websocket-key"] + WEBSOCKET_GUID).encode()).digest()).decode()
        client.sendall((
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        client.sendall(frame(TEXT, json.dumps({"type": "hello", "num_connections": 1}).encode()))

    def _receive(self, client: socket.socket) -> None:
        client.settimeout(5)  # a frame that has started arrives whole
        while not self._stopping.is_set():
            try:
                readable, _, _ = select.select([client], [], [], 0.2)
                if not readable:
                    continue
                opcode, payload = read_frame(client)
            except (OSError, ConnectionError, ValueError):
                break
            if opcode == PING:
                with self._send_lock:
                    client.sendall(frame(PONG, payload))
            elif opcode == CLOSE:
                break
            elif opcode == TEXT:
                with self._changed:
                    self.acks.append(json.loads(payload))
                    self._changed.notify_all()
        with self._changed:
            if self._client is client:
                self._client = None
        client.close()


__all__ = ["FakeSocketMode"]
