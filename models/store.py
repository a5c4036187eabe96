"""The engine and sessions: SQLite by default, PostgreSQL in production, same code for both.

Fast failure (SPEC section 8). A store that *refuses* fails fast by itself; a store that *hangs* —
a partition that drops packets, a proxy that holds them, a write lock someone keeps — would keep
a waiting user waiting forever. So every wait has a bound:

- the pool wait (``STORE_POOL_TIMEOUT_SECONDS``) and the connection (``connect_timeout``, which
  psycopg enforces on the wall clock, handshake and authentication included);
- the answer's statements: work done inside ``store_deadline(seconds)`` (every answer is) gets a
  server-side ``statement_timeout`` set on checkout, and a watchdog that *cuts* its connections
  when the deadline passes — shuts down a PostgreSQL socket, interrupts SQLite — so a query whose
  reply will never come fails at once instead of waiting on TCP. The server-side timeout cannot do
  that (the server never sees the query), nor can TCP keepalives when something in the path
  acknowledges the packets;
- the liveness check on checkout (what ``pool_pre_ping`` did) runs under the same watchdog: the
  ping itself can hang on a held connection;
- SQLite's busy timeout is the statement timeout, so a held write lock is an error, not a queue;
- jobs (imports, digests) have no answer deadline and no statement timeout — their statements
  may legitimately run long — but TCP keepalives and ``tcp_user_timeout`` end a PostgreSQL socket
  whose packets are dropped (``STORE_TCP_TIMEOUT_SECONDS``).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from config import Settings

log = logging.getLogger(__name__)

#: When the current unit of work must be finished with the store (time.monotonic()), if bound.
_deadline: ContextVar[float | None] = ContextVar("store_deadline", default=None)


@contextmanager
def store_deadline(seconds: float) -> Iterator[None]:
    """Everything done with the store inside the block finishes within `seconds`, or fails.

    Connections checked out inside are cut by the watchdog at the deadline (the blocked call
    then raises an OperationalError); a checkout after it raises sqlalchemy.exc.TimeoutError.
    Nested blocks keep the earlier deadline. A contextvar, so each listener thread (and each
    asyncio task) has its own."""
    limit = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(limit if outer is None else min(outer, limit))
    try:
        yield
    finally:
        _deadline.reset(token)


def deadline_remaining() -> float | None:
    """Seconds left for the current unit of work; None when it has no deadline."""
    limit = _deadline.get()
    return None if limit is None else limit - time.monotonic()


class Watchdog:
    """One thread that cuts connections whose unit of work ran past its deadline.

    A per-request timer thread would cost a thread start per answer; this keeps a heap, and
    its thread runs only while something is armed."""

    def __init__(self) -> None:
        self._armed: dict[int, tuple[float, int, Callable[[], None]]] = {}
        self._heap: list[tuple[float, int, int]] = []
        self._serial = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, key: int, deadline: float, cut: Callable[[], None]) -> None:
        with self._changed:
            serial = next(self._serial)
            self._armed[key] = (deadline, serial, cut)
            heapq.heappush(self._heap, (deadline, serial, key))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="store-watchdog",
                                                daemon=True)
                self._thread.start()
            self._changed.notify()

    def disarm(self, key: int) -> None:
        with self._changed:
            self._armed.pop(key, None)
            if not self._armed:  # nothing to watch: let the thread end (it restarts on arm)
                self._heap.clear()
                self._changed.notify()

    def _run(self) -> None:
        while True:
            due: list[Callable[[], None]] = []
            with self._changed:
                while self._heap:
                    deadline, serial, key = self._heap[0]
                    armed = self._armed.get(key)
                    if armed is None or armed[1] != serial:  # disarmed or re-armed since
                        heapq.heappop(self._heap)
                        continue
                    if deadline > time.monotonic():
                        break
                    heapq.heappop(self._heap)
                    del self._armed[key]
                    due.append(armed[2])
                if not due:
                    if not self._heap:
                        self._thread = None
                        return
                    self._changed.wait(self._heap[0][0] - time.monotonic())
                    continue
            for cut in due:
                try:
                    cut()
                except Exception as error:  # noqa: BLE001 - a cut that fails must not stop us
                    log.warning("store watchdog: cutting a connection failed: %s",
                                type(error).__name__)


WATCHDOG = Watchdog()


def cut_connection(dbapi_connection: Any) -> None:
    """Make a blocked call on this DBAPI connection fail now: a PostgreSQL socket is shut down
    (the waiting read sees the end of the stream), a SQLite statement is interrupted."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is not None:
        try:
            fd = pgconn.socket
        except Exception:  # already closed
            return
        cut = socket.socket(fileno=os.dup(fd))
        try:
            cut.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        finally:
            cut.close()
        return
    interrupt = getattr(dbapi_connection, "interrupt", None)
    if callable(interrupt):
        interrupt()


def _timeouts(settings: Settings | None) -> Settings:
    if settings is not None:
        return settings
    from config import get_settings

    return get_settings()


def make_engine(database_url: str, settings: Settings | None = None) -> Engine:
    """Create an engine with the store timeouts of `settings` (the process's by default); on
    SQLite, switch foreign keys on (SQLite leaves them off by default), and give each connection
    the audit chain's hash function.

    `hide_parameters` keeps row values (case references, staff details) out of database error
    messages, so an error that reaches a log never carries the data itself.
    """
    limits = _timeouts(settings)
    busy_ms = int(limits.store_statement_timeout_seconds * 1000)
    if database_url.startswith("sqlite"):
        from models.audit_chain import register_sqlite_hash

        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False,
                          "timeout": limits.store_statement_timeout_seconds},
            pool_timeout=limits.store_pool_timeout_seconds,
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()
            register_sqlite_hash(dbapi_connection)  # the audit chain's INSERTs call it

        watch_checkouts(engine, limits, ping=False)
        return engine
    tcp = limits.store_tcp_timeout_seconds
    engine = create_engine(
        database_url,
        pool_size=limits.store_pool_size,
        max_overflow=limits.store_max_overflow,
        pool_timeout=limits.store_pool_timeout_seconds,
        hide_parameters=True,
        connect_args={
            "connect_timeout": limits.store_connect_timeout_seconds,
            "keepalives": 1,
            "keepalives_idle": max(1, tcp // 2),
            "keepalives_interval": max(1, tcp // 4),
            "keepalives_count": 2,
            "tcp_user_timeout": tcp * 1000,
        },
    )
    watch_checkouts(engine, limits, ping=True)
    return engine


def watch_checkouts(engine: Engine, limits: Settings, *, ping: bool) -> None:
    """Bound every checkout: ping (PostgreSQL) under the watchdog, set the statement timeout,
    and put the connection under the watchdog until checkin when a deadline is in force.

    This replaces `pool_pre_ping`, whose ping runs outside any bound and hangs with the store.
    The ping is the `set_config('statement_timeout', …)` the checkout needs anyway: one round
    trip, as pre-ping's SELECT 1 was. Raising DisconnectionError makes the pool discard the
    connection and try a fresh one, as pre-ping does."""
    statement_ms = int(limits.store_statement_timeout_seconds * 1000)
    ping_seconds = float(limits.store_connect_timeout_seconds)

    @event.listens_for(engine, "checkout")
    def _bounded_checkout(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        key = id(record)
        deadline = _deadline.get()
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            raise sa_exc.TimeoutError("the store did not answer in time")
        if ping:
            bound = now + ping_seconds if deadline is None else min(deadline, now + ping_seconds)
            WATCHDOG.arm(key, bound, lambda: cut_connection(dbapi_connection))
            timeout_ms = 0 if deadline is None else max(
                1, min(statement_ms, int((deadline - now) * 1000)))
            try:
                _set_statement_timeout(dbapi_connection, timeout_ms)
            except Exception as error:
                WATCHDOG.disarm(key)
                raise sa_exc.DisconnectionError(
                    f"the store did not answer a ping: {type(error).__name__}") from error
        if deadline is None:
            WATCHDOG.disarm(key)
        else:
            WATCHDOG.arm(key, deadline, lambda: cut_connection(dbapi_connection))

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        WATCHDOG.disarm(id(record))

    @event.listens_for(engine, "invalidate")
    def _invalidated(_dbapi_connection, record, _error) -> None:  # type: ignore[no-untyped-def]
        WATCHDOG.disarm(id(record))

    @event.listens_for(engine, "do_connect")
    def _connect_in_time(_dialect, _record, _cargs, cparams) -> None:  # type: ignore[no-untyped-def]
        remaining = deadline_remaining()
        if remaining is not None and remaining <= 0:
            raise sa_exc.TimeoutError("the store did not answer in time")


def _set_statement_timeout(dbapi_connection: Any, timeout_ms: int) -> None:
    """The checkout's ping: sets the session's statement timeout (0: none), in autocommit so it
    neither opens a transaction nor is undone by a rollback."""
    before = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)",
                           (f"{timeout_ms}ms",))
            cursor.fetchall()
        finally:
            cursor.close()
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = before


@lru_cache(maxsize=4)
def engine_for(database_url: str) -> Engine:
    return make_engine(database_url)


def get_engine() -> Engine:
    from config import get_settings

    return engine_for(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: committed when the block ends cleanly, rolled back otherwise."""
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_unless_stored(dialect: str, table: Table, key: Sequence[str]) -> Any:
    """INSERT … ON CONFLICT (key) DO NOTHING on SQLite or PostgreSQL: a row another writer has
    just stored under the same natural key is kept, and this insert is not an error."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=list(key))


__all__ = ["WATCHDOG", "cut_connection", "deadline_remaining", "engine_for", "get_engine",
           "insert_unless_stored",
           "make_engine", "session_scope", "store_deadline"]
