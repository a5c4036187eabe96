"""`import DIR`: every file of an extract folder, in dependency order, in one transaction.

A council's nightly extract is a folder of files, not one file, and its kinds depend on each
other: staff name their teams, teams name their managers, cases name both. Loading the folder as
one unit removes the hand-run order (and the blanked `manager_id` column) from set-up, and makes
"all or nothing" hold for the whole extract: one problem in any file, and the store is exactly as
it was.

Files are recognised by name: `teams`, `staff`, `cases`, `supervisions` and `actions` as .csv or
.xlsx (the name's first word: `cases_2026-03-02.csv` is a cases file); an Annex A workbook
(.xlsx or .xlsm with "annex a" in its name); a workforce census return (any .xml, or a .csv with
"census" or "csww" in its name). Subfolders (the nightly job's `done/` and `failed/`) and hidden
files are skipped; any other file refuses the folder, since a file nobody loads is a mistake.

Each file goes through its own importer exactly as `import KIND FILE` does, each inside a
savepoint of the one outer transaction, so each file's checks see the files loaded before it.
The outer transaction commits only when every file was accepted (and never on a dry run).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from importers.columns import normalise_header
from importers.keys import id_key
from importers.loader import import_file
from importers.readers import ReadError, read_table
from importers.report import ImportReport, Problem
from importers.runs import closed_rows, run_record
from importers.teams import DEFERRED_MANAGERS, DeferredManagers
from models import AuditEntry

#: The order kinds load in: each names only kinds before it (teams' managers are deferred).
ORDER: tuple[str, ...] = ("teams", "staff", "census", "cases", "annex-a", "supervisions",
                          "actions")
TABLE_KINDS = {"teams": "teams", "staff": "staff", "cases": "cases", "supervisions":
               "supervisions", "supervision": "supervisions", "actions": "actions"}
TABLE_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class FolderReport:
    """What a folder load did: each file's own report, in load order, and problems with the
    folder itself (a file not recognised, two files of one kind, no files at all)."""

    folder: str
    dry_run: bool
    files: tuple[ImportReport, ...]
    problems: tuple[str, ...] = ()
    closed: tuple[int, ...] = ()  # per file, as `files`

    @property
    def ok(self) -> bool:
        return not self.problems and all(report.ok for report in self.files)

    @property
    def changed(self) -> bool:
        return any(report.created or report.updated for report in self.files) or any(self.closed)

    def every_problem(self) -> list[str]:
        """Each problem with its file and row, for a person to fix."""
        found = list(self.problems)
        for report in self.files:
            found.extend(f"{Path(report.path).name}: {problem}" for problem in report.problems)
        return found

    def counts(self) -> list[str]:
        """One line per file: rows created, updated and closed."""
        return [
            f"{report.kind} ({Path(report.path).name}): {report.created} created, "
            f"{report.updated} updated, {closed} closed, {report.unchanged} unchanged"
            for report, closed in zip(self.files, self.closed or (0,) * len(self.files))
        ]

    def summary(self, limit: int | None = 100) -> str:
        if not self.ok:
            found = self.every_problem()
            shown = found if limit is None else found[:limit]
            text = (f"Refused the folder {self.folder}: {len(found)} problem"
                    f"{'' if len(found) == 1 else 's'}, nothing was saved.\n  "
                    + "\n  ".join(shown))
            if len(shown) < len(found):
                text += f"\n  and {len(found) - len(shown)} more"
            return text
        head = (f"Dry run of the folder {self.folder} (nothing was saved):" if self.dry_run
                else f"Imported the folder {self.folder}:")
        return "\n  ".join([head, *self.counts()])


def recognise(path: Path) -> str | None:
    """The kind of import a file's name says it holds, or None."""
    words = normalise_header(path.stem).split("_")
    suffix = path.suffix.lower()
    spaced = " ".join(words)
    if suffix in (".xlsx", ".xlsm") and ("annex a" in spaced or "annexa" in words):
        return "annex-a"
    if suffix == ".xml" or (suffix == ".csv" and {"census", "csww"} & set(words)):
        return "census"
    if suffix in TABLE_SUFFIXES:
        return TABLE_KINDS.get(words[0])
    return None


def folder_files(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """The folder's files by kind, and the problems with the folder as a whole."""
    found: dict[str, Path] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return found, [f"{folder} is not a folder"]
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.name.startswith((".", "~$")):
            continue
        kind = recognise(path)
        if kind is None:
            problems.append(
                f"{path.name}: not a file this import recognises — name it teams, staff, cases, "
                "supervisions or actions (.csv or .xlsx), an Annex A workbook (.xlsx with "
                "'annex a' in its name) or a census return (.xml), or move it out of the folder")
        elif kind in found:
            problems.append(f"{path.name}: a second {kind} file (the first is "
                            f"{found[kind].name}) — keep one file of each kind")
        else:
            found[kind] = path
    if not found and not problems:
        problems.append(f"{folder.name}: no files to import")
    return found, problems


def staff_keys(path: Path) -> frozenset[str]:
    """The staff ids a staff file will add or update, read before anything is loaded, so a
    teams file may name them as managers. An unreadable file yields none: its own import will
    say what is wrong with it."""
    try:
        with closing(read_table(path)) as table:
            headers = [normalise_header(header) for header in table.headers]
            if "staff_id" not in headers:
                return frozenset()
            column = headers.index("staff_id")
            return frozenset(id_key(values[column]) for _number, values in table.rows
                             if column < len(values) and values[column].strip())
    except ReadError:
        return frozenset()


def _loader(kind: str) -> Callable[..., ImportReport]:
    if kind == "annex-a":
        from importers.annex_a import import_annex_a
        return import_annex_a
    if kind == "census":
        from importers.census import import_census
        return import_census
    return lambda session, path, **options: import_file(session, kind, path, **options)


def _begin(connection: Connection) -> None:
    """SQLite's driver begins a transaction lazily, at the first write; a savepoint before that
    would start (and on release, end) a transaction of its own. Begin the outer one now."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")


def import_folder(engine: Engine, folder: Path, *, dry_run: bool = False, today: date,
                  actor: str = "cli", folder_hash: str | None = None) -> FolderReport:
    """Load every recognised file of `folder`, all or nothing (module docstring).
    `folder_hash` (the nightly ingest's) is kept on each import_run row of the load."""
    folder = Path(folder)
    files, problems = folder_files(folder)
    if problems:
        report = FolderReport(str(folder), dry_run, (), tuple(problems))
        _record_refusal(engine, report, actor, folder_hash)
        return report

    deferred = DeferredManagers(staff_keys(files["staff"]) if "staff" in files else frozenset())
    reports: list[ImportReport] = []
    closed: list[int] = []
    with engine.connect() as connection:
        transaction = connection.begin()
        _begin(connection)
        with Session(bind=connection, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as session:
            for kind in (kind for kind in ORDER if kind in files):
                before = closed_rows(session.connection(), kind)
                token = DEFERRED_MANAGERS.set(deferred if kind == "teams" else None)
                try:
                    report = _loader(kind)(session, files[kind], today=today, actor=actor)
                finally:
                    DEFERRED_MANAGERS.reset(token)
                if kind == "staff" and report.ok and all(r.ok for r in reports):
                    deferred.link(session.connection())
                    session.commit()
                closed.append(closed_rows(session.connection(), kind) - before)
                reports.append(replace(report, dry_run=dry_run) if report.ok else report)
            result = FolderReport(str(folder), dry_run, tuple(reports), (), tuple(closed))
            if result.ok and not dry_run:
                now = datetime.now(timezone.utc)
                session.add_all(run_record(report, actor=actor, closed=count, at=now,
                                           folder_hash=folder_hash)
                                for report, count in zip(reports, closed))
                session.add(_audit(result, actor, "changed"))
                session.commit()
                transaction.commit()
                return result
        transaction.rollback()
    if not result.ok:
        _record_refusal(engine, result, actor, folder_hash)
    else:
        with Session(engine) as session:
            session.add(_audit(result, actor, "answered"))
            session.commit()
    return result


def _record_refusal(engine: Engine, report: FolderReport, actor: str,
                    folder_hash: str | None) -> None:
    """A refused folder is on record (audit log and import_run) while the store is unchanged:
    a row per file, or one of kind "folder" when the folder itself was refused."""
    with Session(engine) as session:
        if not report.dry_run:
            now = datetime.now(timezone.utc)
            files = report.files or (ImportReport(
                "folder", report.folder, False, 0, 0, 0, 0,
                tuple(Problem(None, None, None, problem) for problem in report.problems)),)
            session.add_all(run_record(file, actor=actor, refused=True, at=now,
                                       folder_hash=folder_hash) for file in files)
        session.add(_audit(report, actor, "invalid"))
        session.commit()


def _audit(report: FolderReport, actor: str, outcome: str) -> AuditEntry:
    command = f"import {report.folder}" + (" --dry-run" if report.dry_run else "")
    detail = "; ".join(report.counts()) if report.ok else \
        f"problems {len(report.every_problem())}"
    return AuditEntry(at=datetime.now(timezone.utc), front_end="import", actor=actor[:254],
                      command=command[:2000], scope="folder", outcome=outcome,
                      detail=detail[:2000])


__all__ = ["FolderReport", "ORDER", "folder_files", "import_folder", "recognise"]
