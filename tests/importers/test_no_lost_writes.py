"""SPEC section 8, nothing lost: an import running while chat records a change never undoes it.

The races run through the real code on the test store (real PostgreSQL in the PostgreSQL pass):
chat through `ask`, as Slack, Teams and the console do, and imports through the real loader, in
threads of their own. Where a test needs one exact interleaving, an `after_cursor_execute` hook
holds one thread just after it has read the rows it will write (before any write of its own, so
it holds no lock) until the other thread has finished: no sleeps, no timing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.lost_writes import race, seed, spreadsheets
from config import Settings
from importers import ImportReport, import_rows
from importers.chat_rule import may_set_progress
from models import Action, Staff, Supervision
from queries.access import Identity
from queries.answer import ask
from queries.results import ActionChanged, SupervisionLogged
from tests.builders import small_council

TODAY = date(2026, 3, 2)
#: How long a held thread waits at most if the other never finishes (a hang guard, not a
#: measurement: every test here passes or fails on the data, never on time).
HOLD_GUARD_SECONDS = 60
#: Completions recorded against the loop of re-imports: enough that today's code lost most.
RACED_COMPLETIONS = 60


@dataclass
class Hold:
    """Holds the thread named `thread` just after its first statement starting with `prefix`."""

    thread: str
    prefix: str
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def after_cursor_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any
                             ) -> None:
        if (threading.current_thread().name == self.thread and not self.reached.is_set()
                and statement.lstrip().upper().startswith(self.prefix)):
            self.reached.set()
            self.release.wait(HOLD_GUARD_SECONDS)


@contextmanager
def held(engine: Engine, thread: str, prefix: str) -> Iterator[Hold]:
    hold = Hold(thread, prefix)
    event.listen(engine, "after_cursor_execute", hold.after_cursor_execute)
    try:
        yield hold
    finally:
        hold.release.set()
        event.remove(engine, "after_cursor_execute", hold.after_cursor_execute)


def in_thread(name: str, work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run `work` in a thread; its result (or the exception it raised) lands in the list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as failure:  # the test reports it, not the thread
            outcome.append(failure)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread, outcome


def chat(engine: Engine, staff_id: str, text: str, today: date = TODAY) -> Any:
    return ask(engine, Identity("cli", staff_id=staff_id), text, today=today,
               settings=Settings()).answer


def import_actions(engine: Engine, today: date = TODAY, **a1: str) -> ImportReport:
    """The improvement plan's spreadsheet row for A1, as its owner keeps it, with `a1` changes."""
    row = {"plan": "Improvement", "ref": "A1",
           "action": "Visit every child on a CP plan within 10 working days",
           "owner_id": "SW1", "due_date": (TODAY - timedelta(days=12)).isoformat(),
           "measure": "Monthly report: 95% of visits in time", "status": "open",
           "completed_date": "", "evidence": "", **a1}
    with Session(engine, expire_on_commit=False) as session:
        return import_rows(session, "actions", [row], source="actions.csv", today=today)


def import_supervision(engine: Engine, staff_id: str, on: date, supervisor_id: str, kind: str
                       ) -> ImportReport:
    with Session(engine, expire_on_commit=False) as session:
        return import_rows(session, "supervisions", [
            {"staff_id": staff_id, "date": on.isoformat(), "supervisor_id": supervisor_id,
             "kind": kind}], source="supervisions.csv", today=TODAY)


def stored_a1(engine: Engine) -> Action:
    with Session(engine) as session:
        return session.exec(select(Action).where(Action.ref == "A1")).one()


@pytest.fixture
def council(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        small_council(session, TODAY)


# The races ------------------------------------------------------------------------------------

def test_completions_in_chat_survive_a_loop_of_reimports(engine, tmp_path) -> None:
    refs = seed(engine, TODAY, RACED_COMPLETIONS)
    result = race(engine, spreadsheets(engine, tmp_path), refs, TODAY, Settings())
    assert result.told_done == RACED_COMPLETIONS
    assert result.lost == ()
    assert result.imports_failed == 0


def test_an_import_that_read_before_a_chat_completion_does_not_undo_it(engine, council) -> None:
    with held(engine, "import", "SELECT ACTION.ID") as hold:  # read the stored actions
        thread, imported = in_thread("import", lambda: import_actions(
            engine, measure="Weekly report"))
        assert hold.reached.wait(HOLD_GUARD_SECONDS), imported
        assert isinstance(chat(engine, "SW1", "/actions done A1 Audit shows 97%"), ActionChanged)
        hold.release.set()
        thread.join()
    assert imported[0].ok, imported
    action = stored_a1(engine)
    assert (action.status, action.completed_date, action.evidence, action.measure) == (
        "done", TODAY, "Audit shows 97%", "Weekly report")


def test_a_chat_update_that_read_before_an_import_does_not_reopen_its_completion(
        engine, council) -> None:
    with held(engine, "chat", "SELECT ACTION.ID") as hold:  # found the action
        thread, said = in_thread("chat", lambda: chat(engine, "SW1", "/actions update A1 nearly"))
        assert hold.reached.wait(HOLD_GUARD_SECONDS), said
        report = import_actions(engine, status="done", completed_date=TODAY.isoformat(),
                                evidence="Signed off at the board")
        assert report.ok, report.summary()
        hold.release.set()
        thread.join()
    assert isinstance(said[0], ActionChanged), said
    action = stored_a1(engine)
    assert (action.status, action.evidence) == ("done", "Signed off at the board")


def test_a_supervision_logged_in_chat_while_an_import_adds_it_is_kept(engine, council) -> None:
    on = TODAY - timedelta(days=1)
    with held(engine, "import", "SELECT SUPERVISION.ID") as hold:  # read the sessions
        thread, imported = in_thread("import", lambda: import_supervision(
            engine, "SW1", on, "TM2", "group"))
        assert hold.reached.wait(HOLD_GUARD_SECONDS), imported
        said = chat(engine, "TM1", f"/supervision log SW1 {on.isoformat()}")
        assert isinstance(said, SupervisionLogged), said
        hold.release.set()
        thread.join()
    assert isinstance(imported[0], ImportReport) and imported[0].ok, imported
    with Session(engine) as session:
        sessions = session.exec(select(Supervision).where(Supervision.date == on)).all()
    assert [(s.kind, s.logged_in_chat) for s in sessions] == [("logged in chat", True)]


# The rule, column by column ---------------------------------------------------------------

@pytest.mark.parametrize(("completed_in_chat", "chat_changed_on", "file_completed", "file_wins"), [
    (False, None, None, True),                      # chat never touched it: the file's
    (False, TODAY, None, False),                    # file status with no date: chat's kept
    (False, TODAY, TODAY, False),                   # same day: not provably newer
    (False, TODAY, TODAY + timedelta(days=1), True),  # completed after chat's change
    (True, TODAY, TODAY + timedelta(days=30), False),  # a chat completion: never
])
def test_the_file_sets_progress_only_when_provably_newer_than_chat(
        completed_in_chat, chat_changed_on, file_completed, file_wins) -> None:
    assert may_set_progress(completed_in_chat, chat_changed_on, file_completed) is file_wins


def test_a_file_status_without_a_date_keeps_progress_set_in_chat(engine, council) -> None:
    assert isinstance(chat(engine, "SW1", "/actions update A1 started the audit"), ActionChanged)
    report = import_actions(engine, TODAY + timedelta(days=3), status="open")
    assert report.ok and "1 action updated in the bot kept as recorded there" in report.summary()
    assert (stored_a1(engine).status, stored_a1(engine).chat_changed_on) == ("in_progress", TODAY)


def test_a_file_completion_dated_the_day_of_the_chat_change_keeps_chat_progress(
        engine, council) -> None:
    chat(engine, "SW1", "/actions update A1 started the audit")
    report = import_actions(engine, status="done", completed_date=TODAY.isoformat(),
                            evidence="Board minutes")
    assert report.ok, report.summary()
    assert (stored_a1(engine).status, stored_a1(engine).evidence) == ("in_progress", None)


def test_a_file_completion_dated_after_the_chat_change_wins_and_reimports_change_nothing(
        engine, council) -> None:
    chat(engine, "SW1", "/actions update A1 started the audit")
    later = TODAY + timedelta(days=2)
    completed = {"status": "done", "completed_date": later.isoformat(), "evidence": "Board minutes"}
    first = import_actions(engine, later, **completed)
    assert (first.updated, first.unchanged) == (1, 0)
    action = stored_a1(engine)
    assert (action.status, action.completed_date, action.evidence, action.chat_changed_on) == (
        "done", later, "Board minutes", None)
    again = import_actions(engine, later, **completed)
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_completion_in_chat_is_kept_against_a_later_dated_file(engine, council) -> None:
    chat(engine, "SW1", "/actions done A1 Audit shows 97%")
    later = TODAY + timedelta(days=30)
    for _ in range(2):  # and re-importing it changes nothing either
        report = import_actions(engine, later, status="done", completed_date=later.isoformat(),
                                evidence="Spreadsheet says so", measure="Quarterly report")
        assert report.ok and "1 action completed in the bot kept" in report.summary()
    action = stored_a1(engine)
    assert (action.status, action.completed_date, action.evidence, action.measure) == (
        "done", TODAY, "Audit shows 97%", "Quarterly report")


def test_an_action_chat_never_touched_takes_the_files_progress(engine, council) -> None:
    report = import_actions(engine, status="in_progress")
    assert report.updated == 1 and stored_a1(engine).status == "in_progress"


def test_a_supervision_logged_in_chat_keeps_its_supervisor_and_kind(engine, council) -> None:
    on = TODAY - timedelta(days=1)
    assert isinstance(chat(engine, "TM1", f"/supervision log SW1 {on.isoformat()}"),
                      SupervisionLogged)
    for _ in range(2):
        report = import_supervision(engine, "SW1", on, "TM2", "group")
        assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
        assert "1 session logged in the bot kept" in report.summary()
    with Session(engine) as session:
        logged = session.exec(select(Supervision).where(Supervision.date == on)).one()
        supervisor = session.exec(select(Staff.staff_id).where(Staff.id == logged.supervisor_id)
                                  ).one()
    assert (supervisor, logged.kind, logged.logged_in_chat) == ("TM1", "logged in chat", True)
