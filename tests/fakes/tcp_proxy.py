"""A loopback TCP proxy that can hold traffic, the way a network partition does.

Put it between the app and the real PostgreSQL (``proxy.url_for(database_url)``). While it is
*held* it still accepts connections — the TCP handshake succeeds, as it would towards a firewall
that drops packets further on — but forwards nothing in either direction, so the client waits on
a reply that never comes. Bytes already sent are kept and delivered, in order, on ``release()``,
just as a healed partition delivers TCP's retransmissions. This is the failure that a refused
connection (a closed port) does not show: nothing errors, everything simply hangs.

    with HoldingProxy("127.0.0.1", 5432) as proxy:
        engine = make_engine(proxy.url_for(database_url))
        proxy.hold()    # every query and connection attempt now hangs
        proxy.release() # and resumes
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

CHUNK_BYTES = 65_536
#: How often a pump blocked on a held proxy looks at whether it should stop (for shutdown only;
#: it never decides when traffic flows, release() does).
POLL_SECONDS = 0.2


class HoldingProxy:
    """Forward 127.0.0.1:<port> to an upstream TCP address; hold() and release() the traffic."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._flowing = threading.Event()
        self._flowing.set()
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(POLL_SECONDS)
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.accepted = 0

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> HoldingProxy:
        self._spawn(self._accept_loop, "proxy-accept")
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._flowing.set()
        with self._lock:
            for sock in self._sockets:
                _close(sock)
        _close(self._listener)
        for thread in list(self._threads):
            thread.join(timeout=5)

    def __enter__(self) -> HoldingProxy:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # --- control -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def url_for(self, database_url: str) -> str:
        """The same database URL, pointed at the proxy instead of the server."""
        parts = urlsplit(database_url)
        user = parts.netloc.rpartition("@")[0]
        netloc = f"{user}@127.0.0.1:{self.port}" if user else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def hold(self) -> None:
        """Accept, but forward nothing: every exchange through the proxy hangs from now on."""
        self._flowing.clear()

    def release(self) -> None:
        """Forward again, the held bytes first."""
        self._flowing.set()

    # --- the forwarding ----------------------------------------------------------------------

    def _spawn(self, target: object, name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _wait_for_flow(self) -> bool:
        """Block while held; False when the proxy is stopping."""
        while not self._flowing.wait(POLL_SECONDS):
            if self._stopping.is_set():
                return False
        return not self._stopping.is_set()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._track(client)
            self._spawn(self._connect_upstream, "proxy-connect", client)

    def _connect_upstream(self, client: socket.socket) -> None:
        if not self._wait_for_flow():  # held: accepted, but the server is not reached yet
            _close(client)
            return
        try:
            server = socket.create_connection(self.upstream, timeout=5)
            server.settimeout(None)
        except OSError:
            _close(client)
            return
        self._track(server)
        self._spawn(self._pump, "proxy-up", client, server)
        self._spawn(self._pump, "proxy-down", server, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes one way. A held pump does not read: what was sent waits in the socket
        buffers (the kernel has acknowledged it, as a proxy or a NAT in the path would)."""
        try:
            while self._wait_for_flow():
                data = source.recv(CHUNK_BYTES)
                if not data:
                    break
                if not self._wait_for_flow():
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


__all__ = ["HoldingProxy"]
