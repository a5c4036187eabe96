"""What an import tells its user: every problem found, and what was (or would be) written."""

from __future__ import annotations

from dataclasses import dataclass

#: Problem values longer than this are shortened, so a pasted paragraph cannot flood a report.
MAX_VALUE_CHARS = 80


def shorten(value: str) -> str:
    return value if len(value) <= MAX_VALUE_CHARS else value[: MAX_VALUE_CHARS - 1] + "…"


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


@dataclass(frozen=True)
class ImportReport:
    """The outcome of one import run. `created`, `updated` and `unchanged` count rows of the
    import's own kind (teams, staff, cases, supervisions or actions); on a dry run they say what
    would have happened. `notes` carries what the user should know but is not a problem: new
    services or plans created on the way, columns ignored, the sheet read."""

    kind: str
    path: str
    dry_run: bool
    rows_read: int
    created: int
    updated: int
    unchanged: int
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self, limit: int | None = None) -> str:
        """One paragraph for a person; lists every problem unless `limit` caps the list."""
        rows = f"{self.rows_read} row{'' if self.rows_read == 1 else 's'} read"
        if self.problems:
            count = len(self.problems)
            listed = self.problems if limit is None else self.problems[:limit]
            text = (
                f"Refused {self.kind} from {self.path}: {rows}, {count} "
                f"problem{'' if count == 1 else 's'}, nothing was saved. "
                + "; ".join(str(problem) for problem in listed)
            )
            if len(listed) < count:
                text += f"; and {count - len(listed)} more"
            text += "."
        elif self.dry_run:
            text = (
                f"Dry run of {self.kind} from {self.path}: {rows}; would create {self.created}, "
                f"update {self.updated} and leave {self.unchanged} unchanged. Nothing was saved."
            )
        else:
            text = (
                f"Imported {self.kind} from {self.path}: {rows}; {self.created} created, "
                f"{self.updated} updated, {self.unchanged} unchanged."
            )
        if self.notes:
            text += " " + " ".join(note if note.endswith(".") else note + "." for note in self.notes)
        return text
