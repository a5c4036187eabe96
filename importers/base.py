"""What every kind of import shares: the validator/writer contract and the bulk-writing helpers.

A kind's importer is built once per import, loading every lookup it needs in a few queries; it
then checks rows one by one (no query per row), writes each batch of parsed rows with bulk
statements in the caller's transaction while nothing is wrong (the loader rolls it all back if a
problem turns up later), and checks the file as a whole at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

from sqlalchemy import Table, Text, bindparam, func, insert, select, text, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlmodel import Session

from importers.cells import RowCells
from importers.report import Problem, ProblemLog
from models.store import insert_unless_stored

#: Rows per statement batch (and per lookup query when existing rows are fetched by key).
BATCH_ROWS = 5000

T = TypeVar("T")


def name_key(name: str) -> str:
    """How names (teams, services, plans) are matched: ignoring case and extra spaces."""
    return " ".join(name.split()).casefold()


def batches(items: Sequence[T], size: int = BATCH_ROWS) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@lru_cache(maxsize=256)
def max_length(table: Table, column: str) -> int:
    """The column's declared length (cached: validators ask for it on every row)."""
    length = getattr(table.c[column].type, "length", None)
    return int(length) if length else 100_000


def _copies(connection: Connection) -> bool:
    """PostgreSQL through psycopg: bulk inserts go by COPY."""
    return connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg"


def insert_returning_ids(connection: Connection, table: Table, rows: list[dict[str, Any]],
                         key: str) -> dict[Any, int]:
    """Insert many rows (all with the same keys); their new ids by their `key` column's value.

    PostgreSQL: ids are drawn from the table's sequence first, then the rows are COPYed with
    them. Elsewhere: an executemany INSERT, then one SELECT of the new ids per batch (asking
    INSERT ... RETURNING for ids in parameter order makes SQLite insert one row at a time)."""
    ids: dict[Any, int] = {}
    if not rows:
        return ids
    if _copies(connection):
        columns = list(rows[0])
        for batch in batches(rows):
            new_ids = connection.execute(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                     "FROM generate_series(1, :count)"),
                {"table": table.name, "count": len(batch)},
            ).scalars().all()
            _copy_rows(connection, table, ["id", *columns], (
                [new_id, *(row[column] for column in columns)]
                for new_id, row in zip(new_ids, batch)
            ))
            ids.update((row[key], new_id) for new_id, row in zip(new_ids, batch))
        return ids
    key_column = table.c[key]
    for batch in batches(rows):
        connection.execute(insert(table), list(batch))
        ids.update(connection.execute(
            select(key_column, table.c.id).where(key_column.in_([row[key] for row in batch]))
        ).all())
    return ids


def insert_many(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (all with the same keys): COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    if _copies(connection):
        columns = list(rows[0])
        _copy_rows(connection, table, columns,
                   ([row[column] for column in columns] for row in rows))
        return
    for batch in batches(rows):
        connection.execute(insert(table), list(batch))


def insert_new(connection: Connection, table: Table, rows: list[dict[str, Any]],
               key: Sequence[str]) -> None:
    """Insert rows (all with the same keys), skipping any whose natural `key` another writer
    stored after this import read the table: that row is someone else's, not a duplicate to
    fail the whole import on (chat's `/supervision log` while a supervisions import runs)."""
    if not rows:
        return
    statement = insert_unless_stored(connection.dialect.name, table, key)
    for batch in batches(rows):
        connection.execute(statement, list(batch))


def _copy_rows(connection: Connection, table: Table, columns: list[str],
               values: Iterable[list[Any]]) -> None:
    """PostgreSQL's COPY, inside the connection's transaction: several times faster than
    executemany for the hundreds of thousands of rows of a national case extract."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver_connection = connection.connection.driver_connection
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)


def rows_by_lower_key(connection: Connection, table: Table, columns: Sequence[str],
                      key_column: str, keys: Sequence[str]) -> list[Any]:
    """The stored rows whose lower(`key_column`) is one of `keys` (already lower-cased).

    PostgreSQL: one probe of the lower() index per key (a LATERAL subquery with LIMIT 1, which
    the planner cannot turn into a join). As `key IN (5,000 keys)` it chose a sequential scan of
    the whole table for every batch: a first national cases import fills the table inside one
    transaction, so the planner's statistics still say it is small, and even when they are right
    5,000 probes cost more on paper than one scan. That made a 530,000-row import quadratic
    (0.4 s a batch by the end). Elsewhere (SQLite) `IN` already probes the index."""
    selected = [table.c[name] for name in columns]
    lowered = func.lower(table.c[key_column])
    if connection.dialect.name != "postgresql":
        return list(connection.execute(select(*selected).where(lowered.in_(keys))))
    wanted = (func.unnest(bindparam("keys", type_=ARRAY(Text)))
              .table_valued("key").render_derived().alias("wanted"))
    stored = select(*selected).where(lowered == wanted.c.key).limit(1).lateral("stored")
    statement = select(stored).select_from(wanted.join(stored, true()))
    return list(connection.execute(statement, {"keys": list(keys)}))


def update_by_id(connection: Connection, table: Table, columns: Sequence[str],
                 changes: list[tuple[int, dict[str, Any]]]) -> None:
    """Update many rows by id, setting `columns` from each row's values (one executemany)."""
    if not changes or not columns:
        return
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({column: bindparam(f"b_{column}") for column in columns})
    )
    for batch in batches(changes):
        connection.execute(statement, [
            {"b_id": row_id, **{f"b_{column}": values[column] for column in columns}}
            for row_id, values in batch
        ])


def analyze_grown(connection: Connection, tables: Sequence[Table]) -> None:
    """Fresh planner statistics for small tables an import has just added rows to
    (PostgreSQL's advice after a bulk load), inside the import's transaction, which sees its
    own rows.

    A first import fills tables the planner still believes empty, and the foreign-key checks
    of the next import plan on that belief: with `service` at 0 rows (and 4 pages on disk)
    each new staff member's check of its service scanned all 450 services (585 of the 1,350 ms
    the server spent inserting a national staff file). Other connections see the statistics
    when the import commits; the lock ANALYZE takes blocks no reader or writer, only another
    ANALYZE or VACUUM of the table. A role that does not own a table is warned and skipped by
    PostgreSQL, not refused. SQLite keeps no statistics unless asked to, so it is left alone."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(text(f'ANALYZE "{table.name}"'))


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, batch: Written) -> None:
        """Count in one more batch's writes (the loader writes a file a batch at a time)."""
        self.created += batch.created
        self.updated += batch.updated
        self.unchanged += batch.unchanged
        self.notes.extend(batch.notes)


class KindImporter:
    """One kind of import: its columns, its row validator and its writer.

    Lifecycle, driven by the loader: `__init__` loads lookups; `check` is called for every row
    and returns a parsed row (or None, having recorded problems on `cells`); `write` is called
    with each batch of parsed rows (IMPORT_BATCH_ROWS) while no problem has been found, in the
    one transaction the loader rolls back if a problem turns up later; `check_file` adds problems
    only visible across rows, after the last row; `finish` follows the last write. `write` runs
    on the loader's worker thread while `check` reads the next batch (importers.write_behind):
    `check` never queries the store, and state both touch is only added to by `check` for rows
    `write` has not been given yet. Streaming in batches keeps memory flat: only
    keys (for duplicates) outlive a batch.
    """

    kind: ClassVar[str]
    required: ClassVar[tuple[str, ...]]
    optional: ClassVar[tuple[str, ...]]
    #: Staff files only: a column called exactly "name" is the worker's name, not a child's.
    name_is_the_worker: ClassVar[bool] = False
    #: Small tables `write` adds rows to that later rows point at (services, teams, plans):
    #: analyzed once a file has added some (`analyze_grown`). Big ones are left to autovacuum:
    #: their size on disk already steers the planner to their indexes, and analyzing them
    #: costs more (0.3 s for national staff) than it saves.
    fills: ClassVar[tuple[Table, ...]] = ()

    def __init__(self, session: Session, columns: frozenset[str], today: date) -> None:
        self.session = session
        self.connection = session.connection()
        self.columns = columns
        self.today = today

    def check(self, cells: RowCells) -> Any | None:
        raise NotImplementedError

    def check_file(self, problems: ProblemLog) -> None:
        """Problems only visible once every row is read; none by default."""

    def write(self, rows: list[Any]) -> Written:
        raise NotImplementedError

    def finish(self) -> Written:
        """After the last batch is written (a file without problems only): what is left to
        write or to say about the file as a whole. Nothing by default."""
        return Written()

    # Shared helpers -------------------------------------------------------------------------

    def present(self, *columns: str) -> tuple[str, ...]:
        """The optional columns this file has: only those may change stored values."""
        return tuple(column for column in columns if column in self.columns)

    @staticmethod
    def first_seen(seen: dict[Any, int], key: Any, cells: RowCells, column: str, value: str,
                   what: str) -> None:
        """Record a natural key; a second row with it is a problem naming the first."""
        first = seen.get(key)
        if first is None:
            seen[key] = cells.row_number
        else:
            cells.problem(column, value, f"{what} appears more than once in this file (first at "
                                         f"row {first}): give each one row")


def changed_columns(columns: Iterable[str], new: dict[str, Any], old: Any) -> bool:
    return any(new[column] != getattr(old, column) for column in columns)
