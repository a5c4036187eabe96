"""The optional columns placement_start, long_term_placement (cases) and swe_no, annex_a_name
(staff): imported, left alone when absent, cleared when blank, checked one by one."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from importers import import_rows
from models import Case, Staff
from tests.builders import CASES, IMPORT_DAY as TODAY, STAFF, load, load_council


def _refused(session, kind: str, rows: list[dict]) -> list[tuple]:
    report = import_rows(session, kind, rows, source=f"{kind}.csv", today=TODAY)
    assert not report.ok
    assert all(p.reason for p in report.problems)
    return [(p.row, p.column, p.value, p.reason) for p in report.problems]


def _case(session, ref: str) -> Case:
    session.expire_all()
    return session.exec(select(Case).where(Case.case_ref == ref)).one()


def _staff(session, staff_id: str) -> Staff:
    session.expire_all()
    return session.exec(select(Staff).where(Staff.staff_id == staff_id)).one()


def test_placement_columns_are_imported_and_reimport_changes_nothing(session) -> None:
    load_council(session)
    rows = [dict(case, placement_start="", long_term_placement="") for case in CASES]
    rows[2] = dict(CASES[2], placement_start="15/01/2026", long_term_placement="Y")
    report = load(session, "cases", rows)
    assert (report.created, report.updated, report.unchanged) == (len(CASES), 0, 0)
    case = _case(session, "CR-1003")
    assert (case.placement_start, case.long_term_placement) == (date(2026, 1, 15), True)
    other = _case(session, "CR-1001")
    assert (other.placement_start, other.long_term_placement) == (None, False)

    again = load(session, "cases", rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(CASES))


def test_absent_placement_columns_leave_stored_values_and_blank_clears(session) -> None:
    load_council(session)
    load(session, "cases", [dict(CASES[2], placement_start="2026-01-15",
                                 long_term_placement="yes")])
    without = load(session, "cases", [CASES[2]])
    assert (without.updated, without.unchanged) == (0, 1)
    case = _case(session, "CR-1003")
    assert (case.placement_start, case.long_term_placement) == (date(2026, 1, 15), True)

    cleared = load(session, "cases", [dict(CASES[2], placement_start="",
                                           long_term_placement="")])
    assert cleared.updated == 1
    case = _case(session, "CR-1003")
    assert (case.placement_start, case.long_term_placement) == (None, False)


def test_bad_placement_values_are_refused_with_reasons(session) -> None:
    load_council(session)
    problems = _refused(session, "cases", [
        dict(CASES[2], placement_start="2026-03-03", long_term_placement="maybe"),
        dict(CASES[0], placement_start="2025-11-02"),
        dict(CASES[1], placement_start="31/02/2026"),
    ])
    assert [problem[:3] for problem in problems] == [
        (2, "placement_start", "2026-03-03"),
        (2, "long_term_placement", "maybe"),
        (3, "placement_start", "2025-11-02"),
        (4, "placement_start", "31/02/2026"),
    ]
    assert "in the future" in problems[0][3]
    assert "use Y or N" in problems[1][3]
    assert "before start_date" in problems[2][3]
    assert "not a real date" in problems[3][3]
    assert session.exec(select(Case)).all() == []


def test_swe_no_and_annex_a_name_are_imported_and_reimport_changes_nothing(session) -> None:
    load_council(session)
    rows = [dict(row, swe_no="", annex_a_name="") for row in STAFF]
    rows[3] = dict(STAFF[3], swe_no=" sw 12345 ", annex_a_name="S. Wills")
    report = load(session, "staff", rows)
    assert (report.updated, report.unchanged) == (1, len(STAFF) - 1)
    worker = _staff(session, "SW1")
    assert (worker.swe_no, worker.annex_a_name) == ("SW12345", "S. Wills")

    again = load(session, "staff", rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(STAFF))
    without = load(session, "staff", STAFF)
    assert (without.updated, without.unchanged) == (0, len(STAFF))
    assert _staff(session, "SW1").swe_no == "SW12345"

    cleared = load(session, "staff", [dict(STAFF[3], swe_no="", annex_a_name="")])
    assert cleared.updated == 1
    worker = _staff(session, "SW1")
    assert (worker.swe_no, worker.annex_a_name) == (None, None)


def test_new_staff_take_swe_no_and_annex_a_name(session) -> None:
    load(session, "teams", [{"team": "Assessment North", "service": "Safeguarding",
                             "manager_id": "", "establishment_fte": "8",
                             "digest_channel": ""}])
    load(session, "staff", [dict(STAFF[3], manager_id="", swe_no="sw999",
                                 annex_a_name="Sam W")])
    worker = _staff(session, "SW1")
    assert (worker.swe_no, worker.annex_a_name) == ("SW999", "Sam W")


def test_duplicate_swe_no_is_refused_in_the_file_and_against_the_store(session) -> None:
    load_council(session)
    load(session, "staff", [dict(STAFF[3], swe_no="SW12345")])
    in_file = _refused(session, "staff", [dict(STAFF[4], swe_no="SW777"),
                                          dict(STAFF[5], swe_no="sw 777")])
    assert [problem[:3] for problem in in_file] == [(3, "swe_no", "SW777")]
    assert "more than once" in in_file[0][3] and "row 2" in in_file[0][3]

    in_store = _refused(session, "staff", [dict(STAFF[4], swe_no="sw12345")])
    assert in_store == [(2, "swe_no", "SW12345", "already belongs to staff id SW1 in the store")]
    # Moving the number between workers in one file is allowed.
    moved = load(session, "staff", [dict(STAFF[3], swe_no=""), dict(STAFF[4], swe_no="SW12345")])
    assert moved.updated == 2
    assert _staff(session, "SW2").swe_no == "SW12345"


def test_swe_no_and_annex_a_name_longer_than_the_store_allows_are_refused(session) -> None:
    load_council(session)
    problems = _refused(session, "staff", [dict(STAFF[3], swe_no="X" * 41,
                                                annex_a_name="N" * 201)])
    assert [(row, column, reason) for row, column, _value, reason in problems] == [
        (2, "annex_a_name", "too long: at most 200 characters"),
        (2, "swe_no", "too long: at most 40 characters"),
    ]
