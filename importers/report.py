"""What an import tells its user: the problems found, and what was (or would be) written.

A junk file can hold millions of problems, so problems are never all kept: a `ProblemLog` counts
every one, keeps the first few for the summary (`IMPORT_PROBLEMS_SHOWN`, 100 by default), and
writes each, as it is found, to the `--report FILE` CSV when one is asked for. Every text in a
problem is cut to a bounded length first, so one pasted paragraph cannot flood the screen either.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from config import Settings

#: Problem values longer than this are shortened, so a pasted paragraph cannot flood a report
#: (the default of the IMPORT_PROBLEM_VALUE_CHARS setting).
MAX_VALUE_CHARS = 80
#: A problem's column and reason are cut at this length (IMPORT_PROBLEM_TEXT_CHARS).
MAX_TEXT_CHARS = 300
#: Problems printed after an import; the rest are counted (IMPORT_PROBLEMS_SHOWN).
PROBLEMS_SHOWN = 100
#: The --report CSV's header row.
REPORT_COLUMNS = ("row", "column", "value", "why")


def shorten(value: str, limit: int = MAX_VALUE_CHARS) -> str:
    """`value`, cut to `limit` characters with "…" when longer."""
    return value if len(value) <= limit else value[: max(limit - 1, 0)] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, where the user will find it.

    `row` is the spreadsheet row number as the user sees it (the header is row 1), or None for the
    file as a whole. `value` is never taken from a refused child-identifying column: those are
    refused by their header, before any of their cells is read.
    """

    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if self.value is not None:
            where.append(f"value '{self.value}'")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class ProblemLog:
    """Every problem of one import, counted; the first `shown` kept, each one bounded in length
    and, given a `report` text file, written to it as CSV (row, column, value, why) when found.

    It quacks like the list the validators append to (`append`, `extend`, `len`, truth), so a
    validator neither knows nor cares that a million problems never sit in memory at once.
    `translate` places a problem before it is kept (the Annex A and census importers map a
    derived row back to the workbook's or return's own row)."""

    def __init__(self, *, shown: int = PROBLEMS_SHOWN, value_chars: int = MAX_VALUE_CHARS,
                 text_chars: int = MAX_TEXT_CHARS, report: TextIO | None = None,
                 translate: Callable[[Problem], Problem] | None = None,
                 outer: ProblemLog | None = None) -> None:
        self.shown = shown
        self.value_chars = value_chars
        self.text_chars = text_chars
        self.first: list[Problem] = []
        self.total = 0
        self.translate = translate
        self.outer = outer
        self._writer = csv.writer(report, lineterminator="\n") if report is not None else None
        if self._writer is not None:
            self._writer.writerow(REPORT_COLUMNS)

    @classmethod
    def from_settings(cls, settings: Settings, report: TextIO | None = None) -> ProblemLog:
        return cls(shown=settings.import_problems_shown,
                   value_chars=settings.import_problem_value_chars,
                   text_chars=settings.import_problem_text_chars, report=report)

    def within(self, translate: Callable[[Problem], Problem]) -> ProblemLog:
        """A log for an inner import whose problems are placed by `translate`, then kept here."""
        return ProblemLog(shown=self.shown, value_chars=self.value_chars,
                          text_chars=self.text_chars, translate=translate, outer=self)

    def append(self, problem: Problem) -> None:
        if self.translate is not None:
            problem = self.translate(problem)
        problem = Problem(
            problem.row,
            shorten(problem.column, self.text_chars) if problem.column else problem.column,
            shorten(problem.value, self.value_chars) if problem.value else problem.value,
            shorten(problem.reason, self.text_chars),
        )
        self.total += 1
        if len(self.first) < self.shown:
            self.first.append(problem)
        if self.outer is not None:
            self.outer.append(problem)
        elif self._writer is not None:
            self._writer.writerow(("" if problem.row is None else problem.row,
                                   problem.column or "", problem.value or "", problem.reason))

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def __iter__(self) -> Iterator[Problem]:
        """The problems kept (the first `shown`), not every one counted."""
        return iter(self.first)


@dataclass(frozen=True)
class ImportReport:
    """The outcome of one import run. `created`, `updated` and `unchanged` count rows of the
    import's own kind (teams, staff, cases, supervisions or actions); on a dry run they say what
    would have happened. `notes` carries what the user should know but is not a problem: new
    services or plans created on the way, columns ignored, the sheet read. `problems` holds the
    first problems found (at most IMPORT_PROBLEMS_SHOWN); `problem_count` counts them all."""

    kind: str
    path: str
    dry_run: bool
    rows_read: int
    created: int
    updated: int
    unchanged: int
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    problem_count: int | None = None

    def __post_init__(self) -> None:
        if self.problem_count is None:
            object.__setattr__(self, "problem_count", len(self.problems))

    @property
    def ok(self) -> bool:
        return not self.problem_count

    def _headline(self) -> str:
        rows = f"{self.rows_read} row{'' if self.rows_read == 1 else 's'} read"
        if self.problem_count:
            count = self.problem_count
            return (f"Refused {self.kind} from {self.path}: {rows}, {count} "
                    f"problem{'' if count == 1 else 's'}, nothing was saved.")
        if self.dry_run:
            return (f"Dry run of {self.kind} from {self.path}: {rows}; would create "
                    f"{self.created}, update {self.updated} and leave {self.unchanged} "
                    "unchanged. Nothing was saved.")
        return (f"Imported {self.kind} from {self.path}: {rows}; {self.created} created, "
                f"{self.updated} updated, {self.unchanged} unchanged.")

    def _notes(self) -> str:
        return " ".join(note if note.endswith(".") else note + "." for note in self.notes)

    def summary(self, limit: int | None = None) -> str:
        """One paragraph for a person: the problems kept (or the first `limit`), then how many
        more there were."""
        text = self._headline()
        if self.problem_count:
            listed = self.problems if limit is None else self.problems[:limit]
            text = text[:-1] + " " + "; ".join(str(problem) for problem in listed)
            if len(listed) < self.problem_count:
                text += f"; and {self.problem_count - len(listed)} more"
            text += "."
        if self.notes:
            text += " " + self._notes()
        return text

    def lines(self, report_path: str | None = None) -> list[str]:
        """The console's form: a headline, one line per problem kept, then the total, and
        where every problem was written (`--report FILE`) or how to get them all."""
        lines = [self._headline()]
        if self.notes:
            lines.append(self._notes())
        if self.problem_count:
            lines.extend(f"  {problem}" for problem in self.problems)
            more = self.problem_count - len(self.problems)
            total = f"{self.problem_count} problem{'' if self.problem_count == 1 else 's'} in all"
            if more:
                total = f"…and {more} more: {total}"
            if report_path:
                lines.append(f"{total}; every one is in {report_path}.")
            elif more:
                lines.append(f"{total}; --report FILE writes every one as CSV.")
            else:
                lines.append(f"{total}.")
        return lines
