"""Good files of every kind, as CSV and XLSX, land in the store as SPEC section 5 describes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from importers import KINDS, import_rows
from models import Action, Case, CaseAllocation, Plan, Service, Staff, Supervision, Team
from tests.builders import (
    ACTIONS, CASES, IMPORT_DAY as TODAY, ROWS, STAFF, SUPERVISIONS, TEAM_MANAGERS, TEAMS,
    import_path, load, load_council, write_rows,
)


def _as_native_dates(rows: list[dict]) -> list[dict]:
    """The same rows as Excel holds them: date cells as dates, FTEs as numbers."""
    native = []
    for row in rows:
        cells = {}
        for key, value in row.items():
            if value and ("date" in key or key in ("last_visit", "next_review", "asye_start")):
                day = value.split("/")
                value = (date(int(day[2]), int(day[1]), int(day[0])) if len(day) == 3
                         else date.fromisoformat(value))
                cells[key] = datetime.combine(value, datetime.min.time())
            elif key in ("fte", "establishment_fte"):
                cells[key] = float(value)
            else:
                cells[key] = value or None
        native.append(cells)
    return native


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_kind_imports_from_csv_and_xlsx(session, tmp_path, suffix) -> None:
    files = {"teams again": TEAM_MANAGERS} | ROWS
    order = ["teams", "staff", "teams again", "cases", "supervisions", "actions"]
    for step in order:
        kind = step.split()[0]
        rows = files[step] if suffix == ".csv" else _as_native_dates(files[step])
        path = write_rows(tmp_path / f"{step.replace(' ', '_')}{suffix}", rows)
        report = import_path(session, kind, path)
        assert report.ok, report.summary()
        assert report.rows_read == len(rows)
        if step == "teams again":
            assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
        else:
            assert (report.created, report.updated, report.unchanged) == (len(rows), 0, 0)

    assert len(session.exec(select(Team)).all()) == 2
    assert {s.name for s in session.exec(select(Service))} == {"Safeguarding",
                                                               "Corporate Parenting"}
    assert len(session.exec(select(Staff)).all()) == len(STAFF)
    assert len(session.exec(select(Case)).all()) == len(CASES)
    assert len(session.exec(select(Supervision)).all()) == len(SUPERVISIONS)
    assert len(session.exec(select(Action)).all()) == len(ACTIONS)
    case = session.exec(select(Case).where(Case.case_ref == "CR-1002")).one()
    assert (case.case_type, case.start_date) == ("CIN", date(2026, 1, 14))


def test_kinds_are_the_five_of_the_spec() -> None:
    assert KINDS == ("teams", "staff", "cases", "supervisions", "actions")


def test_teams_create_their_services_by_name(session) -> None:
    report = load(session, "teams", TEAMS + [
        {"team": "Assessment South", "service": " safeguarding ", "manager_id": "",
         "establishment_fte": "7", "digest_channel": ""},
    ])
    services = session.exec(select(Service)).all()
    assert sorted(s.name for s in services) == ["Corporate Parenting", "Safeguarding"]
    south = session.exec(select(Team).where(Team.name == "Assessment South")).one()
    north = session.exec(select(Team).where(Team.name == "Assessment North")).one()
    assert south.service_id == north.service_id
    assert north.establishment_fte == 8.5 and north.digest_channel == "#safeguarding"
    assert "New services: Safeguarding, Corporate Parenting" in report.summary()


def test_teams_then_staff_then_teams_again_sets_the_managers(session) -> None:
    load_council(session)
    north = session.exec(select(Team).where(Team.name == "Assessment North")).one()
    tm1 = session.exec(select(Staff).where(Staff.staff_id == "TM1")).one()
    assert north.manager_id == tm1.id


def test_staff_are_placed_in_a_team_or_a_service(session) -> None:
    load_council(session)
    staff = {s.staff_id: s for s in session.exec(select(Staff))}
    north = session.exec(select(Team).where(Team.name == "Assessment North")).one()
    safeguarding = session.exec(select(Service).where(Service.name == "Safeguarding")).one()
    assert (staff["HOS1"].team_id, staff["HOS1"].service_id) == (None, safeguarding.id)
    assert (staff["SW2"].team_id, staff["SW2"].service_id) == (north.id, north.service_id)
    assert staff["HOS1"].role == "head_of_service" and staff["SW3"].role == "senior_practitioner"
    assert staff["HOS1"].email == "hana.osei@council.gov.uk"
    assert staff["SW3"].agency is True and staff["SW1"].agency is False
    assert staff["SW1"].fte == 0.8
    assert staff["SW2"].asye_start == date(2025, 9, 1)


def test_staff_manager_may_be_a_later_row_of_the_same_file(session) -> None:
    load(session, "teams", TEAMS)
    load(session, "staff", list(reversed(STAFF)))
    staff = {s.staff_id: s for s in session.exec(select(Staff))}
    assert staff["SW1"].manager_id == staff["TM1"].id
    assert staff["TM1"].manager_id == staff["HOS1"].id
    assert staff["HOS1"].manager_id is None


def test_two_new_staff_naming_each_other_as_manager_are_both_linked(session) -> None:
    """A cycle (unusual, but HR data has them) cannot be inserted managers-first: it is linked
    after both rows exist, in the same all-or-nothing import."""
    load(session, "teams", TEAMS)
    cycle = [
        {**STAFF[1], "staff_id": "TMA", "email": "tma@council.gov.uk", "manager_id": "TMB"},
        {**STAFF[1], "staff_id": "TMB", "email": "tmb@council.gov.uk", "manager_id": "TMA"},
    ]
    load(session, "staff", cycle)
    staff = {s.staff_id: s for s in session.exec(select(Staff))}
    assert staff["TMA"].manager_id == staff["TMB"].id
    assert staff["TMB"].manager_id == staff["TMA"].id


def test_new_cases_open_allocation_spells_from_their_start_date(session) -> None:
    load_council(session, "cases")
    case = session.exec(select(Case).where(Case.case_ref == "CR-1001")).one()
    spells = session.exec(select(CaseAllocation).where(CaseAllocation.case_id == case.id)).all()
    assert sorted((s.role, s.from_date, s.to_date) for s in spells) == [
        ("co", date(2025, 11, 3), None), ("lead", date(2025, 11, 3), None),
    ]
    unallocated = session.exec(select(Case).where(Case.case_ref == "CR-1004")).one()
    assert unallocated.allocated_worker_id is None
    assert not session.exec(
        select(CaseAllocation).where(CaseAllocation.case_id == unallocated.id)).all()


def test_actions_create_their_plans_and_keep_status_and_completion(session) -> None:
    load_council(session, "actions")
    plans = {p.name for p in session.exec(select(Plan))}
    assert plans == {"Ofsted 2025", "Case audit Jan 2026"}
    actions = {a.ref: a for a in session.exec(select(Action))}
    assert actions["AFI-1"].status == "open"
    assert (actions["AFI-2"].status, actions["AFI-2"].completed_date) == ("done",
                                                                          date(2026, 1, 20))
    assert actions["1"].status == "in_progress"


def test_headers_match_in_any_order_case_and_spacing(session, tmp_path) -> None:
    load_council(session)
    rows = [{"next_review": "", "Team": "Assessment North", "start_date": "2026-01-05",
             "case_ref": "CR-9", "case_type": "cp", "allocated_worker_id": "SW1"}]
    headers = [" NEXT REVIEW ", "team", "Start-Date", "CASE_REF", "Case Type",
               "Allocated Worker ID"]
    report = import_path(session, "cases", write_rows(tmp_path / "cases.csv", rows, headers))
    assert report.ok, report.summary()
    case = session.exec(select(Case).where(Case.case_ref == "CR-9")).one()
    assert case.case_type == "CP" and case.start_date == date(2026, 1, 5)


def test_uk_and_iso_dates_are_both_read(session) -> None:
    load_council(session)
    load(session, "cases", [
        {"case_ref": "ISO", "case_type": "CIN", "start_date": "2026-01-05", "team":
         "Assessment North"},
        {"case_ref": "UK", "case_type": "CIN", "start_date": "05/01/2026", "team":
         "Assessment North"},
        {"case_ref": "UK-SHORT", "case_type": "CIN", "start_date": "5/1/2026", "team":
         "Assessment North"},
    ])
    starts = {c.case_ref: c.start_date for c in session.exec(select(Case))}
    assert set(starts.values()) == {date(2026, 1, 5)}


def test_xlsx_native_date_cells_are_read_as_dates(session, tmp_path) -> None:
    load_council(session)
    rows = [{"case_ref": "X1", "case_type": "LAC", "start_date": datetime(2025, 12, 24),
             "team": "Children in Care", "last_visit": date(2026, 2, 1)}]
    report = import_path(session, "cases", write_rows(tmp_path / "cases.xlsx", rows))
    assert report.ok, report.summary()
    case = session.exec(select(Case).where(Case.case_ref == "X1")).one()
    assert (case.start_date, case.last_visit) == (date(2025, 12, 24), date(2026, 2, 1))


def test_harmless_unknown_columns_are_ignored_and_noted(session) -> None:
    load_council(session)
    report = import_rows(session, "cases", [
        {"case_ref": "CR-1", "case_type": "CP", "start_date": "2026-01-05",
         "team": "Assessment North", "Worker Name": "Sam Wills", "locality": "North"},
    ], source="cases.csv", today=TODAY)
    assert report.ok, report.summary()
    assert "Ignored columns: Worker Name, locality" in report.summary()


def test_import_rows_numbers_rows_as_a_spreadsheet_would(session) -> None:
    load_council(session)
    report = import_rows(session, "cases", [
        {"case_ref": "A", "case_type": "CP", "start_date": "2026-01-05", "team": "Assessment North"},
        {"case_ref": "B", "case_type": "XX", "start_date": "2026-01-05", "team": "Assessment North"},
    ], source="annex-a", today=TODAY)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "case_type", "XX")]


def test_csv_files_saved_by_excel_are_read_whatever_their_encoding(session, tmp_path) -> None:
    header = "team,service,manager_id,establishment_fte\r\n"
    (tmp_path / "utf8.csv").write_bytes(
        ("\ufeff" + header + "Children’s Disability,Early Help,,4\r\n").encode("utf-8"))
    (tmp_path / "windows.csv").write_bytes(
        (header + "Young People’s Team,Early Help,,3\r\n").encode("cp1252"))
    for name in ("utf8.csv", "windows.csv"):
        report = import_path(session, "teams", tmp_path / name)
        assert report.ok, report.summary()
    names = {t.name for t in session.exec(select(Team))}
    assert names == {"Children’s Disability", "Young People’s Team"}


def test_blank_rows_are_skipped_but_keep_their_row_numbers(session, tmp_path) -> None:
    load_council(session)
    path = tmp_path / "cases.csv"
    path.write_text("case_ref,case_type,start_date,team\n"
                    "CR-1,CP,2026-01-05,Assessment North\n"
                    ",,,\n"
                    "\n"
                    "CR-2,CP,2026-02-30,Assessment North\n")
    report = import_path(session, "cases", path)
    assert report.rows_read == 2
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (5, "start_date", "2026-02-30")]


def test_only_the_first_sheet_of_a_workbook_is_read_and_that_is_said(session, tmp_path) -> None:
    path = write_rows(tmp_path / "teams.xlsx", TEAMS)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook.create_sheet("Notes").append(["team", "Not A Team"])
    workbook.save(path)
    report = import_path(session, "teams", path)
    assert report.created == 2
    assert "Read the first sheet, 'Sheet', of 2." in report.summary()
