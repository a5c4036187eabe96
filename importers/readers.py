"""Readers: a CSV or XLSX file (or a list of dicts) in; a header row and numbered rows of text out.

Every reader gives the same shape, a `Table`: the header cells as written, and the data rows as
(spreadsheet row number, cell texts), header = row 1. Wholly blank rows are skipped but keep
their numbers, so a problem's row is the one the user sees in Excel. Cells are text: XLSX dates
become ISO dates, whole numbers lose Excel's ".0", so the validators parse one form only.

Readers stream: rows are yielded one at a time, never the whole file in memory, so a 1 GB file
costs what a 1 KB one does. A CSV is decoded as it is read (UTF-8, or Excel's Windows code page
when a first streaming pass finds it is not UTF-8); an XLSX sheet is read by openpyxl's read-only
parser, ignoring the sheet size the file declares (writers get it wrong, and a phantom
`A1:XFD1048576` would otherwise cost 16,384 cells a row) and every cell right of the header.
A NUL character is handed over as read: the loader refuses its row by number (`NUL`), as the
database would refuse it with a traceback.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class ReadError(Exception):
    """The file cannot be read (at all, or from `row` on); the message says why in plain English."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


#: The longest physical line a CSV may have (IMPORT_MAX_LINE_CHARS): a 35 MB file of commas with
#: no line break would otherwise be one row of 35 million cells.
MAX_LINE_CHARS = 1_000_000
#: Bytes read at a time while checking a CSV's encoding.
_CHUNK_BYTES = 1 << 20
#: Leading bytes of files that are not text: zip (.xlsx, .docx) and OLE2 (.xls, .doc).
_BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
#: Where an .xlsx package keeps its first sheet, and how a row starts in it.
_FIRST_SHEET = "xl/worksheets/sheet1.xml"
_ROW_START = re.compile(rb'<row\b[^>]*?\br="(\d+)"')


@dataclass
class Table:
    headers: list[str]
    rows: Iterable[tuple[int, list[str]]]
    notes: list[str] = field(default_factory=list)
    _close: Callable[[], None] | None = None

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None


def cell_to_text(value: object) -> str:
    """One cell as text: dates ISO, whole numbers without '.0', nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _numbered(rows: Iterable[list[str]], first: int = 2) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(rows, start=first):
        for value in values:
            if value and not value.isspace():
                yield number, values
                break


def read_table(path: Path, *, max_line_chars: int = MAX_LINE_CHARS) -> Table:
    """Open a .csv or .xlsx file; `ReadError` if it is missing, empty or not what it says.
    The rows are read as they are iterated; close the table when done."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ReadError(f"cannot read {path.name}: no such file")
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, max_line_chars)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path)
    if suffix == ".xls":
        raise ReadError(
            f"{path.name} is in the old Excel .xls format: save it as .xlsx or .csv and import that"
        )
    raise ReadError(f"cannot read {path.name}: the file must be a .csv or .xlsx file")


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without Excel's BOM) if the whole file decodes as UTF-8, else Windows-1252
    (Excel on Windows saves "CSV" in the Windows code page). One streaming pass, in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        head = handle.read(4096)
        if head.startswith(_BINARY_SIGNATURES) or head.count(b"\x00") > len(head) // 4:
            raise ReadError(
                f"{path.name} is not a CSV text file (is it a spreadsheet saved with a .csv name?)"
            )
        chunk = head
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = handle.read(_CHUNK_BYTES)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def open_csv_text(path: Path) -> io.TextIOWrapper:
    """A CSV file opened as text in its own encoding (see `_csv_encoding`), read as it goes."""
    return path.open(encoding=_csv_encoding(path), errors="replace", newline="")


def _bounded_lines(handle: io.TextIOBase, name: str, max_line_chars: int,
                   rows_read: list[int]) -> Iterator[str]:
    """The file's physical lines for the csv module, refusing one longer than `max_line_chars`
    (`rows_read[0]` is the last row handed on, to say where)."""
    while True:
        line = handle.readline(max_line_chars + 1)
        if not line:
            return
        if len(line) > max_line_chars:
            raise ReadError(f"{name} has a line longer than {max_line_chars:,} characters after "
                            f"row {rows_read[0]}: is it really a CSV file?", rows_read[0] + 1)
        yield line


def _read_csv(path: Path, max_line_chars: int = MAX_LINE_CHARS) -> Table:
    handle = open_csv_text(path)
    rows_read = [1]  # the header is row 1
    reader = csv.reader(_bounded_lines(handle, path.name, max_line_chars, rows_read))
    try:
        headers = next(reader, None)
    except csv.Error as bad:
        handle.close()
        raise ReadError(f"{path.name} is not a readable CSV file ({bad})") from None
    except ReadError:
        handle.close()
        raise
    if not headers or not any(cell.strip() for cell in headers):
        handle.close()
        raise ReadError(f"{path.name} is empty: the first row must be the column headers")

    def rows() -> Iterator[list[str]]:
        try:
            for values in reader:
                rows_read[0] += 1
                yield values
        except csv.Error as bad:
            raise ReadError(
                f"{path.name} stops being readable CSV after row {rows_read[0]} ({bad})",
                rows_read[0] + 1,
            ) from None
        finally:
            handle.close()

    return Table(headers=headers, rows=_numbered(rows()), _close=handle.close)


def _nul_row_in_first_sheet(path: Path) -> int | None:
    """The row of the first NUL byte in the first sheet's XML, found by streaming it: when a
    sheet declares no size, openpyxl reads as far as a NUL before it can open the workbook."""
    try:
        with zipfile.ZipFile(path) as package, package.open(_FIRST_SHEET) as sheet:
            last_row, tail = None, b""
            while chunk := sheet.read(_CHUNK_BYTES):
                data = tail + chunk
                nul = data.find(b"\x00")
                starts = _ROW_START.findall(data if nul == -1 else data[:nul])
                if starts:
                    last_row = int(starts[-1])
                if nul != -1:
                    return last_row
                tail = data[-64:]
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    return None


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged or mislabelled file
        row = _nul_row_in_first_sheet(path)
        if row is not None:
            raise ReadError(f"{path.name} cannot be read from row {row} of the first sheet on: "
                            "it holds a NUL byte there, which a spreadsheet cannot", row) from None
        raise ReadError(f"{path.name} is not a readable .xlsx workbook") from None
    notes: list[str] = []
    try:
        sheet = workbook.worksheets[0]
        if len(workbook.worksheets) > 1:
            notes.append(
                f"Read the first sheet, '{sheet.title}', of {len(workbook.worksheets)}"
            )
        sheet.reset_dimensions()  # some writers record wrong sheet sizes; read what is there
        first = next(sheet.iter_rows(max_row=1, values_only=True), None)
    except Exception:
        workbook.close()
        raise ReadError(f"{path.name} is not a readable .xlsx workbook") from None
    headers = [cell_to_text(value) for value in first or ()]
    while headers and not headers[-1].strip():
        headers.pop()
    if not headers:
        workbook.close()
        raise ReadError(f"{path.name} is empty: the first row must be the column headers")

    def rows() -> Iterator[tuple[int, list[str]]]:
        """Data rows, cut at the header's last column: cells right of it are never read (a
        styled cell in column XFD would otherwise make every row 16,384 cells wide)."""
        number = 1
        try:
            cells = sheet.iter_rows(min_row=2, max_col=len(headers), values_only=True)
            for number, values in enumerate(cells, start=2):
                if all(value is None for value in values):
                    continue  # blank (or only styled): skipped, keeping the rows' numbers
                texts = [cell_to_text(value) for value in values]
                if any(text and not text.isspace() for text in texts):
                    yield number, texts
        except Exception:
            raise ReadError(f"{path.name} cannot be read from row {number + 1} of the first "
                            "sheet on: the sheet is damaged there, or holds a character a "
                            "spreadsheet cannot (such as a NUL byte)", number + 1) from None
        finally:
            workbook.close()

    return Table(headers=headers, rows=rows(), notes=notes, _close=workbook.close)


def table_from_dicts(rows: list[Mapping[str, object]]) -> Table:
    """Rows already read by another importer: keys are headers, row numbers count from 2."""
    headers: list[str] = []
    seen: set[str] = set()
    for row in rows:
        for header in row:
            if header not in seen:
                seen.add(header)
                headers.append(header)
    values = (
        [cell_to_text(row.get(header)) for header in headers] for row in rows
    )
    return Table(headers=headers, rows=_numbered(values))
