"""Upserts on the natural key, allocation history, dry runs, the audit log and the logs."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlmodel import select

from importers import import_rows
from models import Action, AuditEntry, Case, CaseAllocation, Staff, Supervision, Team
from tests.database import statements_sent
from tests.builders import (
    ACTIONS, CASES, IMPORT_DAY as TODAY, ROWS, STAFF, SUPERVISIONS, TEAM_MANAGERS, import_path,
    load, load_council, row_counts, write_rows,
)

LATER = date(2026, 4, 1)


def _spells(session, case_ref: str) -> list[tuple]:
    case = session.exec(select(Case).where(Case.case_ref == case_ref)).one()
    staff = {s.id: s.staff_id for s in session.exec(select(Staff))}
    return sorted(
        (spell.role, staff[spell.worker_id], spell.from_date, spell.to_date)
        for spell in session.exec(select(CaseAllocation).where(CaseAllocation.case_id == case.id))
    )


@pytest.mark.parametrize("kind", ["teams", "staff", "cases", "supervisions", "actions"])
def test_reimporting_the_same_file_changes_nothing(session, tmp_path, kind) -> None:
    load_council(session, "cases", "supervisions", "actions")
    rows = TEAM_MANAGERS if kind == "teams" else ROWS[kind]
    before = row_counts(session)
    report = import_path(session, kind, write_rows(tmp_path / f"{kind}.xlsx", rows), today=LATER)
    assert report.ok, report.summary()
    assert (report.created, report.updated, report.unchanged) == (0, 0, len(rows))
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}


def test_a_changed_row_updates_only_that_row(session) -> None:
    load_council(session, "cases")
    before = {c.case_ref: c.model_dump() for c in session.exec(select(Case))}
    report = load(session, "cases", [CASES[0], dict(CASES[1], next_review="2026-05-01"),
                                     *CASES[2:]])
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    after = {c.case_ref: c.model_dump() for c in session.exec(select(Case))}
    assert after["CR-1002"] == {**before["CR-1002"], "next_review": date(2026, 5, 1)}
    assert {ref: row for ref, row in after.items() if ref != "CR-1002"} == {
        ref: row for ref, row in before.items() if ref != "CR-1002"}


def test_the_caller_session_sees_imported_changes(session) -> None:
    load_council(session)
    worker = session.exec(select(Staff).where(Staff.staff_id == "SW1")).one()
    load(session, "staff", [dict(STAFF[3], fte="0.6")])
    assert worker.fte == 0.6


def test_reallocation_closes_the_old_spell_and_opens_a_new_one(session) -> None:
    load_council(session, "cases")
    report = load(session, "cases", [dict(CASES[0], allocated_worker_id="SW2", co_worker_id="")],
                  today=LATER)
    assert report.updated == 1
    assert _spells(session, "CR-1001") == [
        ("co", "SW2", date(2025, 11, 3), LATER),
        ("lead", "SW1", date(2025, 11, 3), LATER),
        ("lead", "SW2", LATER, None),
    ]


def test_first_allocation_of_an_unallocated_case_opens_a_spell_today(session) -> None:
    load_council(session, "cases")
    load(session, "cases", [dict(CASES[3], allocated_worker_id="SW1")], today=LATER)
    assert _spells(session, "CR-1004") == [("lead", "SW1", LATER, None)]


def test_a_closure_arrives_as_an_end_date_and_absent_cases_stay_open(session) -> None:
    load_council(session, "cases")
    report = load(session, "cases", [dict(CASES[0], end_date="2026-03-20")], today=LATER)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    cases = {c.case_ref: c for c in session.exec(select(Case))}
    assert cases["CR-1001"].end_date == date(2026, 3, 20)
    assert [c.end_date for ref, c in cases.items() if ref != "CR-1001"] == [None, None, None]
    assert _spells(session, "CR-1001") == [
        ("co", "SW2", date(2025, 11, 3), date(2026, 3, 20)),
        ("lead", "SW1", date(2025, 11, 3), date(2026, 3, 20)),
    ]
    load(session, "cases", [CASES[0]], today=LATER)  # reopened
    assert _spells(session, "CR-1001")[-1] == ("lead", "SW1", LATER, None)


def test_a_case_arriving_closed_has_a_closed_spell(session) -> None:
    load_council(session)
    load(session, "cases", [dict(CASES[2], end_date="2025-01-31")])
    assert _spells(session, "CR-1003") == [("lead", "SW3", date(2024, 6, 10), date(2025, 1, 31))]


def test_absent_optional_columns_leave_stored_values_alone(session) -> None:
    load_council(session, "cases")
    worker = session.exec(select(Staff).where(Staff.staff_id == "SW1")).one()
    worker.slack_user_id = "U0SW1"
    session.add(worker)
    session.commit()
    staff_row = {k: v for k, v in STAFF[3].items() if k not in ("agency", "manager_id")}
    case_row = {k: v for k, v in CASES[0].items() if k in ("case_ref", "case_type", "start_date",
                                                           "team")}
    assert load(session, "staff", [staff_row]).unchanged == 1
    assert load(session, "cases", [case_row]).unchanged == 1
    worker = session.exec(select(Staff).where(Staff.staff_id == "SW1")).one()
    assert (worker.slack_user_id, worker.manager_id is not None) == ("U0SW1", True)
    assert session.exec(select(Case).where(Case.case_ref == "CR-1001")).one().co_worker_id


def test_a_dry_run_reports_counts_and_changes_nothing(session, tmp_path) -> None:
    load_council(session)
    before = row_counts(session)
    path = write_rows(tmp_path / "cases.csv", CASES)
    report = import_path(session, "cases", path, dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (len(CASES), 0, 0)
    assert "Nothing was saved" in report.summary()
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}


def test_every_import_run_is_audited_good_dry_and_refused(session, tmp_path) -> None:
    load_council(session)
    start = datetime.now(timezone.utc)
    good = write_rows(tmp_path / "cases.csv", CASES)
    bad = write_rows(tmp_path / "bad cases.csv", [dict(CASES[0], fte="x", case_type="?")])
    import_path(session, "cases", good, dry_run=True, actor="ADM1")
    import_path(session, "cases", good, actor="ADM1")
    import_path(session, "cases", bad, actor="ADM1")
    entries = session.exec(select(AuditEntry).where(AuditEntry.actor == "ADM1")
                           .order_by(AuditEntry.id)).all()
    assert [(e.front_end, e.command, e.scope, e.outcome) for e in entries] == [
        ("import", "import cases cases.csv --dry-run", "cases", "answered"),
        ("import", "import cases cases.csv", "cases", "changed"),
        ("import", "import cases bad cases.csv", "cases", "invalid"),
    ]
    assert entries[1].detail == "rows 4, created 4, updated 0, unchanged 0, problems 0"
    assert entries[2].detail == "rows 1, created 0, updated 0, unchanged 0, problems 1"
    assert all(e.at.replace(tzinfo=e.at.tzinfo or timezone.utc) >= start.replace(microsecond=0)
               for e in entries)


def test_an_unexpected_failure_rolls_back_and_is_audited(session, monkeypatch) -> None:
    from importers.cases import CasesImporter

    load_council(session)
    before = row_counts(session)

    def broken_write(self, rows):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(CasesImporter, "write", broken_write)
    with pytest.raises(RuntimeError):
        import_rows(session, "cases", CASES, source="cases.csv", today=TODAY, actor="ADM1")
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}
    entry = session.exec(select(AuditEntry).where(AuditEntry.actor == "ADM1")).one()
    assert (entry.outcome, entry.detail) == ("error", "rows 4, failed: RuntimeError")


def test_logs_carry_counts_never_case_values(session, caplog) -> None:
    load_council(session)
    with caplog.at_level("DEBUG"):
        load(session, "cases", CASES)
        import_rows(session, "cases", [dict(CASES[0], case_type="SECRET-TYPE")],
                    source="cases.csv", today=TODAY)
    assert "import cases cases.csv: ok, 4 rows" in caplog.text
    for row in CASES:
        for column, value in row.items():
            if value and column not in ("case_ref", "team"):
                assert value not in caplog.text, column
    assert "SECRET-TYPE" not in caplog.text


def test_actions_completed_in_the_bot_are_not_reopened_by_an_import(session) -> None:
    load_council(session, "actions")
    action = session.exec(select(Action).where(Action.ref == "AFI-1")).one()
    manager = session.exec(select(Staff).where(Staff.staff_id == "HOS1")).one()
    action.status, action.completed_date = "done", date(2026, 2, 27)
    action.completed_by_id, action.evidence = manager.id, "Caseloads now 17.2 per FTE"
    session.add(action)
    session.commit()
    report = load(session, "actions", [dict(ACTIONS[0], due_date="2026-07-31"), *ACTIONS[1:]])
    assert (report.updated, report.unchanged) == (1, 2)
    assert "1 action completed in the bot kept as recorded there" in report.summary()
    action = session.exec(select(Action).where(Action.ref == "AFI-1")).one()
    assert (action.status, action.completed_date, action.evidence, action.due_date) == (
        "done", date(2026, 2, 27), "Caseloads now 17.2 per FTE", date(2026, 7, 31))


def test_supervisions_upsert_on_worker_and_date(session) -> None:
    load_council(session, "supervisions")
    report = load(session, "supervisions", [dict(SUPERVISIONS[0], kind="group"),
                                            {"staff_id": "SW1", "date": "2026-02-24"}])
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    kinds = {(s.date, s.kind) for s in session.exec(select(Supervision))}
    assert (date(2026, 2, 10), "group") in kinds and (date(2026, 2, 24), None) in kinds


def test_statements_do_not_grow_with_the_number_of_rows(session, engine) -> None:
    load_council(session)

    def statements_to_import(count: int, prefix: str) -> int:
        rows = [dict(CASES[n % 4], case_ref=f"{prefix}-{n}") for n in range(count)]
        with statements_sent(engine) as executed:
            load(session, "cases", rows)
            load(session, "cases", [dict(row, case_type="OTHER") for row in rows])
        return len(executed)

    assert statements_to_import(600, "B") == statements_to_import(30, "A")


def test_teams_reimport_with_managers_updates_only_the_manager(session) -> None:
    load_council(session)
    north = session.exec(select(Team).where(Team.name == "Assessment North")).one()
    assert north.establishment_fte == 8.5 and north.digest_channel == "#safeguarding"
    report = load(session, "teams", [dict(TEAM_MANAGERS[0], manager_id="")])
    assert report.updated == 1
    assert session.exec(select(Team).where(Team.name == "Assessment North")).one().manager_id is None
