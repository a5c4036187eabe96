"""The all-or-nothing loader: read, validate every row, then write everything or nothing.

One import is one transaction in the caller's session:
1. pending work in the session is flushed, the header row is checked (missing columns,
   child-identifying columns), and every row is validated, collecting every problem;
2. only if there is no problem at all are the rows written (bulk statements, no query per row) and
   flushed, so a dry run reports true counts and meets the same database checks;
3. a real import without problems commits, together with its audit entry; a dry run or a file
   with problems rolls back, and its audit entry is then written in a commit of its own, so a
   refused import is on record while the store is exactly as it was.

Logs carry counts, the kind and the file name only: never a cell's value.
"""

from __future__ import annotations

import logging
import time
from contextlib import closing
from datetime import date, datetime, timezone
from pathlib import Path

from sqlmodel import Session

from importers.actions import ActionsImporter
from importers.base import KindImporter, Written
from importers.cases import CasesImporter
from importers.cells import RowCells
from importers.columns import check_headers
from importers.readers import ReadError, Table, read_table, table_from_dicts
from importers.report import ImportReport, Problem
from importers.staff import StaffImporter
from importers.supervisions import SupervisionsImporter
from importers.teams import TeamsImporter
from models import AuditEntry

logger = logging.getLogger(__name__)

IMPORTERS: dict[str, type[KindImporter]] = {
    importer.kind: importer
    for importer in (TeamsImporter, StaffImporter, CasesImporter, SupervisionsImporter,
                     ActionsImporter)
}
KINDS: tuple[str, ...] = ("teams", "staff", "cases", "supervisions", "actions")


def import_file(session: Session, kind: str, path: Path, *, dry_run: bool = False, today: date,
                actor: str = "cli") -> ImportReport:
    """Import a .csv or .xlsx file of one kind (SPEC section 5), all or nothing."""
    path = Path(path)
    try:
        table = read_table(path)
    except ReadError as unreadable:
        return _finish(session, kind, str(path), path.name, dry_run, actor, 0, Written(),
                       [Problem(None, None, None, str(unreadable))], [])
    return _import(session, kind, table, path=str(path), source=path.name, dry_run=dry_run,
                   today=today, actor=actor)


def import_rows(session: Session, kind: str, rows: list[dict[str, str]], *, source: str,
                dry_run: bool = False, today: date, actor: str = "cli") -> ImportReport:
    """Import rows another reader produced (dict keys are the headers; rows[0] is row 2)."""
    return _import(session, kind, table_from_dicts(rows), path=source, source=source,
                   dry_run=dry_run, today=today, actor=actor)


def _import(session: Session, kind: str, table: Table, *, path: str, source: str, dry_run: bool,
            today: date, actor: str) -> ImportReport:
    started = time.perf_counter()
    problems: list[Problem] = []
    notes: list[str] = list(table.notes)
    written = Written()
    rows_read = 0
    importer_class = IMPORTERS.get(kind)
    with closing(table):
        if importer_class is None:
            problems.append(Problem(None, None, kind, f"not a kind of import: use one of "
                                                      f"{', '.join(KINDS)}"))
            return _finish(session, kind, path, source, dry_run, actor, 0, written, problems, notes)
        try:
            session.flush()
            header = check_headers(kind, table.headers, importer_class.required,
                                   importer_class.optional,
                                   name_is_the_worker=importer_class.name_is_the_worker)
            problems.extend(header.problems)
            if header.ignored:
                notes.append("Ignored columns: " + ", ".join(header.ignored))
            try:
                if problems:  # refused by its header: count the rows, read no cell
                    rows_read = sum(1 for _ in table.rows)
                else:
                    importer = importer_class(session, frozenset(header.index), today)
                    cells = RowCells(header.index, problems)
                    parsed = []
                    for number, values in table.rows:
                        rows_read += 1
                        cells.start(number, values)
                        row = importer.check(cells)
                        if row is not None:
                            parsed.append(row)
                    importer.check_file(problems)
                    if not problems:
                        written = importer.write(parsed)
                        notes.extend(written.notes)
                        session.flush()
                    del parsed
            except ReadError as unreadable:
                problems.append(Problem(None, None, None, str(unreadable)))
            report = _finish(session, kind, path, source, dry_run, actor, rows_read, written,
                             problems, notes)
        except BaseException as failure:
            _record_failure(session, kind, source, dry_run, actor, rows_read, failure)
            raise
    logger.info("import %s %s%s: %s, %d rows in %.2fs (%d created, %d updated, %d unchanged, "
                "%d problems)", kind, source, " (dry run)" if dry_run else "",
                "ok" if report.ok else "refused", rows_read, time.perf_counter() - started,
                report.created, report.updated, report.unchanged, len(report.problems))
    return report


def _finish(session: Session, kind: str, path: str, source: str, dry_run: bool, actor: str,
            rows_read: int, written: Written, problems: list[Problem], notes: list[str]
            ) -> ImportReport:
    """Commit or roll back, and record the run in the audit log either way."""
    report = ImportReport(
        kind=kind, path=path, dry_run=dry_run, rows_read=rows_read,
        created=written.created if not problems else 0,
        updated=written.updated if not problems else 0,
        unchanged=written.unchanged if not problems else 0,
        problems=tuple(problems), notes=tuple(notes),
    )
    detail = (f"rows {rows_read}, created {report.created}, updated {report.updated}, "
              f"unchanged {report.unchanged}, problems {len(problems)}")
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
