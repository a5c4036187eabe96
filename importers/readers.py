"""Readers: a CSV or XLSX file (or a list of dicts) in; a header row and numbered rows of text out.

Every reader gives the same shape, a `Table`: the header cells as written, and the data rows as
(spreadsheet row number, cell texts), header = row 1. Wholly blank rows are skipped but keep
their numbers, so a problem's row is the one the user sees in Excel. Cells are text: XLSX dates
become ISO dates, whole numbers lose Excel's ".0", so the validators parse one form only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class ReadError(Exception):
    """The file cannot be read at all; the message says why in plain English."""


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


def read_table(path: Path) -> Table:
    """Open a .csv or .xlsx file; `ReadError` if it is missing, empty or not what it says."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ReadError(f"cannot read {path.name}: no such file")
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path)
    if suffix == ".xls":
        raise ReadError(
            f"{path.name} is in the old Excel .xls format: save it as .xlsx or .csv and import that"
        )
    raise ReadError(f"cannot read {path.name}: the file must be a .csv or .xlsx file")


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ReadError(
            f"{path.name} is not a CSV text file (is it a spreadsheet saved with a .csv name?)"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the Windows code page, not UTF-8.
        text = raw.decode("cp1252", errors="replace")
    del raw
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader, None)
    except csv.Error as bad:
        raise ReadError(f"{path.name} is not a readable CSV file ({bad})") from None
    if not headers or not any(cell.strip() for cell in headers):
        raise ReadError(f"{path.name} is empty: the first row must be the column headers")

    def rows() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as bad:
            raise ReadError(
                f"{path.name} stops being readable CSV after row {reader.line_num} ({bad})"
            ) from None

    return Table(headers=headers, rows=_numbered(rows()))


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged or mislabelled file
        raise ReadError(f"{path.name} is not a readable .xlsx workbook") from None
    notes: list[str] = []
    try:
        sheet = workbook.worksheets[0]
        if len(workbook.worksheets) > 1:
            notes.append(
                f"Read the first sheet, '{sheet.title}', of {len(workbook.worksheets)}"
            )
        sheet.reset_dimensions()  # some writers record wrong sheet sizes; read what is there
        cells = sheet.iter_rows(values_only=True)
        first = next(cells, None)
    except Exception:
        workbook.close()
        raise ReadError(f"{path.name} is not a readable .xlsx workbook") from None
    headers = [cell_to_text(value) for value in first or ()]
    while headers and not headers[-1].strip():
        headers.pop()
    if not headers:
        workbook.close()
        raise ReadError(f"{path.name} is empty: the first row must be the column headers")

    def rows() -> Iterator[list[str]]:
        try:
            for values in cells:
                yield [cell_to_text(value) for value in values]
        except ReadError:
            raise
        except Exception:
            raise ReadError(f"{path.name} is damaged part-way through the first sheet") from None
        finally:
            workbook.close()

    return Table(headers=headers, rows=_numbered(rows()), notes=notes, _close=workbook.close)


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
