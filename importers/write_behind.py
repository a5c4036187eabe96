"""Writing one batch while the next is read and checked.

An import's time is the reading and checking of rows in Python plus the store's work on each
written batch (on PostgreSQL: every index and every foreign key check of every row, in the
server's own process). Done one after the other, one CPU idles while the other works. A
`WriteBehind` hands each full batch to one worker thread and returns at once, so the loader
checks batch n+1 while the store takes batch n: psycopg and sqlite3 release the GIL while they
wait on the store, so the two really overlap.

What keeps it as safe as writing in line:
- at most one batch is in flight, and the next is handed over only once it is written, so the
  batches reach the store in file order and memory holds two batches at most;
- the connection is used by one thread at a time: the loader touches the store only after
  `wait()` (the final batch, `check_file`, the commit or rollback), and a kind's `check` never
  queries the store (its lookups are loaded in `__init__`);
- a failed write is raised in the loader's thread at the next `submit` or `wait`, and leaving
  the `with` block always waits for the batch in flight, so a rollback never races a write;
- the write runs in a copy of the loader's context (the store deadline, the folder import's
  deferred team managers).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from importers.base import Written


class WriteBehind:
    """One batch at a time written on a worker thread; the counts gathered into `written`."""

    def __init__(self, write: Callable[[list[Any]], Written], written: Written) -> None:
        self._write = write
        self._written = written
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-write")
        self._in_flight: Future[Written] | None = None

    def submit(self, batch: list[Any]) -> None:
        """Start writing `batch` once the batch before it is written (raising its failure)."""
        self.wait()
        context = contextvars.copy_context()
        self._in_flight = self._executor.submit(context.run, self._write, batch)

    def wait(self) -> None:
        """Until nothing is being written; a failed write raises here."""
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:
            self._written.add(in_flight.result())

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, failure_type: type[BaseException] | None, *_: Any) -> None:
        """Wait for the batch in flight, whatever happened, and stop the worker. A failed write
        is raised unless the loader is already failing (its own failure is the one to see)."""
        try:
            self.wait()
        except BaseException:
            if failure_type is None:
                raise
        finally:
            self._executor.shutdown(wait=True)
