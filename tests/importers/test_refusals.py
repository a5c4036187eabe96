"""Bad files are refused whole, every problem listed where the user will find it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from importers import Problem, import_rows
from models import Staff, Team
from tests.builders import (
    CASES, IMPORT_DAY as TODAY, STAFF, TEAMS, import_path, load, load_council, row_counts,
    write_rows,
)


def _refused(session, kind: str, rows: list[dict]) -> list[tuple]:
    report = import_rows(session, kind, rows, source=f"{kind}.csv", today=TODAY)
    assert not report.ok
    return [(p.row, p.column, p.value) for p in report.problems]


def test_bad_file_lists_every_problem_and_leaves_the_store_unchanged(session, tmp_path) -> None:
    load_council(session, "cases", "supervisions", "actions")
    before = row_counts(session)
    rows = [
        dict(CASES[0], case_type="CP", last_visit="2026-02-27"),  # a good, changed row
        {"case_ref": "CR-2001", "case_type": "ABC", "start_date": "2026-13-01",
         "team": "Assessment North", "allocated_worker_id": "SW1"},
        {"case_ref": "", "case_type": "CIN", "start_date": "2026-01-05",
         "team": "Nowhere Team", "allocated_worker_id": "SW9"},
        {"case_ref": "CR-2003", "case_type": "CIN", "start_date": "03/02/2026",
         "team": "Assessment North", "end_date": "2026-01-01", "allocated_worker_id": "SW1",
         "co_worker_id": "SW1"},
        {"case_ref": "CR-2004", "case_type": "LAC", "start_date": "yesterday",
         "team": "Children in Care", "last_visit": "2026-12-25"},
    ]
    report = import_path(session, "cases", write_rows(tmp_path / "cases.csv", rows))

    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (3, "case_type", "ABC"),
        (3, "start_date", "2026-13-01"),
        (4, "case_ref", None),
        (4, "team", "Nowhere Team"),
        (4, "allocated_worker_id", "SW9"),
        (5, "co_worker_id", "SW1"),
        (5, "end_date", "2026-01-01"),
        (6, "start_date", "yesterday"),
        (6, "last_visit", "2026-12-25"),
    ]
    assert all(p.reason for p in report.problems)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}


def test_summary_lists_problems_as_row_column_value_and_reason(session) -> None:
    load_council(session)
    report = import_rows(session, "staff", [dict(STAFF[3], fte="x")], source="staff.csv",
                         today=TODAY)
    assert "nothing was saved" in report.summary()
    assert ("row 2, column fte, value 'x': not a number: a full-time equivalent above 0 and at "
            "most 1.0") in report.summary()
    assert str(Problem(None, "dob", None, "refused")) == "column dob: refused"


@pytest.mark.parametrize("header", [
    "Child Name", "child_name", "Forename", "Surname", "First Name", "last-name", "Full Name",
    "DOB", "D.O.B.", "Date of Birth", "birth date", "Address", "Home Address Line 1",
    "Postcode", "Post Code", "NHS Number", "NHS No", "UPN", "ULN", "name", "Young Person",
])
def test_a_column_naming_a_child_refuses_the_file_without_echoing_values(
        session, tmp_path, caplog, header) -> None:
    load_council(session)
    before = row_counts(session)
    secret = "Jayden Example 2014-05-06 12 Acacia Road"
    rows = [dict(CASES[0], secret=secret)]
    headers = [*CASES[0].keys(), header]
    with caplog.at_level("DEBUG"):
        report = import_path(session, "cases", write_rows(tmp_path / "cases.csv", rows, headers))
    assert [(p.row, p.column, p.value) for p in report.problems] == [(None, header, None)]
    assert "identify a child" in report.problems[0].reason
    assert secret not in report.summary() and secret not in caplog.text
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}


def test_staff_files_may_name_the_worker_but_not_split_names(session) -> None:
    load(session, "teams", TEAMS)
    assert _refused(session, "staff", [dict(STAFF[0], forename="Hana")]) == [
        (None, "forename", None)]
    load(session, "staff", [STAFF[0]])
    assert session.exec(select(Staff)).one().name == "Hana Osei"


def test_email_address_columns_are_not_mistaken_for_a_childs_address(session) -> None:
    load(session, "teams", TEAMS)
    load(session, "staff", [dict(STAFF[0], **{"Work Email Address": "x@y.uk"})])


def test_missing_required_column_is_named_with_the_columns_needed(session) -> None:
    load_council(session)
    rows = [{key: value for key, value in CASES[0].items() if key != "team"}]
    report = import_rows(session, "cases", rows, source="cases.csv", today=TODAY)
    [problem] = report.problems
    assert (problem.row, problem.column, problem.value) == (None, "team", None)
    assert problem.reason == ("missing required column team: a cases file needs the columns "
                              "case_ref, case_type, start_date, team")


def test_unreadable_files_are_refused_and_say_why(session, tmp_path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "fake.xlsx").write_text("staff_id,name\n")
    reasons = [
        import_path(session, "staff", tmp_path / name).problems[0].reason
        for name in ("old.xls", "empty.csv", "fake.xlsx", "missing.csv")
    ]
    assert reasons == [
        "old.xls is in the old Excel .xls format: save it as .xlsx or .csv and import that",
        "empty.csv is empty: the first row must be the column headers",
        "fake.xlsx is not a readable .xlsx workbook",
        "cannot read missing.csv: no such file",
    ]
    assert import_rows(session, "pets", [], source="x", today=TODAY).problems[0].reason.startswith(
        "not a kind of import")


def test_unknown_team_and_worker_references_are_problems(session) -> None:
    load_council(session)
    assert _refused(session, "cases", [
        dict(CASES[0], team="Assessment Nowth", allocated_worker_id="SW1", co_worker_id="XX1"),
    ]) == [(2, "team", "Assessment Nowth"), (2, "co_worker_id", "XX1")]
    assert _refused(session, "staff", [dict(STAFF[3], team="Fostering", manager_id="TM9")]) == [
        (2, "team", "Fostering"), (2, "manager_id", "TM9")]
    assert _refused(session, "supervisions", [
        {"staff_id": "SW7", "date": "2026-02-02", "supervisor_id": "TM7"}]) == [
        (2, "staff_id", "SW7"), (2, "supervisor_id", "TM7")]
    assert _refused(session, "actions", [
        {"plan": "P", "ref": "1", "action": "a", "owner_id": "nobody", "due_date": "2026-05-01"},
    ]) == [(2, "owner_id", "nobody")]


def test_team_manager_must_be_known_staff_or_left_blank(session) -> None:
    problems = import_rows(session, "teams", [dict(TEAMS[0], manager_id="TM1")],
                           source="teams.csv", today=TODAY).problems
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "manager_id", "TM1")]
    assert "leave manager_id blank, import staff, then import teams again" in problems[0].reason
    assert not session.exec(select(Team)).all()


def test_practitioners_must_be_in_a_team_not_a_service(session) -> None:
    load(session, "teams", TEAMS)
    assert _refused(session, "staff", [dict(STAFF[3], team="Safeguarding", manager_id="")]) == [
        (2, "team", "Safeguarding")]


def test_duplicate_keys_in_one_file_are_problems(session) -> None:
    load_council(session)
    assert _refused(session, "cases", [CASES[0], CASES[1], dict(CASES[2], case_ref="CR-1001")]
                    ) == [(4, "case_ref", "CR-1001")]
    assert _refused(session, "teams", [TEAMS[0], dict(TEAMS[1], team="assessment  NORTH")]) == [
        (3, "team", "assessment  NORTH")]
    assert _refused(session, "staff", [
        STAFF[0], dict(STAFF[1], staff_id="HOS1", manager_id="", email="x@council.gov.uk"),
        dict(STAFF[2], email="HANA.osei@council.gov.uk"),
    ]) == [(3, "staff_id", "HOS1"), (4, "email", "hana.osei@council.gov.uk")]
    assert _refused(session, "supervisions", [
        {"staff_id": "SW1", "date": "2026-02-10"}, {"staff_id": "SW1", "date": "10/02/2026"},
    ]) == [(3, "date", "10/02/2026")]
    assert _refused(session, "actions", [
        {"plan": "P", "ref": "1", "action": "a", "owner_id": "TM1", "due_date": "2026-05-01"},
        {"plan": " p ", "ref": "1", "action": "b", "owner_id": "TM1", "due_date": "2026-05-01"},
    ]) == [(3, "ref", "1")]


def test_an_email_held_by_another_worker_in_the_store_is_a_problem(session) -> None:
    load_council(session)
    assert _refused(session, "staff", [
        dict(STAFF[3], staff_id="SW9", email="Sam.Wills@council.gov.uk")]) == [
        (2, "email", "sam.wills@council.gov.uk")]


def test_fte_must_be_above_zero_and_at_most_one(session) -> None:
    load(session, "teams", TEAMS)
    rows = [dict(STAFF[0], staff_id=f"S{n}", email=f"s{n}@council.gov.uk", fte=fte)
            for n, fte in enumerate(["0", "-0.5", "1.2", "full", "", "nan", "0.5", "1"])]
    assert _refused(session, "staff", rows) == [
        (2, "fte", "0"), (3, "fte", "-0.5"), (4, "fte", "1.2"), (5, "fte", "full"),
        (6, "fte", None), (7, "fte", "nan"),
    ]


def test_staff_values_are_checked_one_by_one(session) -> None:
    load(session, "teams", TEAMS)
    assert _refused(session, "staff", [dict(
        STAFF[3], email="sam.wills at council", role="wizard", agency="maybe",
        start_date="2020-01-06", end_date="2019-12-31", asye_start="", asye_end="2021-01-01",
        academy_modules_passed="7", academy_modules_required="6", manager_id="SW1",
    )]) == [
        (2, "email", "sam.wills at council"), (2, "role", "wizard"), (2, "agency", "maybe"),
        (2, "end_date", "2019-12-31"), (2, "asye_end", "2021-01-01"),
        (2, "academy_modules_passed", "7"), (2, "manager_id", "SW1"),
    ]


def test_roles_case_types_and_booleans_are_read_whatever_their_case(session) -> None:
    load(session, "teams", TEAMS)
    load(session, "staff", [dict(STAFF[0], role="HEAD-OF-SERVICE", agency="yes"),
                            dict(STAFF[3], role="Social Worker", agency="FALSE", manager_id="")])
    roles = {s.staff_id: (s.role, s.agency) for s in session.exec(select(Staff))}
    assert roles == {"HOS1": ("head_of_service", True), "SW1": ("social_worker", False)}


def test_action_status_done_needs_a_completed_date(session) -> None:
    load_council(session)
    base = {"plan": "P", "action": "a", "owner_id": "TM1", "due_date": "2026-05-01"}
    assert _refused(session, "actions", [
        dict(base, ref="1", status="done", completed_date=""),
        dict(base, ref="2", status="open", completed_date="2026-02-01"),
        dict(base, ref="3", status="finished", completed_date=""),
        dict(base, ref="4", status="done", completed_date="2026-04-01"),
    ]) == [(2, "completed_date", None), (3, "completed_date", "2026-02-01"),
           (4, "status", "finished"), (5, "completed_date", "2026-04-01")]


def test_supervisions_cannot_be_in_the_future_or_self_supervised(session) -> None:
    load_council(session)
    assert _refused(session, "supervisions", [
        {"staff_id": "SW1", "date": "2026-03-03", "supervisor_id": "SW1"}]) == [
        (2, "date", "2026-03-03"), (2, "supervisor_id", "SW1")]
