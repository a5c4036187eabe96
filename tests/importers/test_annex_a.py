"""Annex A lists 6-9 → cases: workbooks built here with Ofsted's headers and common variants."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Date, DateTime, String, Text, func, inspect, or_, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from importers.annex_a import import_annex_a, next_review_due, person_key
from importers.loader import IMPORTERS
from models import AuditEntry, Case, CaseAllocation, Service, Staff, Team

TODAY = date(2026, 3, 2)
#: Child details written in every row of the test workbooks: they must never reach the store.
CHILD_DOB = date(2013, 2, 17)
CHILD_DETAILS = ("2013-02-17", "17/02/2013", "WBRI", "Traveller of Irish heritage", "EX4 1AB")

LIST_6 = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
          "Does the Child have a Disability", "CIN Start Date", "Primary Need Code",
          "Date Child Was Last Seen", "CIN Closure Date", "Reason for Closure", "Case Status",
          "Allocated Team", "Allocated Worker"]
LIST_7 = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
          "Does the Child have a Disability", "Child Protection Plan Start Date",
          "Initial Category of Abuse", "Latest Category of Abuse",
          "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
          "Date of latest review conference", "Child Protection Plan End Date",
          "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker"]
LIST_8 = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
          "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
          "Does the Child have a Disability", "Date Started to be Looked After",
          "Child's Legal Status", "Date of Latest Statutory Review",
          "Date of Last Social Work Visit", "Date Ceased to be Looked After",
          "Start Date of Most Recent Placement", "Placement Type", "Placement postcode",
          "Allocated Team", "Allocated Worker"]
LIST_9 = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
          "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
          "Does the Child have a Disability", "Allocated Team", "Allocated Worker",
          "Allocated Personal Advisor", "Eligibility Category", "Latest Pathway Plan Review Date",
          "LA in Touch", "Latest Date of Contact", "Type of Accommodation"]
CHILD = {"Gender": "b) Female", "Ethnicity": "WBRI", "Date of Birth": CHILD_DOB,
         "Age of Child (Years)": 13, "Does the Child have a Disability": "b) No",
         "Placement postcode": "EX4 1AB"}


# The council and the workbooks -------------------------------------------------------------

def build_council(session: Session) -> dict[str, int]:
    """Three teams; workers with the names the workbooks spell differently."""
    service = Service(name="Children's Services")
    session.add(service)
    session.flush()
    teams = {name: Team(name=name, service_id=service.id, establishment_fte=5.0)
             for name in ("Assessment North", "Children in Care", "Leaving Care")}
    session.add_all(teams.values())
    session.flush()
    people = [
        ("SW1", "Jane Smith", "Assessment North", None),
        ("SW2", "Sam Patel", "Assessment North", None),
        ("SW3", "Sam Patel", "Children in Care", "Sam Patel (CiC)"),
        ("SW4", "Oluwaseun Adeyemi-Brown", "Children in Care", "Seun Brown"),
        ("PA1", "Lee O'Brien", "Leaving Care", None),
    ]
    for staff_id, name, team, annex_a_name in people:
        session.add(Staff(staff_id=staff_id, name=name, email=f"{staff_id.lower()}@council.gov.uk",
                          role="social_worker", team_id=teams[team].id,
                          service_id=service.id, start_date=date(2020, 1, 6),
                          annex_a_name=annex_a_name))
    session.commit()
    return {name: team.id for name, team in teams.items()}


def write_workbook(path: Path, sheets: dict[str, tuple[list[str], list[dict[str, object]]]],
                   title_rows: int = 0) -> Path:
    """Each sheet: (headers, rows as {header: value}); child details filled in on every row."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    front = workbook.create_sheet("Contents")
    front.append(["Annex A - test council"])
    for title, (headers, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        for number in range(title_rows):
            sheet.append([f"{title} - title row {number + 1}"])
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(header, CHILD.get(header)) for header in headers])
    workbook.save(path)
    return path


def standard_sheets() -> dict[str, tuple[list[str], list[dict[str, object]]]]:
    """Children on each list, one on lists 6 and 7, a worker spelt three ways."""
    return {
        "List 6": (LIST_6, [
            {"Child Unique ID": "C100", "CIN Start Date": date(2025, 10, 1),
             "Date Child Was Last Seen": date(2026, 2, 20), "Allocated Team": "Assessment North",
             "Allocated Worker": "Smith, Jane"},
            # C200 is also on list 7: the CP plan wins.
            {"Child Unique ID": "C200", "CIN Start Date": "01/06/2025",
             "Date Child Was Last Seen": "2026-02-25", "Allocated Team": "assessment  north",
             "Allocated Worker": "Jane Smith"},
            {"Child Unique ID": "C300", "CIN Start Date": date(2025, 4, 1),
             "CIN Closure Date": date(2025, 12, 19), "Allocated Team": "Assessment North",
             "Allocated Worker": "SW2"},
            {"Child Unique ID": "C400", "CIN Start Date": date(2026, 2, 2),
             "Allocated Team": "Assessment North", "Allocated Worker": "Unallocated"},
        ]),
        "List 7": (LIST_7, [
            {"Child Unique ID": "C200", "Child Protection Plan Start Date": date(2025, 11, 10),
             "Date of the Last Statutory Visit": date(2026, 2, 24),
             "Date of latest review conference": date(2026, 2, 5),
             "Allocated Team": "Assessment North", "Allocated Worker": "JANE  SMITH"},
            {"Child Unique ID": 500, "Child Protection Plan Start Date": date(2026, 1, 12),
             "Allocated Team": "Assessment North", "Allocated Worker": "sw1"},
        ]),
        "List 8": (LIST_8, [
            {"Child Unique ID": "C600", "Date Started to be Looked After": date(2025, 12, 1),
             "Date of Latest Statutory Review": date(2025, 12, 22),
             "Date of Last Social Work Visit": date(2026, 2, 2),
             "Start Date of Most Recent Placement": date(2026, 1, 15),
             "Placement Type": "U4: Foster placement - long term",
             "Allocated Team": "Children in Care", "Allocated Worker": "Seun Brown"},
            {"Child Unique ID": "C700", "Date Started to be Looked After": date(2024, 3, 4),
             "Date of Latest Statutory Review": date(2025, 10, 20),
             "Date of Last Social Work Visit": date(2026, 1, 30),
             "Start Date of Most Recent Placement": date(2024, 3, 4),
             "Placement Type": "K2: Children's Homes",
             "Allocated Team": "Children in Care", "Allocated Worker": "Sam Patel (CiC)"},
        ]),
        "List 9": (LIST_9, [
            {"Child Unique ID": "C800", "Allocated Team": "Leaving Care",
             "Allocated Worker": "", "Allocated Personal Advisor": "O'Brien, Lee",
             "Latest Pathway Plan Review Date": date(2025, 11, 3),
             "Latest Date of Contact": date(2026, 2, 10)},
        ]),
    }


def cases(session: Session) -> dict[str, Case]:
    session.expire_all()
    return {case.case_ref: case for case in session.scalars(select(Case))}


def staff_ids(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Staff.id, Staff.staff_id)).all())


def row_counts(session: Session) -> dict[str, int]:
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Service, Team, Staff, Case, CaseAllocation, AuditEntry)}


def find_in_store(engine: Engine, needles: tuple[str, ...], day: date | None) -> list[str]:
    """Every text and date column of every table holding one of the needles (or the day)."""
    found = []
    with engine.connect() as connection:
        metadata_tables = inspect(connection).get_table_names()
        from sqlalchemy import MetaData, Table

        metadata = MetaData()
        for name in metadata_tables:
            table = Table(name, metadata, autoload_with=connection)
            for column in table.columns:
                if isinstance(column.type, (String, Text)):
                    condition = or_(*(column.ilike(f"%{needle}%") for needle in needles))
                elif isinstance(column.type, DateTime) and day is not None:
                    condition = func.date(column) == day if connection.dialect.name == "sqlite" \
                        else column.cast(Date) == day
                elif isinstance(column.type, Date) and day is not None:
                    condition = column == day
                else:
                    continue
                hits = connection.execute(select(func.count()).select_from(table)
                                          .where(condition)).scalar()
                if hits:
                    found.append(f"{name}.{column.name}")
    return found


@pytest.fixture
def council(session: Session) -> dict[str, int]:
    return build_council(session)


# What must work ----------------------------------------------------------------------------

def test_lists_6_to_9_become_cases_with_type_team_worker_and_dates(session, council, tmp_path):
    report = import_annex_a(session, write_workbook(tmp_path / "annex_a.xlsx", standard_sheets()),
                            today=TODAY)
    assert report.ok, report.summary()
    assert (report.rows_read, report.created, report.updated) == (9, 8, 0)
    stored = cases(session)
    worker = staff_ids(session)
    assert {ref: (c.case_type, worker.get(c.allocated_worker_id)) for ref, c in stored.items()} == {
        "C100": ("CIN", "SW1"), "C200": ("CP", "SW1"), "C300": ("CIN", "SW2"),
        "C400": ("CIN", None), "500": ("CP", "SW1"), "C600": ("LAC", "SW4"),
        "C700": ("LAC", "SW3"), "C800": ("CL", "PA1"),
    }
    assert stored["C100"].team_id == council["Assessment North"]
    assert stored["C600"].team_id == council["Children in Care"]
    assert stored["C800"].team_id == council["Leaving Care"]
    assert (stored["C100"].start_date, stored["C100"].last_visit) == (date(2025, 10, 1),
                                                                      date(2026, 2, 20))
    assert (stored["C300"].end_date, stored["C300"].next_review) == (date(2025, 12, 19), None)
    assert (stored["C600"].start_date, stored["C600"].last_visit) == (date(2025, 12, 1),
                                                                      date(2026, 2, 2))
    assert stored["C800"].last_visit == date(2026, 2, 10)


def test_a_child_on_lists_6_and_7_is_one_child_protection_case(session, council, tmp_path):
    report = import_annex_a(session, write_workbook(tmp_path / "a.xlsx", standard_sheets()),
                            today=TODAY)
    assert report.ok, report.summary()
    c200 = cases(session)["C200"]
    assert c200.case_type == "CP"
    # Every field comes from the list 7 row: plan start, statutory visit, review + 6 months.
    assert (c200.start_date, c200.last_visit, c200.next_review) == (
        date(2025, 11, 10), date(2026, 2, 24), date(2026, 8, 5))
    assert session.scalar(select(func.count()).select_from(Case)
                          .where(Case.case_ref == "C200")) == 1
    assert any(note.startswith("1 child on more than one list") for note in report.notes)


def test_the_most_protective_open_episode_wins_and_an_ended_plan_does_not(session, council,
                                                                          tmp_path):
    sheets = {
        "List 6": (LIST_6, [
            {"Child Unique ID": "K1", "CIN Start Date": date(2025, 1, 6),
             "Allocated Team": "Assessment North", "Allocated Worker": "SW1"},
            {"Child Unique ID": "K2", "CIN Start Date": date(2025, 1, 6),
             "Allocated Team": "Assessment North", "Allocated Worker": "SW1"},
            {"Child Unique ID": "K3", "CIN Start Date": date(2024, 5, 1),
             "CIN Closure Date": date(2025, 9, 1),
             "Allocated Team": "Assessment North", "Allocated Worker": "SW1"},
        ]),
        "List 7": (LIST_7, [  # K1's plan has ended: K1 is a child in need again
            {"Child Unique ID": "K1", "Child Protection Plan Start Date": date(2025, 2, 3),
             "Child Protection Plan End Date": date(2026, 1, 20),
             "Allocated Team": "Assessment North", "Allocated Worker": "SW2"},
            {"Child Unique ID": "K4", "Child Protection Plan Start Date": date(2025, 12, 1),
             "Allocated Team": "Children in Care", "Allocated Worker": "SW4"},
        ]),
        "List 8": (LIST_8, [
            {"Child Unique ID": "K2", "Date Started to be Looked After": date(2025, 9, 1),
             "Allocated Team": "Children in Care", "Allocated Worker": "SW4"},
            {"Child Unique ID": "K4", "Date Started to be Looked After": date(2025, 11, 3),
             "Allocated Team": "Children in Care", "Allocated Worker": "SW4"},
            {"Child Unique ID": "K3", "Date Started to be Looked After": date(2024, 1, 8),
             "Date Ceased to be Looked After": date(2024, 4, 30),
             "Allocated Team": "Children in Care", "Allocated Worker": "SW4"},
        ]),
    }
    report = import_annex_a(session, write_workbook(tmp_path / "a.xlsx", sheets), today=TODAY)
    assert report.ok, report.summary()
    stored = cases(session)
    assert {ref: c.case_type for ref, c in stored.items()} == {
        "K1": "CIN",  # CP plan ended; the open CIN episode is the case
        "K2": "LAC",  # looked after over child in need
        "K3": "CIN",  # both closed: the episode that ended last
        "K4": "CP",   # on a plan while looked after: CP visits are the more frequent
    }
    assert stored["K3"].end_date == date(2025, 9, 1)
    assert staff_ids(session)[stored["K1"].allocated_worker_id] == "SW1"


def test_header_and_sheet_name_variants_are_recognised(session, council, tmp_path):
    sheets = {
        "List_6": (["child's unique ID", "Date of Birth", "Case Start Date", "Case Closure Date",
                    "Date of last statutory visit", "ALLOCATED TEAM", "allocated worker"], [
            {"child's unique ID": "V1", "Case Start Date": "03/11/2025",
             "Date of last statutory visit": "2026-02-27", "ALLOCATED TEAM": "Assessment North",
             "allocated worker": "Jane Smith"},
        ]),
        "List 7 - Child protection": (
            ["Child Unique ID", "Ethnicity", "CP Plan Start Date", "Date Child Protection Plan "
             "Ceased", "Date of Last Statutory Visit", "Date of the latest review conference",
             "Team", "Allocated Social Worker"], [
                {"Child Unique ID": "V2", "CP Plan Start Date": 45992,  # an unformatted date
                 "Date Child Protection Plan Ceased": None,
                 "Date of Last Statutory Visit": date(2026, 2, 26),
                 "Team": "Assessment North", "Allocated Social Worker": "SW2"},
            ]),
        "list8": (["Child ID", "Date of Latest Period of Care Start",
                   "Date of latest statutory review", "Date of last social work visit",
                   "Date of latest placement start", "Allocated Team", "Allocated Worker"], [
            {"Child ID": "V3", "Date of Latest Period of Care Start": date(2026, 1, 5),
             "Date of last social work visit": date(2026, 1, 9),
             "Date of latest placement start": date(2026, 1, 5),
             "Allocated Team": "Children in Care", "Allocated Worker": "SW4"},
        ]),
        "List 9 – Care leavers": (["Child Unique ID", "Allocated Team", "Allocated Worker",
                                   "Personal Adviser", "Date of latest pathway plan review",
                                   "Date of last contact"], [
            {"Child Unique ID": "V4", "Allocated Team": "Leaving Care",
             "Allocated Worker": "SW4", "Personal Adviser": "",
             "Date of latest pathway plan review": "2026-01-12"},
        ]),
    }
    path = write_workbook(tmp_path / "variants.xlsx", sheets, title_rows=2)
    report = import_annex_a(session, path, today=TODAY)
    assert report.ok, report.summary()
    stored = cases(session)
    worker = staff_ids(session)
    assert (stored["V1"].case_type, stored["V1"].start_date, stored["V1"].last_visit) == (
        "CIN", date(2025, 11, 3), date(2026, 2, 27))
    assert (stored["V2"].case_type, stored["V2"].next_review) == ("CP", date(2026, 3, 1))
    assert (stored["V3"].case_type, stored["V3"].start_date, stored["V3"].next_review) == (
        "LAC", date(2026, 1, 5), date(2026, 2, 2))  # 20 working days after entry
    # A blank personal adviser falls back to the allocated worker.
    assert (stored["V4"].case_type, worker[stored["V4"].allocated_worker_id]) == ("CL", "SW4")
    assert stored["V4"].next_review == date(2026, 7, 12)


def test_a_worker_named_differently_across_lists_is_the_same_worker(session, council, tmp_path):
    spellings = ["Smith, Jane", "JANE SMITH", " jane  smith ", "Jane-Smith", "sw1", "SW1"]
    sheets = {
        "List 6": (LIST_6, [
            {"Child Unique ID": f"N{i}", "CIN Start Date": date(2025, 6, 2),
             "Allocated Team": "Assessment North", "Allocated Worker": spelt}
            for i, spelt in enumerate(spellings[:3])
        ]),
        "List 7": (LIST_7, [
            {"Child Unique ID": f"N{i + 3}", "Child Protection Plan Start Date": date(2025, 6, 2),
             "Allocated Team": "Assessment North", "Allocated Worker": spelt}
            for i, spelt in enumerate(spellings[3:])
        ]),
        "List 8": (LIST_8, [  # annex_a_name settles a spelling the system uses
            {"Child Unique ID": "N9", "Date Started to be Looked After": date(2025, 6, 2),
             "Allocated Team": "Children in Care", "Allocated Worker": "seun brown"},
        ]),
    }
    report = import_annex_a(session, write_workbook(tmp_path / "a.xlsx", sheets), today=TODAY)
    assert report.ok, report.summary()
    worker = staff_ids(session)
    assert {worker[c.allocated_worker_id] for ref, c in cases(session).items()
            if ref != "N9"} == {"SW1"}
    assert worker[cases(session)["N9"].allocated_worker_id] == "SW4"


def test_unmatched_and_ambiguous_workers_refuse_the_import_with_the_store_unchanged(
        session, council, tmp_path):
    import_annex_a(session, write_workbook(tmp_path / "first.xlsx", standard_sheets()),
                   today=TODAY)
    before = row_counts(session)
    stored_before = {ref: (c.case_type, c.allocated_worker_id, c.last_visit)
                     for ref, c in cases(session).items()}
    sheets = standard_sheets()
    sheets["List 6"][1].extend([
        {"Child Unique ID": "C100", "CIN Start Date": date(2025, 10, 1),
         "Allocated Team": "Assessment North", "Allocated Worker": "Sam Patel"},
        {"Child Unique ID": "D1", "CIN Start Date": date(2025, 10, 1),
         "Allocated Team": "Assessment North", "Allocated Worker": "Pat Nobody"},
        {"Child Unique ID": "D2", "CIN Start Date": date(2025, 10, 1),
         "Allocated Team": "Assessment North", "Allocated Worker": "Nobody, Pat"},
    ])
    sheets["List 7"][1].append(
        {"Child Unique ID": "D3", "Child Protection Plan Start Date": date(2025, 10, 1),
         "Allocated Team": "Assessment North", "Allocated Worker": "PAT NOBODY"})
    sheets["List 8"][1][0]["Date of Last Social Work Visit"] = date(2026, 2, 27)
    report = import_annex_a(session, write_workbook(tmp_path / "second.xlsx", sheets),
                            today=TODAY)

    assert not report.ok
    listed = [str(problem) for problem in report.problems]
    assert len(listed) == 2, listed  # each worker once, however many rows name them
    ambiguous = next(p for p in report.problems if p.value == "Sam Patel")
    assert (ambiguous.row, ambiguous.column) == (6, "List 6: Allocated Worker")
    assert "ambiguous" in ambiguous.reason and "SW2, SW3" in ambiguous.reason
    unknown = next(p for p in report.problems if p.value == "Pat Nobody")
    assert (unknown.row, unknown.column) == (7, "List 6: Allocated Worker")
    assert "also on List 6 row 8, List 7 row 4" in unknown.reason
    assert "nothing was saved" in report.summary()
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}
    assert {ref: (c.case_type, c.allocated_worker_id, c.last_visit)
            for ref, c in cases(session).items()} == stored_before
    refusal = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (refusal.command, refusal.outcome) == ("import annex-a second.xlsx", "invalid")


def test_unallocated_words_make_unallocated_cases(session, council, tmp_path):
    words = ["", "Unallocated", "NOT ALLOCATED", "not-allocated", "None"]
    sheets = {"List 6": (LIST_6, [
        {"Child Unique ID": f"U{i}", "CIN Start Date": date(2026, 2, 2),
         "Allocated Team": "Assessment North", "Allocated Worker": word}
        for i, word in enumerate(words)
    ])}
    report = import_annex_a(session, write_workbook(tmp_path / "a.xlsx", sheets), today=TODAY)
    assert report.ok, report.summary()
    assert all(c.allocated_worker_id is None for c in cases(session).values())
    assert len(cases(session)) == len(words)


def test_teams_match_by_name_and_an_unknown_team_is_a_problem(session, council, tmp_path):
    sheets = {"List 6": (LIST_6, [
        {"Child Unique ID": "T1", "CIN Start Date": date(2026, 2, 2),
         "Allocated Team": "CHILDREN IN CARE.", "Allocated Worker": ""},
        {"Child Unique ID": "T2", "CIN Start Date": date(2026, 2, 2),
         "Allocated Team": "", "Allocated Worker": "Lee O'Brien"},  # the worker's team
    ])}
    report = import_annex_a(session, write_workbook(tmp_path / "ok.xlsx", sheets), today=TODAY)
    assert report.ok, report.summary()
    stored = cases(session)
    assert (stored["T1"].team_id, stored["T2"].team_id) == (council["Children in Care"],
                                                            council["Leaving Care"])

    sheets["List 6"][1].extend([
        {"Child Unique ID": "T3", "CIN Start Date": date(2026, 2, 2),
         "Allocated Team": "Assessment South", "Allocated Worker": "SW1"},
        {"Child Unique ID": "T4", "CIN Start Date": date(2026, 2, 2),
         "Allocated Team": "", "Allocated Worker": ""},
    ])
    report = import_annex_a(session, write_workbook(tmp_path / "bad.xlsx", sheets), today=TODAY)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (5, "List 6: Allocated Team", None),
        (4, "List 6: Allocated Team", "Assessment South"),
    ]
    assert "not a team in the store" in report.problems[1].reason
    assert set(cases(session)) == {"T1", "T2"}


def test_child_details_are_never_stored_logged_or_echoed(session, council, engine, tmp_path,
                                                        caplog):
    caplog.set_level(logging.DEBUG)
    path = write_workbook(tmp_path / "annex_a.xlsx", standard_sheets())
    good = import_annex_a(session, path, today=TODAY)
    assert good.ok, good.summary()
    sheets = standard_sheets()
    sheets["List 6"][1][0]["Allocated Worker"] = "Pat Nobody"
    sheets["List 7"][1][0]["Date of the Last Statutory Visit"] = "soon"
    refused = import_annex_a(session, write_workbook(tmp_path / "bad.xlsx", sheets), today=TODAY)
    assert not refused.ok

    assert find_in_store(engine, CHILD_DETAILS, CHILD_DOB) == []
    # The search does find what is stored: the case reference and the plan's start.
    assert {"cases.case_ref", "cases.start_date"} <= set(
        find_in_store(engine, ("C200",), date(2025, 11, 10)))
    for text in (good.summary(), refused.summary(), caplog.text):
        assert not any(detail in text for detail in CHILD_DETAILS), text
    assert "child details among them, are never read" in good.summary()


def test_next_review_follows_the_statutory_timescales():
    # CP: first review conference within 3 months of the plan; then every 6 months.
    assert next_review_due("CP", date(2025, 11, 10), None) == date(2026, 2, 10)
    assert next_review_due("CP", date(2025, 11, 10), date(2026, 2, 5)) == date(2026, 8, 5)
    # LAC: 20 working days after entry (bank holidays excluded), then 3 months, then 6.
    assert next_review_due("LAC", date(2025, 12, 1), None) == date(2025, 12, 31)  # not 25, 26
    assert next_review_due("LAC", date(2025, 12, 1), date(2025, 12, 22)) == date(2026, 3, 22)
    assert next_review_due("LAC", date(2024, 3, 4), date(2025, 10, 20)) == date(2026, 4, 20)
    # Pathway plans: every 6 months; none recorded, none computed.
    assert next_review_due("CL", date(2025, 1, 1), date(2025, 11, 3)) == date(2026, 5, 3)
    assert next_review_due("CL", date(2025, 1, 1), None) is None
    # A review before the episode began belongs to an earlier one.
    assert next_review_due("CP", date(2026, 1, 12), date(2025, 6, 1)) == date(2026, 4, 12)
    assert next_review_due("CIN", date(2026, 1, 12), date(2026, 2, 1)) is None


def test_review_dates_in_the_store_follow_the_lists(session, council, tmp_path):
    import_annex_a(session, write_workbook(tmp_path / "a.xlsx", standard_sheets()), today=TODAY)
    stored = cases(session)
    assert stored["500"].next_review == date(2026, 4, 12)  # plan start + 3 months
    assert stored["C600"].next_review == date(2026, 3, 22)  # first review + 3 months
    assert stored["C700"].next_review == date(2026, 4, 20)  # later review + 6 months
    assert stored["C800"].next_review == date(2026, 5, 3)  # pathway plan + 6 months
    assert stored["C100"].next_review is None  # Annex A has no CIN review date


def test_the_placement_start_and_long_term_fostering_feed_the_lac_visit_rule(session, council,
                                                                              tmp_path):
    if "placement_start" not in IMPORTERS["cases"].optional:
        pytest.skip("the cases importer does not take placement_start yet")
    import_annex_a(session, write_workbook(tmp_path / "a.xlsx", standard_sheets()), today=TODAY)
    stored = cases(session)
    assert (stored["C600"].placement_start, stored["C600"].long_term_placement) == (
        date(2026, 1, 15), True)
    assert (stored["C700"].placement_start, stored["C700"].long_term_placement) == (
        date(2024, 3, 4), False)


def test_reimporting_the_workbook_changes_nothing_and_a_new_worker_is_history(session, council,
                                                                              tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", standard_sheets())
    import_annex_a(session, path, today=TODAY)
    again = import_annex_a(session, path, today=TODAY)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 8)

    sheets = standard_sheets()
    sheets["List 6"][1][0]["Allocated Worker"] = "SW2"
    moved = import_annex_a(session, write_workbook(tmp_path / "b.xlsx", sheets),
                           today=date(2026, 3, 9))
    assert (moved.created, moved.updated) == (0, 1)
    case_id = cases(session)["C100"].id
    worker = staff_ids(session)
    spells = sorted((worker[s.worker_id], s.from_date, s.to_date) for s in session.scalars(
        select(CaseAllocation).where(CaseAllocation.case_id == case_id)))
    assert spells == [("SW1", date(2025, 10, 1), date(2026, 3, 9)),
                      ("SW2", date(2026, 3, 9), None)]


def test_a_dry_run_reports_and_saves_nothing(session, council, tmp_path):
    before = row_counts(session)
    report = import_annex_a(session, write_workbook(tmp_path / "a.xlsx", standard_sheets()),
                            dry_run=True, today=TODAY)
    assert report.ok and report.created == 8
    assert "Nothing was saved" in report.summary()
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}


def test_bad_cells_are_listed_by_sheet_row_and_header(session, council, tmp_path):
    sheets = standard_sheets()
    sheets["List 7"][1][1]["Child Protection Plan Start Date"] = None
    sheets["List 8"][1][1]["Date of Last Social Work Visit"] = "31/02/2026"
    sheets["List 6"][1][2]["CIN Closure Date"] = date(2025, 1, 1)  # before its start
    report = import_annex_a(session, write_workbook(tmp_path / "a.xlsx", sheets), today=TODAY)
    assert {(p.row, p.column, p.value) for p in report.problems} == {
        (4, "List 6: CIN Closure Date", "2025-01-01"),
        (3, "List 7: Child Protection Plan Start Date", None),
        (3, "List 8: Date of Last Social Work Visit", "31/02/2026"),
    }
    assert cases(session) == {}


def test_a_workbook_without_the_lists_or_their_key_columns_is_refused(session, council, tmp_path):
    report = import_annex_a(session, write_workbook(tmp_path / "none.xlsx", {
        "List 1": (["Child Unique ID"], [{"Child Unique ID": "X"}])}), today=TODAY)
    assert not report.ok and "no sheet for lists 6, 7, 8 or 9" in report.summary()

    headers = [h for h in LIST_7 if h != "Allocated Worker"]
    report = import_annex_a(session, write_workbook(tmp_path / "cols.xlsx", {
        "List 7": (headers, [{"Child Unique ID": "X",
                              "Child Protection Plan Start Date": date(2026, 1, 5)}])}),
        today=TODAY)
    assert [(p.column, p.reason) for p in report.problems] == [
        ("List 7", "no 'Allocated Worker' column on this sheet (found no header that names it)")]

    report = import_annex_a(session, write_workbook(tmp_path / "blank_id.xlsx", {
        "List 6": (LIST_6, [{"Child Unique ID": None, "CIN Start Date": date(2026, 1, 5),
                             "Allocated Team": "Assessment North", "Allocated Worker": "SW1"}])}),
        today=TODAY)
    assert [(p.row, p.column) for p in report.problems] == [(2, "List 6: Child Unique ID")]

    not_a_workbook = tmp_path / "annex.csv"
    not_a_workbook.write_text("Child Unique ID\nX\n")
    assert not import_annex_a(session, not_a_workbook, today=TODAY).ok
    assert cases(session) == {}


def test_names_are_matched_normalised():
    assert person_key("Smith, Jane") == person_key("  JANE   smith ") == "jane smith"
    assert person_key("O'Brien, Lee") == "lee obrien"
    assert person_key("Adeyemi-Brown, Oluwaseun") == "oluwaseun adeyemi brown"


def test_the_cli_imports_an_annex_a_workbook(session, council, tmp_path, database_url,
                                             monkeypatch):
    from typer.testing import CliRunner

    import bot
    from config import reset_settings_cache

    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_settings_cache()
    path = write_workbook(tmp_path / "annex_a.xlsx", standard_sheets())
    try:
        dry = CliRunner().invoke(bot.app, ["import", "annex-a", str(path), "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "Dry run of annex-a" in dry.output and cases(session) == {}
        done = CliRunner().invoke(bot.app, ["import", "annex-a", str(path)])
        assert done.exit_code == 0, done.output
        assert "8 created" in done.output
    finally:
        reset_settings_cache()
    assert len(cases(session)) == 8


def test_na_is_blank_in_every_column_and_listed_as_a_warning(session, council, tmp_path):
    sheets = standard_sheets()
    list_6 = sheets["List 6"][1]
    list_6[0].update({"Date Child Was Last Seen": "#N/A", "Allocated Worker": "#N/A"})
    list_6[3]["CIN Closure Date"] = "#N/A"
    sheets["List 8"][1][0]["Placement Type"] = "#n/a"
    report = import_annex_a(session, write_workbook(tmp_path / "annex_a.xlsx", sheets),
                            today=TODAY)
    assert report.ok, report.summary()
    stored = cases(session)
    assert (stored["C100"].last_visit, stored["C100"].allocated_worker_id) == (None, None)
    assert stored["C400"].end_date is None
    warnings = [note for note in report.notes if note.startswith("Warning: #N/A")]
    assert warnings == [
        "Warning: #N/A read as blank in List 6: Date Child Was Last Seen, row 2",
        "Warning: #N/A read as blank in List 6: Allocated Worker, row 2",
        "Warning: #N/A read as blank in List 6: CIN Closure Date, row 5",
        "Warning: #N/A read as blank in List 8: Placement Type, row 2",
    ]


def test_a_child_placed_with_a_parent_under_an_order_gets_reg_28s_branch(session, council,
                                                                         tmp_path):
    """List 8's placement type P1 with legal status C1 or C2: reg 28(4) or 28(5)."""
    lac = dict(CHILD, **{"Date Started to be Looked After": date(2026, 1, 5),
                         "Date of Last Social Work Visit": date(2026, 2, 20),
                         "Start Date of Most Recent Placement": date(2026, 1, 5),
                         "Allocated Team": "Children in Care", "Allocated Worker": "Seun Brown"})
    sheets = {"List 8": (LIST_8, [
        dict(lac, **{"Child Unique ID": "C801", "Child's Legal Status": "C1: Interim care order",
                     "Placement Type": "P1: Placed with own parent(s)"}),
        dict(lac, **{"Child Unique ID": "C802", "Child's Legal Status": "C2: Full care order",
                     "Placement Type": "P1: Placed with own parent(s)"}),
        dict(lac, **{"Child Unique ID": "C803", "Child's Legal Status": "C1: Interim care order",
                     "Placement Type": "U3: Foster placement with relative or friend"}),
    ])}
    report = import_annex_a(session, write_workbook(tmp_path / "a.xlsx", sheets), today=TODAY)
    assert report.ok, report.problems
    stored = cases(session)
    assert [stored[ref].placement_type for ref in ("C801", "C802", "C803")] == [
        "parent_interim_care_order", "parent_care_order", None]


def test_a_workbook_without_legal_status_leaves_the_placement_type_alone(session, council,
                                                                        tmp_path):
    import_annex_a(session, write_workbook(tmp_path / "a.xlsx", standard_sheets()), today=TODAY)
    session.execute(Case.__table__.update().where(Case.case_ref == "C600")
                    .values(placement_type="connected_person"))
    session.commit()
    headers = [header for header in LIST_8 if header != "Child's Legal Status"]
    sheets = standard_sheets()
    sheets["List 8"] = (headers, sheets["List 8"][1])
    import_annex_a(session, write_workbook(tmp_path / "b.xlsx", sheets), today=TODAY)
    assert cases(session)["C600"].placement_type == "connected_person"
