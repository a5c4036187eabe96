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
import threading
from collections.abc import Callable
from typing import Any

from importers.base import Written


class WriteBehind:
    """One batch at a time written on a thread of its own; the counts gathered into `written`.

    Each batch gets a new thread (a few dozen microseconds against a batch's tenth of a second),
    named as the loader's, so logs and statement hooks see one import whichever writes."""

    def __init__(self, write: Callable[[list[Any]], Written], written: Written) -> None:
        self._write = write
        self._written = written
        self._thread: threading.Thread | None = None
        self._outcome: list[Any] = []  # the batch's Written, or the exception it raised

    def submit(self, batch: list[Any]) -> None:
        """Start writing `batch` once the batch before it is written (raising its failure)."""
        self.wait()
        context = contextvars.copy_context()
        self._thread = threading.Thread(target=self._run, args=(context, batch),
                                        name=threading.current_thread().name, daemon=True)
        self._thread.start()

    def _run(self, context: contextvars.Context, batch: list[Any]) -> None:
        try:
            self._outcome.append(context.run(self._write, batch))
        except BaseException as failure:  # handed to the loader's thread by `wait`
            self._outcome.append(failure)

    def wait(self) -> None:
        """Until nothing is being written; a failed write raises here."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.join()
        outcome = self._outcome.pop()
        if isinstance(outcome, BaseException):
            raise outcome
        self._written.add(outcome)

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, failure_type: type[BaseException] | None, *_: Any) -> None:
        """Wait for the batch in flight, whatever happened. A failed write is raised unless the
        loader is already failing (its own failure is the one to see)."""
        try:
            self.wait()
        except BaseException:
            if failure_type is None:
                raise
