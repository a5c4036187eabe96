"""The DfE children's social work workforce census return (CSWW) → staff, matched on `swe_no`.

    report = import_census(session, Path("csww_2025.xml"), today=date.today())

The return is the council's XML file (``<Message>`` … ``<CSWWWorker>`` records) or a CSV with the
same element names as column headers (any case). One record per worker; each is merged into the
staff record whose `swe_no` (Social Work England number) matches, ignoring case and spaces:

- `FTE` (else `FTE30`) → `fte`, above 0 and at most 1. Councils file 0 for a worker who has
  left: accepted for a leaver (a record with a RoleEndDate), whose stored FTE is kept (turnover
  counts the FTE they left), and refused with that reason for anyone else.
- `AgencyWorker` → `agency` (1 agency, 0 employed; Y/N also read).
- `OrgRole` → `role`: 1 senior manager → head_of_service; 2 middle manager and 3 first line
  manager → team_manager; 4 senior practitioner → senior_practitioner; 5 case holder and
  6 qualified without cases → social_worker. A stored role already of that kind is kept
  (`ROLES_KEPT`: an NQSW, personal adviser or advanced practitioner is not flattened to
  social_worker; a head of service coded as a middle manager stays one), and `admin`, a permission
  in the bot rather than a job, is never changed.
- `RoleStartDate` → `start_date`.
- `RoleEndDate` → `end_date`; blank leaves a stored leaving date alone (the worker may have left
  after the census date).
- `ReasonLeave` → `leaving_reason`, as the code's label ("Resignation"…), with a leaving date only.
- `CFKSSstatus` 1 (the ASYE), or `StartOrigin` 1 (newly qualified) → `asye_start` = RoleStartDate
  (else the stored start date), only when the staff record has none; a recorded ASYE start is
  kept. CFKSSstatus 2-4 (frontline practitioner, practice supervisor, practice leader) change
  nothing.
- `Cases30` and the return's `LALevelVacancies` are not stored: the report quotes the return's
  own average caseload and vacancies, to check against `export census-summary`.

Never read: `PersonBirthDate`, `GenderCurrent`, `Ethnicity`, `Disability` and every other element
or column not named above. They are never copied out of the parser, so never stored, logged or
echoed. A record whose SWENo matches no staff record is a problem: the census never creates a
staff record (create it with a `staff` import, then set its `swe_no`). A SWENo on several records
(a worker who left and came back in the year) keeps the record with no RoleEndDate, or else the
one that ended last; two records with no RoleEndDate are a problem.

The merged rows then go through the `staff` importer (`import_rows`), so validation, upsert and
the audit entry are those of a staff file; the file is all or nothing like any other import.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.parsers import expat

from sqlalchemy import select
from sqlmodel import Session

from config import get_settings
from importers.annex_a import audit_refusal
from importers.cells import parse_date
from importers.loader import import_rows
from importers.readers import ReadError, open_csv_text
from importers.report import ImportReport, Problem, ProblemLog
from models import Service, Staff, Team

KIND = "census"

#: The worker elements read; nothing else in a record is looked at.
WORKER_FIELDS: tuple[str, ...] = (
    "SWENo", "AgencyWorker", "FTE", "FTE30", "OrgRole", "RoleStartDate", "RoleEndDate",
    "StartOrigin", "ReasonLeave", "CFKSSstatus", "Cases30",
)
#: The council-level elements read (quoted in the report, not stored).
RETURN_FIELDS: tuple[str, ...] = (
    "ReferenceDate", "NumberOfVacancies", "NoAgencyFTE", "NoAgencyHeadcount",
)

#: OrgRole code → (label, the staff role it gives).
ORG_ROLES: dict[str, tuple[str, str]] = {
    "1": ("senior manager", "head_of_service"),
    "2": ("middle manager", "team_manager"),
    "3": ("first line manager", "team_manager"),
    "4": ("senior practitioner", "senior_practitioner"),
    "5": ("case holder", "social_worker"),
    "6": ("qualified without cases", "social_worker"),
}
#: OrgRole code → stored roles left as they are (already the census role, more precisely said).
ROLES_KEPT: dict[str, frozenset[str]] = {
    "1": frozenset({"head_of_service"}),
    "2": frozenset({"team_manager", "head_of_service"}),
    "3": frozenset({"team_manager"}),
    "4": frozenset({"senior_practitioner", "advanced_practitioner"}),
    "5": frozenset({"social_worker", "practitioner", "nqsw", "personal_advisor"}),
    "6": frozenset({"social_worker", "practitioner", "nqsw", "personal_advisor",
                    "advanced_practitioner"}),
}
NEVER_CHANGED_ROLES = frozenset({"admin"})
#: ReasonLeave code → the leaving reason stored.
LEAVING_REASONS: dict[str, str] = {
    "1": "Resignation", "2": "Voluntary redundancy", "3": "Compulsory redundancy",
    "4": "Dismissed", "5": "Retired", "6": "Deceased",
    "7": "Moved to a non-child and family social work role within the council",
    "8": "Other", "9": "Not known", "10": "Not yet collected",
}
#: CFKSSstatus codes (knowledge and skills statement); 1 is the ASYE.
KSS_LEVELS: dict[str, str] = {
    "1": "ASYE", "2": "frontline practitioner", "3": "practice supervisor", "4": "practice leader",
}
ASYE_KSS = "1"
NEWLY_QUALIFIED_START_ORIGIN = "1"

#: Staff columns → the census element a problem with it is about.
STAFF_COLUMN_ELEMENT = {
    "fte": "FTE", "agency": "AgencyWorker", "role": "OrgRole", "start_date": "RoleStartDate",
    "end_date": "RoleEndDate", "leaving_reason": "ReasonLeave", "asye_start": "CFKSSstatus",
}

_YES = frozenset({"1", "y", "yes", "true"})
_NO = frozenset({"0", "n", "no", "false"})


def _key(text: str) -> str:
    """Element names and codes as matched: letters and digits only, lower case."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


_WORKER_FIELD_BY_KEY = {_key(name): name for name in WORKER_FIELDS}
_CODE_BY_LABEL = {
    "OrgRole": {_key(label): code for code, (label, _role) in ORG_ROLES.items()},
    "ReasonLeave": {_key(label): code for code, label in LEAVING_REASONS.items()},
    "CFKSSstatus": {_key(label): code for code, label in KSS_LEVELS.items()}
    | {"assessedandsupportedyearinemployment": "1", "ayse": "1"},
}


def swe_key(swe_no: str) -> str:
    return re.sub(r"\s", "", swe_no).upper()


# Reading ---------------------------------------------------------------------------------

@dataclass
class Record:
    """One worker record: its place in the file and the read elements (text; CFKSSstatus may
    repeat, so values are lists)."""

    number: int
    values: dict[str, list[str]]

    def get(self, name: str) -> str:
        found = self.values.get(name)
        return found[0].strip() if found else ""

    def all(self, name: str) -> list[str]:
        return [value.strip() for value in self.values.get(name, []) if value.strip()]


@dataclass
class Return:
    is_xml: bool
    records: list[Record] = field(default_factory=list)
    council: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def where(self, record: Record, element: str) -> tuple[int | None, str]:
        """(row, column) for a problem: CSV rows by number; XML records by their position."""
        if self.is_xml:
            swe = record.get("SWENo")
            return None, f"CSWWWorker {record.number}{f' ({swe})' if swe else ''}: {element}"
        return record.number, element


class _XmlReader:
    """A streaming expat reader: only the wanted elements' text is ever kept."""

    def __init__(self, result: Return) -> None:
        self.result = result
        self.path: list[str] = []
        self.worker: Record | None = None
        self.capturing: str | None = None
        self.text: list[str] = []
        self.workers = 0

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        local = name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
        parent = self.path[-1] if self.path else None
        self.path.append(local)
        if local == "CSWWWorker":
            self.workers += 1
            self.worker = Record(self.workers, defaultdict(list))
        elif parent == "CSWWWorker" and self.worker is not None and local in WORKER_FIELDS:
            self.capturing, self.text = local, []
        elif local in RETURN_FIELDS and self.worker is None:
            self.capturing, self.text = local, []

    def characters(self, data: str) -> None:
        if self.capturing is not None:
            self.text.append(data)

    def end(self, name: str) -> None:
        local = self.path.pop()
        if self.capturing == local:
            if self.worker is not None:
                self.worker.values[local].append("".join(self.text))
            else:
                self.result.council[local] = "".join(self.text).strip()
            self.capturing, self.text = None, []
        elif local == "CSWWWorker" and self.worker is not None:
            self.result.records.append(self.worker)
            self.worker = None


def _refuse_dtd(*_args: object) -> None:
    raise ValueError("a census return has no document type or entity declarations")


def _read_xml(path: Path, result: Return) -> None:
    reader = _XmlReader(result)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.characters
    parser.StartDoctypeDeclHandler = _refuse_dtd  # no DTD, so no entity expansion attacks
    parser.EntityDeclHandler = _refuse_dtd
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as bad:
        result.problems.append(Problem(None, None, None, f"{path.name} is not well-formed XML "
                                                         f"(line {bad.lineno}): is it the "
                                                         "census return?"))
    except ValueError as refused:
        result.problems.append(Problem(None, None, None, f"{path.name} refused: {refused}"))
    if not result.problems and reader.workers == 0:
        result.problems.append(Problem(None, None, None, f"{path.name} has no CSWWWorker "
                                                         "records: is it the census return?"))


def _read_csv(path: Path, result: Return) -> None:
    """The CSV form, streamed (only the mapped columns of each record are kept)."""
    try:
        with open_csv_text(path) as handle:
            _read_csv_rows(path, csv.reader(handle), result)
    except ReadError as unreadable:
        result.problems.append(Problem(None, None, None, str(unreadable)))


def _read_csv_rows(path: Path, reader: Iterator[list[str]], result: Return) -> None:
    headers = next(reader, None) or []
    index: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = _WORKER_FIELD_BY_KEY.get(_key(header))
        if name is not None and name not in index:
            index[name] = position
    if "SWENo" not in index:
        result.problems.append(Problem(None, "SWENo", None, "missing column: a census CSV needs "
                                                            "the SWENo column (and FTE, "
                                                            "AgencyWorker, OrgRole...)"))
        return
    try:
        for number, values in enumerate(reader, start=2):
            wanted = {name: [values[position]] for name, position in index.items()
                      if position < len(values)}
            if any(value[0].strip() for value in wanted.values()):
                result.records.append(Record(number, wanted))
    except csv.Error as bad:
        result.problems.append(Problem(None, None, None, f"{path.name} stops being readable CSV "
                                                         f"({bad})"))


def read_return(path: Path) -> Return:
    path = Path(path)
    suffix = path.suffix.lower()
    result = Return(is_xml=suffix == ".xml")
    if not path.is_file():
        result.problems.append(Problem(None, None, None, f"cannot read {path.name}: no such file"))
    elif suffix == ".xml":
        _read_xml(path, result)
    elif suffix == ".csv":
        _read_csv(path, result)
    else:
        result.problems.append(Problem(None, None, None, f"{path.name}: the census return must be "
                                                         "the .xml file, or a .csv"))
    return result


# Checking and merging --------------------------------------------------------------------

@dataclass
class Worker:
    """A record's values, parsed; None where the return does not say."""

    record: Record
    swe_no: str
    agency: bool | None = None
    fte: float | None = None
    org_role: str | None = None
    start: date | None = None
    end: date | None = None
    reason_leave: str | None = None
    kss: tuple[str, ...] = ()
    start_origin: str | None = None
    cases30: int | None = None
    zero_fte_leaver: bool = False  # FTE 0 with a RoleEndDate: the stored FTE is kept


class _Checker:
    def __init__(self, result: Return) -> None:
        self.result = result

    def problem(self, record: Record, element: str, value: str | None, reason: str) -> None:
        row, column = self.result.where(record, element)
        self.result.problems.append(Problem(row, column, value, reason))

    def code(self, record: Record, element: str, codes: dict[str, str], value: str
             ) -> str | None:
        if value in codes:
            return value
        by_label = _CODE_BY_LABEL.get(element, {}).get(_key(value))
        if by_label is None:
            self.problem(record, element, value, "not a census code: use one of "
                                                 + ", ".join(codes))
        return by_label

    def date(self, record: Record, element: str) -> date | None:
        text = record.get(element)
        if not text:
            return None
        parsed = parse_date(text)
        if isinstance(parsed, str):
            self.problem(record, element, text, parsed)
            return None
        return parsed

    def worker(self, record: Record) -> Worker | None:
        swe = swe_key(record.get("SWENo"))
        if not swe:
            self.problem(record, "SWENo", None, "blank: every worker record needs its SWENo")
            return None
        worker = Worker(record, swe)
        agency = record.get("AgencyWorker")
        if agency:
            if agency.lower() in _YES:
                worker.agency = True
            elif agency.lower() in _NO:
                worker.agency = False
            else:
                self.problem(record, "AgencyWorker", agency, "not 0 or 1 (1: agency worker)")
        for element in ("FTE", "FTE30"):
            text = record.get(element)
            if not text:
                continue
            try:
                fte = float(text)
            except ValueError:
                fte = math.nan
            if fte == 0 and record.get("RoleEndDate"):
                worker.zero_fte_leaver = True
                continue
            if fte == 0:
                self.problem(record, element, text,
                             "0 FTE, but no RoleEndDate: only a leaver may have 0 FTE in the "
                             "return. Give this worker's FTE (above 0, at most 1, e.g. 0.8), "
                             "or the date they left in RoleEndDate")
            elif not (math.isfinite(fte) and 0 < fte <= 1):
                self.problem(record, element, text, "not a full-time equivalent above 0 and at "
                                                    "most 1, e.g. 0.8")
            elif worker.fte is None:
                worker.fte = fte
        role = record.get("OrgRole")
        if role:
            worker.org_role = self.code(record, "OrgRole", {c: label for c, (label, _r)
                                                            in ORG_ROLES.items()}, role)
        worker.start = self.date(record, "RoleStartDate")
        worker.end = self.date(record, "RoleEndDate")
        if worker.start and worker.end and worker.end < worker.start:
            self.problem(record, "RoleEndDate", record.get("RoleEndDate"),
                         f"before RoleStartDate ({worker.start.isoformat()})")
        reason = record.get("ReasonLeave")
        if reason:
            worker.reason_leave = self.code(record, "ReasonLeave", LEAVING_REASONS, reason)
        worker.kss = tuple(
            code for value in record.all("CFKSSstatus")
            if (code := self.code(record, "CFKSSstatus", KSS_LEVELS, value)) is not None
        )
        worker.start_origin = record.get("StartOrigin") or None
        cases = record.get("Cases30")
        if cases:
            if cases.isdigit():
                worker.cases30 = int(cases)
            else:
                self.problem(record, "Cases30", cases, "not a whole number of cases")
        return worker


def _one_per_worker(workers: list[Worker], checker: _Checker) -> list[Worker]:
    by_swe: dict[str, list[Worker]] = defaultdict(list)
    for worker in workers:
        by_swe[worker.swe_no].append(worker)
    kept = []
    for records in by_swe.values():
        current = [w for w in records if w.end is None]
        if len(current) > 1:
            numbers = ", ".join(str(w.record.number) for w in current)
            checker.problem(current[1].record, "SWENo", current[1].swe_no,
                            f"on {len(current)} records with no RoleEndDate (records {numbers}): "
                            "a worker in post has one record")
            continue
        kept.append(current[0] if current else max(records, key=lambda w: w.end or date.min))
    return kept


def _role(worker: Worker, stored_role: str) -> str:
    if worker.org_role is None or stored_role in NEVER_CHANGED_ROLES:
        return stored_role
    if stored_role in ROLES_KEPT[worker.org_role]:
        return stored_role
    return ORG_ROLES[worker.org_role][1]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _staff_row(worker: Worker, stored: Any, placed: str) -> dict[str, str]:
    """The staff file row for a matched worker: the stored record, with what the census says."""
    start = worker.start or stored.start_date
    asye_start = stored.asye_start
    if asye_start is None and (ASYE_KSS in worker.kss
                               or worker.start_origin == NEWLY_QUALIFIED_START_ORIGIN):
        asye_start = start
    reason = stored.leaving_reason
    if worker.end is not None and worker.reason_leave is not None:
        reason = LEAVING_REASONS[worker.reason_leave]
    agency = worker.agency if worker.agency is not None else stored.agency
    return {
        "staff_id": stored.staff_id, "name": stored.name, "email": stored.email,
        "role": _role(worker, stored.role), "team": placed,
        "fte": repr(float(worker.fte if worker.fte is not None else stored.fte)),
        "start_date": _iso(start), "agency": "Y" if agency else "N",
        "end_date": _iso(worker.end or stored.end_date), "leaving_reason": reason or "",
        "asye_start": _iso(asye_start),
    }


def _read_back(problem: Problem, merged: list[Worker], result: Return) -> Problem:
    """A problem the staff importer found in a merged row, placed on the census record."""
    index = (problem.row or 0) - 2
    if not 0 <= index < len(merged):
        return problem
    worker = merged[index]
    element = STAFF_COLUMN_ELEMENT.get(problem.column or "")
    if element is None:  # about the stored staff record itself (its team, e-mail...)
        row, column = result.where(worker.record, "SWENo")
        return Problem(row, column, worker.swe_no,
                       f"the matching staff record's {problem.column}: {problem.reason} "
                       "(fix it with a staff import)")
    row, column = result.where(worker.record, element)
    return Problem(row, column, problem.value, problem.reason)


def _return_notes(result: Return, workers: list[Worker]) -> list[str]:
    notes = []
    reference = result.council.get("ReferenceDate")
    holders = [w for w in workers if w.end is None and w.cases30 and w.fte]
    if holders:
        cases = sum(w.cases30 or 0 for w in holders)
        fte = sum(w.fte or 0.0 for w in holders)
        notes.append(f"the return's own average caseload{f' on {reference}' if reference else ''}"
                     f": {cases} cases (Cases30) ÷ {round(fte, 2):g} FTE of "
                     f"{len(holders)} case holders = {cases / fte:.1f} (not stored; compare "
                     "'export census-summary')")
    leavers = sum(1 for w in workers if w.zero_fte_leaver and w.fte is None)
    if leavers:
        notes.append(f"{leavers} leaver{'' if leavers == 1 else 's'} with FTE 0 in the return "
                     "keep the FTE stored for them (the FTE they left, which turnover counts)")
    vacancies = result.council.get("NumberOfVacancies")
    if vacancies:
        agency = result.council.get("NoAgencyFTE")
        notes.append(f"the return's vacancies: {vacancies} FTE"
                     + (f", agency cover {agency} FTE" if agency else "") + " (not stored)")
    return notes


def import_census(session: Session, path: Path, *, dry_run: bool = False, today: date,
                  actor: str = "cli", problems: ProblemLog | None = None) -> ImportReport:
    """Merge a workforce census return into staff by swe_no, all or nothing (module docstring).
    `problems` receives every problem, placed on the return's records (`--report FILE`)."""
    log = problems if problems is not None else ProblemLog.from_settings(get_settings())
    path = Path(path)
    result = read_return(path)
    checker = _Checker(result)
    parsed = [w for record in result.records if (w := checker.worker(record)) is not None]
    workers = _one_per_worker(parsed, checker)

    staff, team, service = Staff.__table__, Team.__table__, Service.__table__
    connection = session.connection()
    stored_by_swe = {
        swe_key(row.swe_no): row
        for row in connection.execute(
            select(staff.c.staff_id, staff.c.name, staff.c.email, staff.c.role, staff.c.team_id,
                   staff.c.service_id, staff.c.fte, staff.c.agency, staff.c.start_date,
                   staff.c.end_date, staff.c.leaving_reason, staff.c.asye_start, staff.c.swe_no)
            .where(staff.c.swe_no.is_not(None))
        )
    }
    team_names = dict(connection.execute(select(team.c.id, team.c.name)).all())
    service_names = dict(connection.execute(select(service.c.id, service.c.name)).all())

    merged: list[Worker] = []
    rows: list[dict[str, str]] = []
    for worker in workers:
        stored = stored_by_swe.get(worker.swe_no)
        if stored is None:
            checker.problem(worker.record, "SWENo", worker.swe_no,
                            "no staff record has this swe_no: the census never creates staff; "
                            "import them as staff, or set swe_no on their staff record")
            continue
        placed = team_names.get(stored.team_id) or service_names.get(stored.service_id) or ""
        merged.append(worker)
        rows.append(_staff_row(worker, stored, placed))

    notes = [f"{len(result.records)} worker records read; birth date, gender, ethnicity and the "
             "other personal details are never read"]
    absent = len(set(stored_by_swe) - {w.swe_no for w in workers})
    if absent:
        notes.append(f"{absent} staff with a swe_no are not in the return (left unchanged)")
    ignored_reasons = sum(1 for w in workers if w.reason_leave and w.end is None)
    if ignored_reasons:
        notes.append(f"{ignored_reasons} ReasonLeave codes without a RoleEndDate were not used")
    notes.extend(_return_notes(result, workers))

    if result.problems:
        log.extend(result.problems)
        audit_refusal(session, KIND, path.name, dry_run, actor, len(result.records), log.total)
        return ImportReport(KIND, str(path), dry_run, len(result.records), 0, 0, 0,
                            tuple(log.first), tuple(notes), problem_count=log.total)
    inner = import_rows(session, "staff", rows, source=f"{path.name} (workforce census)",
                        dry_run=dry_run, today=today, actor=actor,
                        problems=log.within(lambda p: _read_back(p, merged, result)))
    return ImportReport(
        KIND, str(path), dry_run, len(result.records), inner.created, inner.updated,
        inner.unchanged, tuple(log.first), tuple(notes) + inner.notes, problem_count=log.total,
    )


__all__ = ["LEAVING_REASONS", "ORG_ROLES", "ROLES_KEPT", "import_census", "read_return",
           "swe_key"]
