"""What an import may overwrite of what chat recorded (SPEC section 8: nothing lost).

Chat writes two things an import also writes:
- an action's progress — `status`, `completed_date`, `evidence` (and `completed_by_id`) — by
  `/actions done` and by `/actions update` (which moves an open action to in_progress);
- a supervision session (`/supervision log`): its `supervisor_id` and `kind`.

The rule, column by column:
- An action completed in chat (`completed_by_id` set) keeps its completion: no file reopens it or
  changes its date or evidence. Chat knows who completed it and when; a spreadsheet row does not.
- An action whose progress chat set on day D (`chat_changed_on`) takes the file's status,
  completed date and evidence only when the file shows it done on a day after D: that is the one
  file value provably newer than chat's. A file status with no date (open, in_progress), or a
  completion on or before D, cannot be shown to be newer, so chat's is kept.
- When the file's progress is written, `chat_changed_on` is cleared: the row's progress is the
  file's again, so re-importing the same file changes nothing and a later file may reopen it.
- Every other action column (text, owner, due date, area, agency, measure) is never written by
  chat, so the file's always wins.
- A supervision session logged in chat keeps its supervisor and kind; a file row for the same
  worker and date changes nothing (a session is one event, and chat recorded who held it).

The rule is applied by the UPDATE statement itself, against the row as it stands when it is
written (`may_set_progress_sql`), never against a copy the importer read earlier: an importer that
read an action before someone completed it in chat must not write the stale read back. On
PostgreSQL an UPDATE waits for a concurrent writer's row lock and then re-evaluates on the newly
committed row; on SQLite writers take turns on the whole database. Either way the CASE sees chat's
change. `may_set_progress` is the same rule in Python, for the import report's counts.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Table, and_, or_


def may_set_progress(completed_in_chat: bool, chat_changed_on: date | None,
                     file_completed_date: date | None) -> bool:
    """Whether a file may write an action's status, completed date and evidence."""
    if completed_in_chat:
        return False
    if chat_changed_on is None:
        return True
    return file_completed_date is not None and file_completed_date > chat_changed_on


def may_set_progress_sql(action: Table, file_completed_date: ColumnElement[date]
                         ) -> ColumnElement[bool]:
    """`may_set_progress`, as SQL over the row being updated (NULL dates compare as false)."""
    return and_(
        action.c.completed_by_id.is_(None),
        or_(action.c.chat_changed_on.is_(None),
            action.c.chat_changed_on < file_completed_date),
    )
