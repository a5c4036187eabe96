"""The Ofsted ILACS Annex A workbook → cases: lists 6 (children in need), 7 (child protection),
8 (children looked after) and 9 (care leavers).

    report = import_annex_a(session, Path("annex_a.xlsx"), today=date.today())

What is read, and what is not
- Only sheets whose name says list 6, 7, 8 or 9 ("List 6", "List_6", "List 6 - Children in need");
  the other lists are never opened.
- Only the columns mapped below (`FIELDS`). Annex A also carries each child's date of birth,
  gender, ethnicity, disability, UASC status, postcode and more: those columns are never mapped,
  so their cells are never copied out of the row openpyxl hands over, and never stored, logged or
  echoed (not even in a problem: a problem only quotes a mapped cell). The report counts the
  columns left unread, without naming them.
- Headers match case-, space- and punctuation-insensitively, with the variants councils' systems
  write (after the patterns of SocialFinanceDigitalLabs/liia-tools' Annex A schema). The header
  row is the first of a sheet's first 10 rows that names the child's unique ID.

How a child becomes a case
- "Child Unique ID" is the case reference; the list gives the case type: 6 CIN, 7 CP, 8 LAC,
  9 CL. A child on more than one list is one case, of the most protective type among the lists
  where the child's episode is open on the import day: CP, then LAC, then CIN, then CL (a child on
  lists 6 and 7 is CP; a looked-after child also on a plan is CP, as CP visits are the most
  frequent). When none is open, the episode that ended last is kept (closed). Two rows for the
  child on one list: the open one, else the latest to start. The chosen row gives every field.
- Start and end: CIN start / closure date (list 6), plan start / end (7), date started / ceased to
  be looked after (8). List 9 has no start column in the Ofsted template: an optional "date ceased
  to be looked after" (or "care leaver start date") is used when present; otherwise, as for a
  list 6 row with a blank CIN start date, the case keeps its stored start date, or starts on the
  import day when new (the report counts these). Lists 7 and 8 must give a start date.
- Last visit: "Date Child Was Last Seen" / "Date of (the) Last Statutory Visit" (6, 7), "Date of
  Last Social Work Visit" (8), "Latest Date of Contact" (9). List 8 also gives the placement start
  and whether the placement is long-term fostering (placement type U1 or U4, meant to last to 18),
  which the LAC visit rule uses. Where list 8 also gives the child's legal status, a child placed
  with a parent (placement type P1) under an interim care order (legal status C1) or a care order
  (C2) gets the `placement_type` of reg 28(4) or 28(5) (`parent_interim_care_order`,
  `parent_care_order`); any other placement the general rule (blank). Connected-person placements
  under reg 24 cannot be told from Annex A's codes: the cases file says so.
- Next review due, from the latest review (SPEC section 4 names no review timescales; these are
  the statutory ones, as constants below):
  CP (Working Together 2023): the first review conference within 3 months of the plan starting,
  then at most 6 months after the latest review conference.
  LAC (Care Planning, Placement and Case Review Regulations 2010, reg 33): the first review within
  20 working days of the child becoming looked after, the second within 3 months of the first,
  then every 6 months. Simplification: Annex A gives only the latest review's date, so a latest
  review within 3 months of the start of care is taken to be the first review (next due 3 months
  after it), any later one the second or a later review (next due 6 months after it).
  CL: the pathway plan reviewed at least every 6 months, from the latest review; none recorded
  leaves the case's stored due date (if it was a CL case) or none.
  CIN: Annex A carries no CIN plan review date, so a CIN case keeps its stored due date (if it
  was a CIN case). A review dated before the episode started belongs to an earlier episode and is
  ignored. A closed case has no review due.
- Team: "Allocated Team" must name a team in the store (case, spaces and punctuation ignored); a
  blank team takes the allocated worker's team. An unknown team is a problem.
- Lead worker: "Allocated Worker" (list 9: "Allocated Personal Advisor", else the allocated
  worker) matched, in order, on a staff id; on a unique normalised name (case, spaces and
  punctuation ignored, "Surname, Forename" read as "Forename Surname"); then on the staff
  `annex_a_name` column, which is how a council settles a name its system writes differently or
  that two members of staff share. Blank, "unallocated", "not allocated" (and the like) make the
  case unallocated. Every unmatched or ambiguous worker is listed once, with the rows it is on,
  and the import refused: nothing is half-loaded.

Then the derived rows go through the `cases` importer (`import_rows`), so validation, upsert on
`case_ref`, allocation history and the audit entry are the same as for a cases extract. Only the
mapped fields are passed; a co-worker recorded in the store is left alone.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlmodel import Session

from config import get_settings
from importers.base import batches
from importers.cells import parse_date
from importers.keys import id_key
from importers.loader import IMPORTERS, import_rows
from importers.readers import cell_to_text
from importers.report import ImportReport, Problem, ProblemLog
from models import AuditEntry, Case, Staff, Team
from queries.calendar import add_working_days

KIND = "annex-a"
logger = logging.getLogger(__name__)

#: Annex A list → case type.
LIST_CASE_TYPES: dict[int, str] = {6: "CIN", 7: "CP", 8: "LAC", 9: "CL"}
#: A child on several lists is one case of the first of these types among their open episodes.
MOST_PROTECTIVE_FIRST: tuple[str, ...] = ("CP", "LAC", "CIN", "CL")

# Review timescales (see the module docstring for their sources).
CP_FIRST_REVIEW_MONTHS = 3
CP_REVIEW_MONTHS = 6
LAC_FIRST_REVIEW_WORKING_DAYS = 20
LAC_SECOND_REVIEW_MONTHS = 3
LAC_REVIEW_MONTHS = 6
LAC_FIRST_REVIEW_WINDOW_MONTHS = 3  # a latest review this soon after entry is the first review
PATHWAY_REVIEW_MONTHS = 6

#: Rows searched for the header row (title rows above it are common).
HEADER_SEARCH_ROWS = 10
#: Excel's "no value available" (a failed lookup in the council's own workbook): read as blank
#: in every column, and each place listed as a warning so the council can fix its formulas.
NOT_AVAILABLE = frozenset({"#n/a", "#n/a n/a", "n/a#"})
#: Rows listed per column in the #N/A warning (the rest are counted).
NOT_AVAILABLE_ROWS_SHOWN = 10
#: Allocated-worker cells that mean nobody is allocated (compared as normalised names).
UNALLOCATED = frozenset({
    "", "unallocated", "not allocated", "no allocated worker", "no worker", "none", "na", "n a",
    "awaiting allocation", "to be allocated", "tba", "no social worker allocated",
})
#: Placement types (SSDA903) meant to last until the child is 18: long-term fostering.
LONG_TERM_PLACEMENT = re.compile(r"\bu[14]\b|long term")
#: Placement type P1 (SSDA903): placed with own parent(s) or another person with parental
#: responsibility; legal status C1 interim care order, C2 full care order (reg 28(4) and (5)).
PLACED_WITH_PARENT = re.compile(r"\bp1\b|with (own )?parent")
INTERIM_CARE_ORDER = re.compile(r"\bc1\b|interim care order")
CARE_ORDER = re.compile(r"\bc2\b|full care order|\bcare order")
#: Where a problem lists a worker's other rows, at most this many are named.
PLACES_NAMED = 5

_SHEET_LIST = re.compile(r"(?<![a-z])list[\s_\-.]*0?(\d{1,2})(?!\d)", re.IGNORECASE)


# Header matching ---------------------------------------------------------------------------

def normalise_text(text: str) -> str:
    """Lower case, apostrophes dropped, any other punctuation a space, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("'", "").replace("\u2019", "").replace("`", "")
    return " ".join(re.findall(r"[^\W_]+", text))


@dataclass(frozen=True)
class Field:
    """One mapped column: what it holds, the Ofsted header, and the variants it may be written as
    (regular expressions matched in full against the normalised header)."""

    name: str
    header: str
    patterns: tuple[re.Pattern[str], ...]
    is_date: bool = True

    def matches(self, normalised: str) -> bool:
        return any(pattern.fullmatch(normalised) for pattern in self.patterns)


def _field(name: str, header: str, *patterns: str, is_date: bool = True) -> Field:
    return Field(name, header, tuple(re.compile(pattern) for pattern in patterns), is_date)


_VISIT = (
    r"(date )?(of )?(the )?(last|latest|most recent) (statutory |social work |sw |cp |child "
    r"protection |lac |cla )?visit( date)?",
    r"(last|latest) (statutory |social work |sw )?visit date",
    r"date (the )?child (was )?last (seen|visited)( by (a |the )?social worker)?",
    r"(child )?last seen date",
)
CASE_REF = _field(
    "case_ref", "Child Unique ID",
    r"(childs |child |young persons |young person )?unique (child )?(id|identifier|ref|reference)"
    r"( number| no)?",
    r"(child|young person|case|person|client) (id|identifier|ref|reference)( number| no)?",
    r"(unique )?(id|identifier)",
    is_date=False,
)
TEAM = _field("team", "Allocated Team",
              r"(allocated |current |responsible |lead )?team( name)?", is_date=False)
WORKER = _field(
    "worker", "Allocated Worker",
    r"(allocated |current |responsible |lead )?(social )?worker( name| id)?",
    r"allocated (sw|social worker)( name| id)?",
    is_date=False,
)
PERSONAL_ADVISOR = _field(
    "personal_advisor", "Allocated Personal Advisor",
    r"(allocated |current )?personal advis[eo]r( name| id)?", r"allocated pa( name)?",
    is_date=False,
)

FIELDS: dict[int, tuple[Field, ...]] = {
    6: (
        CASE_REF, TEAM, WORKER,
        _field("start", "CIN Start Date",
               r"(cin |case |episode |child in need )?start date",
               r"(cin|case|child in need) (start|open|opened)( date)?",
               r"date (of )?(the )?(cin |case |child in need )?(start|started|opened|opening)",
               r"date (cin|case) (started|opened)"),
        _field("end", "CIN Closure Date",
               r"(cin |case |episode |child in need )?(closure|closed|close|end) date",
               r"(cin|case|child in need) (closure|closed|ended|end)",
               r"date (of )?(the )?(cin |case |child in need )?(closure|closed|ended|end)",
               r"date (cin|case) (closed|ended)"),
        _field("last_visit", "Date Child Was Last Seen", *_VISIT),
    ),
    7: (
        CASE_REF, TEAM, WORKER,
        _field("start", "Child Protection Plan Start Date",
               r"(child protection |cp |cpp )(plan )?start( date)?",
               r"date (of )?(the )?(child protection|cp|cpp)( plan)? (start|started|began)",
               r"date (child protection|cp|cpp)( plan)? (started|began)",
               r"(child protection |cp )?plan start date"),
        _field("end", "Child Protection Plan End Date",
               r"(child protection |cp |cpp )(plan )?(end|ended|ceased|cessation)( date)?",
               r"date (of )?(the )?(child protection|cp|cpp)( plan)? (end|ended|ceased|cessation)",
               r"date (child protection|cp|cpp)( plan)? (ended|ceased)",
               r"(child protection |cp )?plan end date"),
        _field("last_visit", "Date of the Last Statutory Visit", *_VISIT),
        _field("review", "Date of latest review conference",
               r"(date of )?(the )?(latest|last|most recent) (child protection |cp )?review"
               r"( conference)?( date)?",
               r"(date of )?(the )?(latest|last|most recent) (rcpc|cp review|cpc)( date)?",
               r"(child protection |cp )?review conference date"),
    ),
    8: (
        CASE_REF, TEAM, WORKER,
        _field("start", "Date Started to be Looked After",
               r"date (child )?(started|starting|began|become|became) (to be |being )?looked after",
               r"date (of )?(the )?(latest |current |most recent )?period of care (start|started"
               r"|began)",
               r"(date of )?(the )?(latest |current |most recent )?period of care start( date)?",
               r"(lac|cla|looked after|care) start( date)?",
               r"date (entered|started) care",
               r"start date"),
        _field("end", "Date Ceased to be Looked After",
               r"date (child )?ceased (to be |being )?looked after",
               r"(lac|cla|looked after|care|period of care) (end|ceased)( date)?",
               r"date (of )?(the )?(latest |current )?period of care (end|ended)",
               r"date (left|ceased) care",
               r"end date"),
        _field("last_visit", "Date of Last Social Work Visit", *_VISIT),
        _field("review", "Date of Latest Statutory Review",
               r"(date of )?(the )?(latest|last|most recent) (statutory |lac |cla |looked after "
               r"|care |child in care )?review( date)?",
               r"(statutory|lac|cla|looked after) review date"),
        _field("placement_start", "Start Date of Most Recent Placement",
               r"start date of (the )?(most recent|latest|current|last) placement",
               r"date (of )?(the )?(most recent|latest|current|last) placement( start| started"
               r"| began)?( date)?",
               r"(most recent |latest |current )?placement start( date)?",
               r"date (current |latest |most recent )?placement (started|began)"),
        _field("placement_type", "Placement Type",
               r"(current |latest |most recent )?placement type", r"type of (current )?placement",
               is_date=False),
        _field("legal_status", "Child's Legal Status",
               r"(child'?s? )?(current |latest )?legal status", is_date=False),
    ),
    9: (
        CASE_REF, TEAM, WORKER, PERSONAL_ADVISOR,
        _field("start", "Date Ceased to be Looked After",
               r"(care leaver|cl|leaving care) start( date)?",
               r"date (became|becoming) (a )?care leaver",
               r"date (child )?ceased (to be |being )?looked after",
               r"date (left|ceased) care",
               r"start date"),
        _field("review", "Latest Pathway Plan Review Date",
               r"(latest |last |most recent )?pathway plan review( date)?",
               r"date (of )?(the )?(latest |last |most recent )?pathway plan review"),
        _field("last_visit", "Latest Date of Contact",
               r"(latest |last |most recent )?date of (the )?(latest |last |most recent )?contact",
               r"(latest|last|most recent) contact( date)?", *_VISIT),
    ),
}
#: Columns a list must have (list 9: a personal advisor or a worker column, checked apart).
REQUIRED: dict[int, tuple[str, ...]] = {
    6: ("case_ref", "team", "worker"),
    7: ("case_ref", "team", "worker", "start"),
    8: ("case_ref", "team", "worker", "start"),
    9: ("case_ref", "team"),
}
#: Lists whose rows must give a start date (lists 6 and 9 may not: see the module docstring).
START_REQUIRED = frozenset({7, 8})
#: The cases importer's column each field feeds, for reading its problems back.
CASE_COLUMN_FIELD = {
    "case_ref": "case_ref", "start_date": "start", "end_date": "end", "team": "team",
    "allocated_worker_id": "worker", "last_visit": "last_visit", "next_review": "review",
    "placement_start": "placement_start", "long_term_placement": "placement_type",
    "case_type": None,
}


def list_number(sheet_title: str) -> int | None:
    match = _SHEET_LIST.search(sheet_title)
    return int(match.group(1)) if match else None


# Reading the workbook ----------------------------------------------------------------------

@dataclass
class Sheet:
    """One list's sheet: its mapped columns (field → position, header as written)."""

    title: str
    list_no: int
    columns: dict[str, tuple[int, str]]
    unread_columns: int = 0
    rows_read: int = 0

    def header(self, field_name: str) -> str:
        column = self.columns.get(field_name)
        return column[1] if column else field_name

    def where(self, field_name: str) -> str:
        """How a problem names a column: the sheet, then the header as the user wrote it."""
        return f"{self.title}: {self.header(field_name)}"


@dataclass
class Episode:
    """One row of a list, reduced to the mapped cells (as text) and then parsed."""

    sheet: Sheet
    row: int
    cells: dict[str, str]
    start: date | None = None
    end: date | None = None
    last_visit: date | None = None
    review: date | None = None
    placement_start: date | None = None
    long_term: bool = False
    placement_type: str | None = None  # reg 28's branch, where the legal status tells it
    worker_field: str = "worker"
    staff_id: str | None = None  # the matched lead worker
    team_name: str | None = None  # the matched team, as the store spells it

    @property
    def case_ref(self) -> str:
        return self.cells["case_ref"]

    @property
    def case_type(self) -> str:
        return LIST_CASE_TYPES[self.sheet.list_no]

    def open_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or self.end > day)


@dataclass
class Workbook:
    sheets: list[Sheet] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: "sheet: header" → the rows where that column said #N/A (read as blank)
    not_available: dict[str, list[int]] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return sum(sheet.rows_read for sheet in self.sheets)


def _cell(value: object, is_date: bool) -> str:
    """A mapped cell as text; a date column's bare Excel serial number becomes an ISO date."""
    if is_date and isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 200_000:
            from openpyxl.utils.datetime import from_excel

            converted = from_excel(value)
            return cell_to_text(converted)
    return cell_to_text(value).strip()


def _map_headers(title: str, list_no: int, header_cells: Iterable[object],
                 problems: list[Problem]) -> Sheet:
    fields = FIELDS[list_no]
    sheet = Sheet(title, list_no, {})
    for position, value in enumerate(header_cells):
        written = cell_to_text(value).strip()
        if not written:
            continue
        normalised = normalise_text(written)
        matched = next((f for f in fields if f.matches(normalised)), None)
        if matched is None:
            sheet.unread_columns += 1
            continue
        if matched.name in sheet.columns:
            problems.append(Problem(
                None, f"{title}: {written}", None,
                f"both '{sheet.columns[matched.name][1]}' and '{written}' look like the "
                f"{matched.header} column: rename or remove one and import again",
            ))
            continue
        sheet.columns[matched.name] = (position, written)
    for name in REQUIRED[list_no]:
        if name not in sheet.columns:
            expected = next(f.header for f in fields if f.name == name)
            problems.append(Problem(None, title, None,
                                    f"no '{expected}' column on this sheet (found no header "
                                    "that names it)"))
    if list_no == 9 and not ({"worker", "personal_advisor"} & set(sheet.columns)):
        problems.append(Problem(None, title, None, "no 'Allocated Personal Advisor' or "
                                                   "'Allocated Worker' column on this sheet"))
    return sheet


def _rows(worksheet: Any, sheet_title: str, list_no: int, book: Workbook
          ) -> Iterator[tuple[Sheet, int, dict[str, str]]]:
    """The sheet's data rows as (row number, mapped cells); nothing else leaves this function."""
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(values_only=True)
    header_cells = None
    header_row = 0
    for number, values in enumerate(rows, start=1):
        if any(isinstance(value, str) and CASE_REF.matches(normalise_text(value))
               for value in values):
            header_cells, header_row = values, number
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header_cells is None:
        book.problems.append(Problem(None, sheet_title, None,
                                     f"no header row naming the '{CASE_REF.header}' column in the "
                                     f"first {HEADER_SEARCH_ROWS} rows of this sheet"))
        return
    problems_before = len(book.problems)
    sheet = _map_headers(sheet_title, list_no, header_cells, book.problems)
    book.sheets.append(sheet)
    # The data rows again, cut at the last mapped column: read-only openpyxl otherwise makes
    # every row as wide as its rightmost (perhaps only styled) cell, up to 16,384 cells.
    last_column = max((position for position, _header in sheet.columns.values()), default=0) + 1
    rows = worksheet.iter_rows(min_row=header_row + 1, max_col=last_column, values_only=True)
    if len(book.problems) > problems_before:
        sheet.rows_read = sum(1 for _ in rows)
        return
    wanted = [(name, position, next(f for f in FIELDS[list_no] if f.name == name).is_date)
              for name, (position, _header) in sheet.columns.items()]
    for number, values in enumerate(rows, start=header_row + 1):
        cells = {
            name: _cell(values[position], is_date) if position < len(values) else ""
            for name, position, is_date in wanted
        }
        for name, value in cells.items():
            if value and value.casefold() in NOT_AVAILABLE:
                cells[name] = ""
                book.not_available.setdefault(sheet.where(name), []).append(number)
        if not any(cells.values()):
            continue
        sheet.rows_read += 1
        yield sheet, number, cells


def read_workbook(path: Path) -> Workbook:
    """Lists 6 to 9 of an Annex A workbook: mapped cells only, and every problem with the file."""
    from openpyxl import load_workbook

    book = Workbook()
    path = Path(path)
    if not path.is_file():
        book.problems.append(Problem(None, None, None, f"cannot read {path.name}: no such file"))
        return book
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        book.problems.append(Problem(None, None, None, f"{path.name} is not an .xlsx workbook: "
                                                       "Annex A is read from Excel (.xlsx)"))
        return book
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged or mislabelled file
        book.problems.append(Problem(None, None, None,
                                     f"{path.name} is not a readable .xlsx workbook"))
        return book
    try:
        found: dict[int, str] = {}
        for worksheet in workbook.worksheets:
            list_no = list_number(worksheet.title)
            if list_no not in LIST_CASE_TYPES:
                continue
            if list_no in found:
                book.problems.append(Problem(
                    None, worksheet.title, None,
                    f"a second sheet for list {list_no} (the first is '{found[list_no]}'): "
                    "keep one and import again",
                ))
                continue
            found[list_no] = worksheet.title
            for sheet, number, cells in _rows(worksheet, worksheet.title, list_no, book):
                book.episodes.append(Episode(sheet, number, cells))
    except Exception as damaged:  # openpyxl's many errors for a damaged sheet
        logger.warning("annex-a %s unreadable part-way: %s", path.name, type(damaged).__name__)
        book.problems.append(Problem(None, None, None,
                                     f"{path.name} is damaged and could not be read to the end"))
    finally:
        workbook.close()
    if not found:
        book.problems.append(Problem(
            None, None, None,
            "no sheet for lists 6, 7, 8 or 9: name the sheets as Ofsted's template does "
            "('List 6', 'List 7', 'List 8', 'List 9')",
        ))
    missing = [str(n) for n in LIST_CASE_TYPES if n not in found]
    if found and missing:
        book.notes.append(f"no sheet for list {', '.join(missing)}")
    book.notes.extend(_not_available_warnings(book.not_available))
    return book


def _not_available_warnings(found: dict[str, list[int]]) -> list[str]:
    """One warning per column where the workbook said #N/A, naming its rows."""
    warnings = []
    for where, rows in found.items():
        shown = ", ".join(str(row) for row in rows[:NOT_AVAILABLE_ROWS_SHOWN])
        more = len(rows) - NOT_AVAILABLE_ROWS_SHOWN
        warnings.append(f"Warning: #N/A read as blank in {where}, row"
                        f"{'' if len(rows) == 1 else 's'} {shown}"
                        + (f" and {more} more" if more > 0 else ""))
    return warnings


# Matching workers and teams ----------------------------------------------------------------

def person_key(text: str) -> str:
    """A name as matched: normalised, and "Surname, Forename" read as "Forename Surname"."""
    if text.count(",") == 1:
        surname, forename = text.split(",")
        text = f"{forename} {surname}"
    return normalise_text(text)


@dataclass(frozen=True)
class StaffEntry:
    staff_id: str
    team_id: int | None


class WorkerMatcher:
    """Staff id, then a unique normalised name, then `annex_a_name` (module docstring)."""

    def __init__(self, staff: Iterable[tuple[str, str, str | None, int | None]]) -> None:
        self.by_id: dict[str, StaffEntry] = {}
        self.by_folded_id: dict[str, list[StaffEntry]] = defaultdict(list)
        self.by_name: dict[str, list[StaffEntry]] = defaultdict(list)
        self.by_annex_a_name: dict[str, list[StaffEntry]] = defaultdict(list)
        for staff_id, name, annex_a_name, team_id in staff:
            entry = StaffEntry(staff_id, team_id)
            self.by_id[staff_id] = entry
            self.by_folded_id[staff_id.strip().casefold()].append(entry)
            self.by_name[person_key(name)].append(entry)
            if annex_a_name:
                self.by_annex_a_name[person_key(annex_a_name)].append(entry)

    def match(self, written: str) -> tuple[StaffEntry | None, str | None]:
        """(the worker, None), (None, None) when unallocated, or (None, why not matched)."""
        key = person_key(written)
        if key in UNALLOCATED:
            return None, None
        if written in self.by_id:
            return self.by_id[written], None
        folded = self.by_folded_id.get(written.strip().casefold(), [])
        if len(folded) == 1:
            return folded[0], None
        by_name = self.by_name.get(key, [])
        if len(by_name) == 1:
            return by_name[0], None
        by_annex_a_name = self.by_annex_a_name.get(key, [])
        if len(by_annex_a_name) == 1:
            return by_annex_a_name[0], None
        candidates = by_name or by_annex_a_name
        if candidates:
            ids = ", ".join(sorted(entry.staff_id for entry in candidates))
            return None, (f"ambiguous: {len(candidates)} members of staff have this name "
                          f"(staff ids {ids}); write the staff id in the workbook, or set "
                          "annex_a_name on the right one's staff record to this name")
        return None, ("no member of staff has this staff id, name or annex_a_name: import them "
                      "as staff, or set annex_a_name on their staff record to this name")


# Parsing and checking rows -----------------------------------------------------------------

class _Collector:
    """Problems for rows, plus one problem per distinct unmatched worker or team (with the
    rows it appears on), so a name on 300 rows is listed once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.grouped: dict[tuple[str, str], tuple[Episode, str, str, str, list[Episode]]] = {}
        # (what, normalised value) → (first episode, field, value as written, reason, others)

    def add(self, episode: Episode, field_name: str, value: str | None, reason: str) -> None:
        self.problems.append(Problem(episode.row, episode.sheet.where(field_name), value, reason))

    def add_grouped(self, episode: Episode, field_name: str, value: str, key: tuple[str, str],
                    reason: str) -> None:
        group = self.grouped.get(key)
        if group is None:
            self.grouped[key] = (episode, field_name, value, reason, [])
        else:
            group[4].append(episode)

    def all(self) -> list[Problem]:
        grouped = []
        for first, field_name, value, reason, others in self.grouped.values():
            if others:
                places = [f"{o.sheet.title} row {o.row}" for o in others[:PLACES_NAMED]]
                if len(others) > PLACES_NAMED:
                    places.append(f"{len(others) - PLACES_NAMED} more")
                reason += f" (also on {', '.join(places)})"
            grouped.append(Problem(first.row, first.sheet.where(field_name), value, reason))
        return self.problems + grouped


def _parse_dates(episode: Episode, today: date, found: _Collector) -> None:
    if not episode.case_ref:
        found.add(episode, "case_ref", None, f"blank: every row needs its {CASE_REF.header}")
    for name in ("start", "end", "last_visit", "review", "placement_start"):
        text = episode.cells.get(name, "")
        if not text:
            continue
        parsed = parse_date(text)
        if isinstance(parsed, str):
            found.add(episode, name, text, parsed)
        else:
            setattr(episode, name, parsed)
    if episode.start is None and episode.sheet.list_no in START_REQUIRED:
        found.add(episode, "start", None,
                  f"blank: every row of list {episode.sheet.list_no} needs its "
                  f"{episode.sheet.header('start')}")
    if episode.start is not None and episode.end is not None and episode.end < episode.start:
        found.add(episode, "end", episode.cells["end"],
                  f"before the {episode.sheet.header('start')} ({episode.start.isoformat()})")
    if episode.last_visit is not None and episode.last_visit > today:
        found.add(episode, "last_visit", episode.cells["last_visit"],
                  f"in the future (today is {today.isoformat()})")
    placement = episode.cells.get("placement_type", "")
    episode.long_term = bool(LONG_TERM_PLACEMENT.search(normalise_text(placement)))
    episode.placement_type = reg28_placement_type(placement, episode.cells.get("legal_status", ""))


def reg28_placement_type(placement: str, legal_status: str) -> str | None:
    """The cases file's ``placement_type`` for a list 8 row: with a parent under an interim care
    order or a care order (reg 28(4), 28(5)); None for the general rule."""
    if not PLACED_WITH_PARENT.search(normalise_text(placement)):
        return None
    status = normalise_text(legal_status)
    if INTERIM_CARE_ORDER.search(status):
        return "parent_interim_care_order"
    if CARE_ORDER.search(status):
        return "parent_care_order"
    return None


def _match_people(episode: Episode, workers: WorkerMatcher, teams: dict[str, tuple[int, str]],
                  team_names: dict[int, str], found: _Collector) -> None:
    cells = episode.cells
    written = cells.get("worker", "")
    if episode.sheet.list_no == 9:
        advisor = cells.get("personal_advisor", "")
        if person_key(advisor) not in UNALLOCATED or not written:
            written, episode.worker_field = advisor, "personal_advisor"
    worker, why_not = workers.match(written)
    if why_not is not None:
        found.add_grouped(episode, episode.worker_field, written, ("worker", person_key(written)),
                          why_not)
    elif worker is not None:
        episode.staff_id = worker.staff_id
    team_written = cells.get("team", "")
    if team_written:
        team = teams.get(normalise_text(team_written))
        if team is None:
            found.add_grouped(episode, "team", team_written, ("team", normalise_text(team_written)),
                              "not a team in the store: import teams first, or check the "
                              "spelling (case, spaces and punctuation do not matter)")
        else:
            episode.team_name = team[1]
    elif worker is not None and worker.team_id is not None:
        episode.team_name = team_names[worker.team_id]
    elif why_not is None:
        found.add(episode, "team", None, "blank, and no allocated worker whose team could be "
                                         "used: give the team")


# From episodes to cases --------------------------------------------------------------------

def _rank(episode: Episode, today: date) -> tuple:
    """Sort key: the episode to keep for a child comes first."""
    if episode.open_on(today):
        return (0, MOST_PROTECTIVE_FIRST.index(episode.case_type),
                -(episode.start or date.min).toordinal())
    return (1, -(episode.end or date.min).toordinal(),
            MOST_PROTECTIVE_FIRST.index(episode.case_type))


def next_review_due(case_type: str, start: date | None, latest_review: date | None
                    ) -> date | None:
    """When the next plan review is due (module docstring), or None when it cannot be said."""
    if latest_review is not None and start is not None and latest_review < start:
        latest_review = None  # a review of an earlier episode
    if case_type == "CP":
        if latest_review is not None:
            return latest_review + relativedelta(months=CP_REVIEW_MONTHS)
        return start + relativedelta(months=CP_FIRST_REVIEW_MONTHS) if start else None
    if case_type == "LAC":
        if latest_review is None:
            return add_working_days(start, LAC_FIRST_REVIEW_WORKING_DAYS) if start else None
        if start is not None and latest_review <= start + relativedelta(
                months=LAC_FIRST_REVIEW_WINDOW_MONTHS):
            return latest_review + relativedelta(months=LAC_SECOND_REVIEW_MONTHS)
        return latest_review + relativedelta(months=LAC_REVIEW_MONTHS)
    if case_type == "CL" and latest_review is not None:
        return latest_review + relativedelta(months=PATHWAY_REVIEW_MONTHS)
    return None


@dataclass(frozen=True)
class _Stored:
    case_type: str
    start_date: date
    next_review: date | None


def _stored_cases(session: Session, case_refs: list[str]) -> dict[str, _Stored]:
    table = Case.__table__
    connection = session.connection()
    stored: dict[str, _Stored] = {}
    for batch in batches(case_refs):
        for ref, case_type, start, next_review in connection.execute(
            select(table.c.case_ref, table.c.case_type, table.c.start_date, table.c.next_review)
            .where(func.lower(table.c.case_ref).in_([id_key(ref) for ref in batch]))
        ):
            stored[id_key(ref)] = _Stored(case_type, start, next_review)
    return stored


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _case_rows(chosen: list[Episode], stored: dict[str, _Stored], today: date,
               columns: frozenset[str]) -> tuple[list[dict[str, str]], int]:
    """The cases importer's rows, and how many cases start on the import day for want of a
    start date."""
    rows: list[dict[str, str]] = []
    started_today = 0
    # Only a workbook that gives placement type and legal status on list 8 says which reg 28
    # branch applies; otherwise a placement_type set by a cases file is left alone.
    tells_placement = "placement_type" in columns and any(
        {"placement_type", "legal_status"} <= set(episode.sheet.columns)
        for episode in chosen if episode.sheet.list_no == 8)
    for episode in chosen:
        before = stored.get(id_key(episode.case_ref))
        case_type = episode.case_type
        start = episode.start
        if start is None:
            if before is not None:
                start = before.start_date
            else:
                start, started_today = today, started_today + 1
        closed = episode.end is not None and episode.end <= today
        # The workbook's own start (not a stand-in) decides whether a review is this episode's.
        due = None if closed else next_review_due(case_type, episode.start, episode.review)
        if due is None and not closed and before is not None and before.case_type == case_type \
                and case_type in ("CIN", "CL"):
            due = before.next_review
        row = {
            "case_ref": episode.case_ref, "case_type": case_type, "start_date": _iso(start),
            "team": episode.team_name or "", "allocated_worker_id": episode.staff_id or "",
            "end_date": _iso(episode.end), "last_visit": _iso(episode.last_visit),
            "next_review": _iso(due),
        }
        if "placement_start" in columns:
            row["placement_start"] = _iso(episode.placement_start) if case_type == "LAC" else ""
        if "long_term_placement" in columns:
            row["long_term_placement"] = "Y" if case_type == "LAC" and episode.long_term else "N"
        if tells_placement:
            row["placement_type"] = (episode.placement_type or "") if case_type == "LAC" else ""
        rows.append(row)
    return rows, started_today


def _read_back(problem: Problem, chosen: list[Episode]) -> Problem:
    """A problem the cases importer found in a derived row, placed on the workbook's row."""
    index = (problem.row or 0) - 2
    if not 0 <= index < len(chosen):
        return problem
    episode = chosen[index]
    field_name = CASE_COLUMN_FIELD.get(problem.column or "", problem.column)
    if field_name == "worker":
        field_name = episode.worker_field
    column = episode.sheet.where(field_name) if field_name else episode.sheet.title
    return Problem(episode.row, column, problem.value, problem.reason)


def audit_refusal(session: Session, kind: str, source: str, dry_run: bool, actor: str,
                  rows_read: int, problems: int) -> None:
    """Record a file refused before it reached the shared loader (which audits the rest)."""
    session.rollback()
    command = f"import {kind} {source}" + (" --dry-run" if dry_run else "")
    session.add(AuditEntry(
        at=datetime.now(timezone.utc), front_end="import", actor=actor, command=command[:2000],
        scope=kind, outcome="invalid",
        detail=f"rows {rows_read}, created 0, updated 0, unchanged 0, problems {problems}",
    ))
    session.commit()


def import_annex_a(session: Session, path: Path, *, dry_run: bool = False, today: date,
                   actor: str = "cli", problems: ProblemLog | None = None) -> ImportReport:
    """Load lists 6-9 of an Annex A workbook as cases, all or nothing (module docstring).
    `problems` receives every problem, placed on the workbook's rows (`--report FILE`)."""
    log = problems if problems is not None else ProblemLog.from_settings(get_settings())
    path = Path(path)
    book = read_workbook(path)
    found = _Collector()
    if not book.problems:
        connection = session.connection()
        staff = Staff.__table__
        team = Team.__table__
        workers = WorkerMatcher(connection.execute(
            select(staff.c.staff_id, staff.c.name, staff.c.annex_a_name, staff.c.team_id)
        ))
        team_names = dict(connection.execute(select(team.c.id, team.c.name)).all())
        teams = {normalise_text(name): (pk, name) for pk, name in team_names.items()}
        for episode in book.episodes:
            _parse_dates(episode, today, found)
            _match_people(episode, workers, teams, team_names, found)
    log.extend(book.problems + found.all())

    notes = list(book.notes)
    if book.sheets:
        read = ", ".join(
            f"{sheet.title} ({_count(sheet.rows_read, 'row')}, "
            f"{_count(len(sheet.columns), 'column')} of "
            f"{len(sheet.columns) + sheet.unread_columns})" for sheet in book.sheets
        )
        notes.append(f"read {read}; the other columns, child details among them, are never read")
    if log:
        audit_refusal(session, KIND, path.name, dry_run, actor, book.rows_read, log.total)
        return ImportReport(KIND, str(path), dry_run, book.rows_read, 0, 0, 0, tuple(log.first),
                            tuple(notes), problem_count=log.total)

    by_child: dict[str, list[Episode]] = defaultdict(list)
    for episode in book.episodes:
        by_child[id_key(episode.case_ref)].append(episode)
    chosen = [min(episodes, key=lambda e: _rank(e, today)) for episodes in by_child.values()]
    on_several = sum(1 for episodes in by_child.values()
                     if len({e.sheet.list_no for e in episodes}) > 1)
    if on_several:
        notes.append(f"{on_several} {'child' if on_several == 1 else 'children'} on more than one "
                     "list, each loaded as one case of the most protective type open (CP, then "
                     "LAC, CIN, CL)")

    columns = frozenset(IMPORTERS["cases"].optional)
    stored = _stored_cases(session, list(by_child))
    rows, started_today = _case_rows(chosen, stored, today, columns)
    if started_today:
        notes.append(f"{_count(started_today, 'new case')} with no start date in the workbook (a "
                     f"blank list 6 CIN start date, or list 9) start on {today.isoformat()}")
    inner = import_rows(session, "cases", rows, source=f"{path.name} (Annex A)", dry_run=dry_run,
                        today=today, actor=actor,
                        problems=log.within(lambda problem: _read_back(problem, chosen)))
    return ImportReport(
        KIND, str(path), dry_run, book.rows_read, inner.created, inner.updated, inner.unchanged,
        tuple(log.first), tuple(notes) + inner.notes, problem_count=log.total,
    )


__all__ = ["FIELDS", "LIST_CASE_TYPES", "MOST_PROTECTIVE_FIRST", "WorkerMatcher",
           "import_annex_a", "list_number", "next_review_due", "normalise_text", "person_key",
           "read_workbook"]
