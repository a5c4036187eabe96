"""The all-or-nothing loader: stream the file, validate every row, write in batches, commit all
or nothing.

One import is one transaction in the caller's session:
1. pending work in the session is flushed, and the header row is checked (missing columns,
   child-identifying columns: a refused header means no cell is ever read);
2. rows are read one at a time and validated; while no problem has been found, the valid rows
   are written a batch at a time (IMPORT_BATCH_ROWS, bulk statements, no query per row), so
   memory stays flat whatever the file's size. Each batch is written on a worker thread while
   the next is read and checked (`WriteBehind`): the store's work and Python's overlap. From the first problem on, nothing more is
   written or kept: the rest of the file is only validated, so every problem is counted;
3. a real import without problems commits, together with its audit entry; a dry run or a file
   with problems rolls back (undoing any batch already written), and its audit entry is then
   written in a commit of its own, so a refused import is on record while the store is exactly
   as it was. A dry run writes and rolls back too, so it meets the same database checks.

Problems go to a `ProblemLog`: counted, the first IMPORT_PROBLEMS_SHOWN kept for the summary,
each written to the `--report FILE` CSV when asked for. A NUL character anywhere in a row (which
PostgreSQL cannot store) is a problem naming the row and column, never a database error.
A kind whose rows refer to each other across the file (staff: managers, and e-mails freed by
one row and taken by another) holds the rows it cannot write yet until its `finish`.

Logs carry counts, the kind and the file name only: never a cell's value.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sqlmodel import Session

from config import Settings, get_settings
from importers.actions import ActionsImporter
from importers.base import KindImporter, Written, analyze_grown
from importers.cases import CasesImporter
from importers.cells import RowCells
from importers.columns import check_headers
from importers.readers import ReadError, Table, read_table, table_from_dicts
from importers.report import ImportReport, Problem, ProblemLog
from importers.staff import StaffImporter
from importers.supervisions import SupervisionsImporter
from importers.teams import TeamsImporter
from importers.write_behind import WriteBehind
from models import AuditEntry

logger = logging.getLogger(__name__)

IMPORTERS: dict[str, type[KindImporter]] = {
    importer.kind: importer
    for importer in (TeamsImporter, StaffImporter, CasesImporter, SupervisionsImporter,
                     ActionsImporter)
}
KINDS: tuple[str, ...] = ("teams", "staff", "cases", "supervisions", "actions")

NUL = "\x00"
NUL_REASON = ("contains a NUL character (a zero byte), which the store cannot hold: the file is "
              "probably damaged or not really text; remove it and import again")


def import_file(session: Session, kind: str, path: Path, *, dry_run: bool = False, today: date,
                actor: str = "cli", problems: ProblemLog | None = None,
                settings: Settings | None = None) -> ImportReport:
    """Import a .csv or .xlsx file of one kind (SPEC section 5), all or nothing, streaming it.
    `problems` receives every problem (give one with a report file for `--report FILE`)."""
    settings = settings or get_settings()
    log = problems if problems is not None else ProblemLog.from_settings(settings)
    path = Path(path)
    try:
        table = read_table(path, max_line_chars=settings.import_max_line_chars)
    except ReadError as unreadable:
        log.append(Problem(unreadable.row, None, None, str(unreadable)))
        return _finish(session, kind, str(path), path.name, dry_run, actor, 0, Written(), log,
                       [])
    return _import(session, kind, table, path=str(path), source=path.name, dry_run=dry_run,
                   today=today, actor=actor, problems=log, batch_rows=settings.import_batch_rows)


def import_rows(session: Session, kind: str, rows: list[dict[str, str]], *, source: str,
                dry_run: bool = False, today: date, actor: str = "cli",
                problems: ProblemLog | None = None, settings: Settings | None = None
                ) -> ImportReport:
    """Import rows another reader produced (dict keys are the headers; rows[0] is row 2)."""
    settings = settings or get_settings()
    log = problems if problems is not None else ProblemLog.from_settings(settings)
    return _import(session, kind, table_from_dicts(rows), path=source, source=source,
                   dry_run=dry_run, today=today, actor=actor, problems=log,
                   batch_rows=settings.import_batch_rows)


@dataclass
class _Progress:
    rows_read: int = 0


def nul_problem(number: int, values: Sequence[str], headers: Sequence[str]) -> Problem | None:
    """A problem naming the row (and column) if a cell holds a NUL; its value is never quoted."""
    if NUL not in "".join(values):
        return None
    position = next(position for position, value in enumerate(values) if NUL in value)
    header = headers[position].strip() if position < len(headers) else ""
    column = header if header and NUL not in header else f"column {position + 1}"
    return Problem(number, column, None, NUL_REASON)


def _import(session: Session, kind: str, table: Table, *, path: str, source: str, dry_run: bool,
            today: date, actor: str, problems: ProblemLog, batch_rows: int) -> ImportReport:
    started = time.perf_counter()
    notes: list[str] = list(table.notes)
    written = Written()
    progress = _Progress()
    importer_class = IMPORTERS.get(kind)
    with closing(table):
        if importer_class is None:
            problems.append(Problem(None, None, kind, f"not a kind of import: use one of "
                                                      f"{', '.join(KINDS)}"))
            return _finish(session, kind, path, source, dry_run, actor, 0, written, problems,
                           notes)
        try:
            session.flush()
            headers = table.headers
            header_nul = nul_problem(1, headers, ())
            if header_nul is not None:
                problems.append(header_nul)
            header = check_headers(kind, headers, importer_class.required,
                                   importer_class.optional,
                                   name_is_the_worker=importer_class.name_is_the_worker)
            problems.extend(header.problems)
            if header.ignored:
                notes.append("Ignored columns: " + ", ".join(header.ignored))
            try:
                if problems:  # refused by its header: count the rows, read no cell
                    for number, values in table.rows:
                        progress.rows_read += 1
                        if NUL in "".join(values):
                            problems.append(Problem(number, None, None, NUL_REASON))
                else:
                    _validate_and_write(session, importer_class, header.index, table, problems,
                                        written, today, batch_rows, progress)
                    notes.extend(dict.fromkeys(written.notes))
            except ReadError as unreadable:
                problems.append(Problem(unreadable.row, None, None, str(unreadable)))
            report = _finish(session, kind, path, source, dry_run, actor, progress.rows_read,
                             written, problems, notes)
        except BaseException as failure:
            _record_failure(session, kind, source, dry_run, actor, progress.rows_read, failure)
            raise
    logger.info("import %s %s%s: %s, %d rows in %.2fs (%d created, %d updated, %d unchanged, "
                "%d problems)", kind, source, " (dry run)" if dry_run else "",
                "ok" if report.ok else "refused", progress.rows_read, time.perf_counter() - started,
                report.created, report.updated, report.unchanged, report.problem_count)
    return report


def _validate_and_write(session: Session, importer_class: type[KindImporter],
                        index: dict[str, int], table: Table, problems: ProblemLog,
                        written: Written, today: date, batch_rows: int, progress: _Progress
                        ) -> None:
    """Stream the rows through the validator, writing each full batch while the file is still
    clean (`progress` counts the rows read, for the audit entry even if a write fails). A file
    unreadable part-way is a problem naming the row it stopped at."""
    importer = importer_class(session, frozenset(index), today)
    cells = RowCells(index, problems)
    headers = table.headers
    batch: list[Any] = []
    with WriteBehind(importer.write, written) as writer:
        try:
            for number, values in table.rows:
                progress.rows_read += 1
                nul = nul_problem(number, values, headers)
                if nul is not None:
                    problems.append(nul)
                    batch.clear()
                    continue
                cells.start(number, values)
                row = importer.check(cells)
                if problems:  # refused: keep nothing more, only count what else is wrong
                    batch.clear()
                    continue
                if row is not None:
                    batch.append(row)
                if len(batch) >= batch_rows:
                    writer.submit(batch)
                    batch = []
        except ReadError as unreadable:
            problems.append(Problem(unreadable.row, None, None, str(unreadable)))
            return
    importer.check_file(problems)
    if not problems:
        if batch:
            written.add(importer.write(batch))
        written.add(importer.finish())
        session.flush()
        if written.created:
            analyze_grown(session.connection(), importer.fills)


def _finish(session: Session, kind: str, path: str, source: str, dry_run: bool, actor: str,
            rows_read: int, written: Written, problems: ProblemLog, notes: list[str]
            ) -> ImportReport:
    """Commit or roll back, and record the run in the audit log either way."""
    report = ImportReport(
        kind=kind, path=path, dry_run=dry_run, rows_read=rows_read,
        created=written.created if not problems else 0,
        updated=written.updated if not problems else 0,
        unchanged=written.unchanged if not problems else 0,
        problems=tuple(problems.first), notes=tuple(notes), problem_count=problems.total,
    )
    detail = (f"rows {rows_read}, created {report.created}, updated {report.updated}, "
              f"unchanged {report.unchanged}, problems {problems.total}")
    if report.ok and not dry_run:
        session.add(_audit_entry(kind, source, dry_run, actor, "changed", detail))
        session.commit()
        session.expire_all()  # rows were written past the ORM: reload anything already loaded
    else:
        session.rollback()
        outcome = "invalid" if problems else "answered"
        session.add(_audit_entry(kind, source, dry_run, actor, outcome, detail))
        session.commit()
    return report


def _record_failure(session: Session, kind: str, source: str, dry_run: bool, actor: str,
                    rows_read: int, failure: BaseException) -> None:
    """An unexpected failure (the database gone, say): undo, and audit it if the store lets us.
    The detail names the error's type only; its message could quote a row."""
    try:
        session.rollback()
        session.add(_audit_entry(kind, source, dry_run, actor, "error",
                                 f"rows {rows_read}, failed: {type(failure).__name__}"))
        session.commit()
    except Exception as audit_failure:
        session.rollback()
        logger.error("import %s %s failed (%s) and could not be audited (%s)", kind, source,
                     type(failure).__name__, type(audit_failure).__name__)


def _audit_entry(kind: str, source: str, dry_run: bool, actor: str, outcome: str, detail: str
                 ) -> AuditEntry:
    command = f"import {kind} {source}" + (" --dry-run" if dry_run else "")
    return AuditEntry(at=datetime.now(timezone.utc), front_end="import", actor=actor,
                      command=command[:2000], scope=kind, outcome=outcome, detail=detail)
