"""One row's cells, read as the types the store needs; each bad cell becomes a Problem.

Every reader method returns the parsed value, or None when the cell is blank or wrong; a wrong
cell also records a Problem (row, column, the value as written, and what is expected), so a
validator reads a whole row and reports everything wrong with it, not just the first thing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache

from importers.report import Problem, shorten

DATE_FORMS = "use YYYY-MM-DD or DD/MM/YYYY"
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_TRUE = frozenset({"y", "yes", "true", "1"})
_FALSE = frozenset({"n", "no", "false", "0"})


@lru_cache(maxsize=16384)
def parse_date(text: str) -> date | str:
    """A date from ISO or UK text (a time of day after it is ignored), or the reason it is not."""
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _UK_DATE.fullmatch(text)
        if not match:
            return f"not a date: {DATE_FORMS}"
        day, month, year = (int(part) for part in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        return f"not a real date (no such day or month): {DATE_FORMS}"
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return f"the year {year} cannot be right: {DATE_FORMS}"
    return parsed


@lru_cache(maxsize=4096)
def code(text: str) -> str:
    """A code as the store spells it: lower case, spaces and hyphens as underscores."""
    return "_".join(text.lower().replace("-", " ").split())


class RowCells:
    """The cells of the row being read, by column name. One instance is reused for every row."""

    __slots__ = ("row_number", "_values", "_index", "_problems", "_problems_before")

    def __init__(self, index: Mapping[str, int], problems: list[Problem]) -> None:
        self._index = index
        self._problems = problems
        self.row_number = 0
        self._values: list[str] = []
        self._problems_before = 0

    def start(self, number: int, values: list[str]) -> None:
        self.row_number = number
        self._values = values
        self._problems_before = len(self._problems)

    @property
    def ok(self) -> bool:
        """No problem recorded in this row so far."""
        return len(self._problems) == self._problems_before

    def has(self, column: str) -> bool:
        """Whether the file has this column at all (absent optional columns leave the store be)."""
        return column in self._index

    def raw(self, column: str) -> str:
        position = self._index.get(column)
        if position is None or position >= len(self._values):
            return ""
        return self._values[position].strip()

    def problem(self, column: str | None, value: str | None, reason: str) -> None:
        self._problems.append(
            Problem(self.row_number, column, shorten(value) if value else None, reason)
        )

    # Readers, one per kind of value -------------------------------------------------------

    def text(self, column: str, *, required: bool = False, max_length: int | None = None
             ) -> str | None:
        value = self.raw(column)
        if not value:
            if required:
                self.problem(column, None, f"blank: every row needs a {column}")
            return None
        if max_length is not None and len(value) > max_length:
            self.problem(column, value, f"too long: at most {max_length} characters")
            return None
        return value

    def date(self, column: str, *, required: bool = False) -> date | None:
        value = self.raw(column)
        if not value:
            if required:
                self.problem(column, None, f"blank: every row needs a {column} ({DATE_FORMS})")
            return None
        parsed = parse_date(value)
        if isinstance(parsed, str):
            self.problem(column, value, parsed)
            return None
        return parsed

    def boolean(self, column: str) -> bool | None:
        value = self.raw(column)
        if not value:
            return False
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        self.problem(column, value, "not yes or no: use Y or N (also Yes/No, True/False, 1/0)")
        return None

    def decimal(self, column: str, *, required: bool = False, minimum: float = 0.0,
               maximum: float | None = None, above_minimum: bool = False, expected: str
               ) -> float | None:
        """A decimal number within bounds; `expected` describes the valid range for the user."""
        value = self.raw(column)
        if not value:
            if required:
                self.problem(column, None, f"blank: every row needs a {column} ({expected})")
            return None
        try:
            parsed = float(value)
        except ValueError:
            self.problem(column, value, f"not a number: {expected}")
            return None
        too_low = parsed <= minimum if above_minimum else parsed < minimum
        if not math.isfinite(parsed) or too_low or (maximum is not None and parsed > maximum):
            self.problem(column, value, f"out of range: {expected}")
            return None
        return parsed

    def fte(self, column: str = "fte") -> float | None:
        return self.decimal(
            column, required=True, minimum=0.0, maximum=1.0, above_minimum=True,
            expected="a full-time equivalent above 0 and at most 1.0, e.g. 0.8",
        )

    def whole_number(self, column: str) -> int | None:
        value = self.raw(column)
        if not value:
            return None
        try:
            parsed = float(value)
        except ValueError:
            parsed = math.nan
        if not math.isfinite(parsed) or not parsed.is_integer() or parsed < 0:
            self.problem(column, value, "not a whole number: use 0, 1, 2...")
            return None
        return int(parsed)

    def email(self, column: str = "email", *, max_length: int) -> str | None:
        value = self.text(column, required=True)
        if value is None:
            return None
        lowered = value.lower()
        if not _EMAIL.fullmatch(lowered):
            self.problem(column, value, "not an e-mail address: use the form name@council.gov.uk")
            return None
        if len(lowered) > max_length:
            self.problem(column, value, f"too long: at most {max_length} characters")
            return None
        return lowered

    def choice(self, column: str, choices: Mapping[str, str], *, expected: str,
               required: bool = False, default: str | None = None) -> str | None:
        """One of a fixed set, matched by `code()` (case, spaces and hyphens do not matter)."""
        value = self.raw(column)
        if not value:
            if required:
                self.problem(column, None, f"blank: every row needs a {column} ({expected})")
            return default
        chosen = choices.get(code(value))
        if chosen is None:
            self.problem(column, value, f"not recognised: {expected}")
        return chosen
