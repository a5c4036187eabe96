"""The DfE workforce census return (XML and CSV) merged into staff by swe_no."""

from __future__ import annotations

import csv
import logging
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from importers.census import import_census
from models import AuditEntry, Service, Staff, Team
from tests.importers.test_annex_a import find_in_store, row_counts

TODAY = date(2025, 10, 6)
#: Workers' personal details written in every record: never to reach the store.
WORKER_DOB = date(1980, 5, 17)
PERSONAL = ("1980-05-17", "WIRI", "University of Testing")

#: Every worker element of the return, in the order of the DfE schema.
ELEMENTS = ["AgencyWorker", "SWENo", "FTE", "PersonBirthDate", "GenderCurrent", "Ethnicity",
            "QualInst", "QualLevel", "StepUpGrad", "OrgRole", "RoleStartDate", "StartOrigin",
            "RoleEndDate", "LeaverDestination", "ReasonLeave", "FTE30", "Cases30",
            "WorkingDaysLost", "ContractWeeks", "FrontlineGrad", "Absat30Sept", "ReasonAbsence",
            "CFKSSstatus"]
PERSONAL_ELEMENTS = {"PersonBirthDate": "1980-05-17", "GenderCurrent": "2", "Ethnicity": "WIRI",
                     "QualInst": "University of Testing", "QualLevel": "1"}


def worker(swe: str, **elements: str) -> dict[str, str]:
    return {"SWENo": swe, "AgencyWorker": "0", **PERSONAL_ELEMENTS, **elements}


RETURN = [
    worker("SW0000000001", FTE="0.800000", OrgRole="5", RoleStartDate="2020-01-06",
           StartOrigin="2", Cases30="12", CFKSSstatus="2"),
    worker("SW0000000002", FTE="1.000000", OrgRole="5", RoleStartDate="2025-09-01",
           StartOrigin="1", Cases30="8", CFKSSstatus="1"),
    worker("sw 0000000003", AgencyWorker="1", FTE="1.000000", OrgRole="4",
           RoleStartDate="2024-02-05", StartOrigin="4", Cases30="15"),
    worker("SW0000000004", FTE="1.000000", OrgRole="1", RoleStartDate="2018-09-01"),
    worker("SW0000000005", FTE="1.000000", OrgRole="3", RoleStartDate="2019-04-01"),
    worker("SW0000000006", FTE="0.600000", OrgRole="5", RoleStartDate="2021-03-01",
           RoleEndDate="2025-08-29", ReasonLeave="1", LeaverDestination="1", Cases30="0"),
    worker("SW0000000007", FTE="1.000000", OrgRole="6", RoleStartDate="2022-06-01"),
]


def write_xml(path: Path, records: list[dict[str, str]], *, prolog: str = "") -> Path:
    workers = "".join(
        "<CSWWWorker>" + "".join(f"<{name}>{record[name]}</{name}>" for name in ELEMENTS
                                 if name in record) + "</CSWWWorker>"
        for record in records
    )
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}<Message><Header><CollectionDetails>'
        "<Collection>CSWW</Collection><Year>2025</Year><ReferenceDate>2025-09-30</ReferenceDate>"
        "</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>999</LEA></Source></Header>"
        "<LALevelVacancies><NumberOfVacancies>3.50</NumberOfVacancies><NoAgencyFTE>1.00"
        "</NoAgencyFTE><NoAgencyHeadcount>1</NoAgencyHeadcount></LALevelVacancies>"
        f"{workers}</Message>", encoding="utf-8")
    return path


def write_csv(path: Path, records: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[name.lower() for name in ELEMENTS])
        writer.writeheader()
        for record in records:
            writer.writerow({name.lower(): value for name, value in record.items()})
    return path


WRITERS = {"xml": write_xml, "csv": write_csv}


def build_council(session: Session) -> None:
    service = Service(name="Children's Services")
    session.add(service)
    session.flush()
    team = Team(name="Assessment North", service_id=service.id, establishment_fte=10.0)
    session.add(team)
    session.flush()
    people = [  # staff_id, name, role, swe_no, in a team?, extra
        ("SW1", "Jane Smith", "social_worker", "SW0000000001", True, {}),
        ("SW2", "Nia Quinn", "nqsw", "sw0000000002", True, {}),
        ("SW3", "Ola Reed", "social_worker", "SW0000000003", True, {}),
        ("TM1", "Tom Marsh", "team_manager", "SW0000000004", True, {}),
        ("AD1", "Ade Admin", "admin", "SW0000000005", False, {}),
        ("SW6", "Lou Leaver", "social_worker", "SW0000000006", True, {}),
        ("SW7", "Kit Later", "practitioner", "SW0000000007", True,
         {"end_date": date(2025, 10, 31), "leaving_reason": "Relocation"}),
        ("SW8", "No Number", "social_worker", None, True, {}),
    ]
    for staff_id, name, role, swe_no, in_team, extra in people:
        session.add(Staff(staff_id=staff_id, name=name, email=f"{staff_id.lower()}@council.gov.uk",
                          role=role, team_id=team.id if in_team else None,
                          service_id=service.id, fte=1.0, start_date=date(2015, 1, 5),
                          swe_no=swe_no, **extra))
    session.commit()


def staff(session: Session) -> dict[str, Staff]:
    session.expire_all()
    return {member.staff_id: member for member in session.scalars(select(Staff))}


@pytest.fixture
def council(session: Session) -> None:
    build_council(session)


@pytest.mark.parametrize("form", ["xml", "csv"])
def test_the_census_return_merges_into_staff_by_swe_no(session, council, tmp_path, form):
    path = WRITERS[form](tmp_path / f"csww.{form}", RETURN)
    report = import_census(session, path, today=TODAY)
    assert report.ok, report.summary()
    assert (report.rows_read, report.created, report.updated, report.unchanged) == (7, 0, 7, 0)
    after = staff(session)
    assert {sid: (s.role, s.fte, s.agency, s.start_date) for sid, s in after.items()} == {
        "SW1": ("social_worker", 0.8, False, date(2020, 1, 6)),
        "SW2": ("nqsw", 1.0, False, date(2025, 9, 1)),  # an NQSW stays one (OrgRole 5)
        "SW3": ("senior_practitioner", 1.0, True, date(2024, 2, 5)),  # OrgRole 4, agency
        "TM1": ("head_of_service", 1.0, False, date(2018, 9, 1)),  # OrgRole 1
        "AD1": ("admin", 1.0, False, date(2019, 4, 1)),  # admin is a permission: kept
        "SW6": ("social_worker", 0.6, False, date(2021, 3, 1)),
        "SW7": ("practitioner", 1.0, False, date(2022, 6, 1)),  # OrgRole 6: kept
        "SW8": ("social_worker", 1.0, False, date(2015, 1, 5)),  # no swe_no: untouched
    }
    assert (after["SW6"].end_date, after["SW6"].leaving_reason) == (date(2025, 8, 29),
                                                                    "Resignation")
    # A blank RoleEndDate leaves a leaving date recorded after the census date alone.
    assert (after["SW7"].end_date, after["SW7"].leaving_reason) == (date(2025, 10, 31),
                                                                    "Relocation")
    # CFKSSstatus 1 (ASYE): the ASYE started with the role.
    assert after["SW2"].asye_start == date(2025, 9, 1)
    assert after["SW1"].asye_start is None
    assert any("35 cases (Cases30) ÷ 2.8 FTE of 3 case holders = 12.5" in note
               for note in report.notes), report.notes


def test_xml_and_csv_returns_give_the_same_staff(session, council, tmp_path):
    import_census(session, write_xml(tmp_path / "csww.xml", RETURN), today=TODAY)
    from_xml = {sid: (s.role, s.fte, s.agency, s.start_date, s.end_date, s.leaving_reason,
                      s.asye_start) for sid, s in staff(session).items()}
    again = import_census(session, write_csv(tmp_path / "csww.csv", RETURN), today=TODAY)
    assert again.ok and (again.updated, again.unchanged) == (0, 7), again.summary()
    assert {sid: (s.role, s.fte, s.agency, s.start_date, s.end_date, s.leaving_reason,
                  s.asye_start) for sid, s in staff(session).items()} == from_xml


def test_an_unknown_swe_no_is_a_problem_and_creates_no_staff(session, council, tmp_path):
    before = row_counts(session)
    stored = {sid: (s.fte, s.role) for sid, s in staff(session).items()}
    records = RETURN + [worker("SW9999999999", FTE="1.000000", OrgRole="5",
                               RoleStartDate="2025-09-15")]
    report = import_census(session, write_xml(tmp_path / "csww.xml", records), today=TODAY)
    assert not report.ok
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (None, "CSWWWorker 8 (SW9999999999): SWENo", "SW9999999999")]
    assert "never creates staff" in report.problems[0].reason
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}
    assert {sid: (s.fte, s.role) for sid, s in staff(session).items()} == stored
    refusal = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (refusal.command, refusal.outcome) == ("import census csww.xml", "invalid")


def test_bad_values_are_listed_by_record_and_element(session, council, tmp_path):
    records = [dict(record) for record in RETURN]
    records[0].update(FTE="1.5", OrgRole="9")
    records[1].update(AgencyWorker="maybe")
    records[5].update(RoleEndDate="2020-01-01")
    report = import_census(session, write_csv(tmp_path / "csww.csv", records), today=TODAY)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "FTE", "1.5"), (2, "OrgRole", "9"), (3, "AgencyWorker", "maybe"),
        (7, "RoleEndDate", "2020-01-01"),
    ]
    assert staff(session)["SW1"].fte == 1.0


def test_a_worker_on_several_records_keeps_the_current_one(session, council, tmp_path):
    earlier = worker("SW0000000001", FTE="0.500000", OrgRole="5", RoleStartDate="2016-01-04",
                     RoleEndDate="2019-12-31", ReasonLeave="1")
    report = import_census(session, write_xml(tmp_path / "a.xml", [earlier, RETURN[0]]),
                           today=TODAY)
    assert report.ok, report.summary()
    assert (staff(session)["SW1"].fte, staff(session)["SW1"].end_date) == (0.8, None)

    twice = [RETURN[0], dict(RETURN[0], FTE="0.500000")]
    report = import_census(session, write_xml(tmp_path / "b.xml", twice), today=TODAY)
    assert [p.column for p in report.problems] == ["CSWWWorker 2 (SW0000000001): SWENo"]


def test_workers_personal_details_are_never_stored_logged_or_echoed(session, council, engine,
                                                                     tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    good = import_census(session, write_xml(tmp_path / "csww.xml", RETURN), today=TODAY)
    assert good.ok, good.summary()
    bad_records = RETURN + [worker("SW9999999999", FTE="2")]
    bad = import_census(session, write_csv(tmp_path / "csww.csv", bad_records), today=TODAY)
    assert not bad.ok
    assert find_in_store(engine, PERSONAL, WORKER_DOB) == []
    assert "staff.leaving_reason" in find_in_store(engine, ("Resignation",), None)
    for text in (good.summary(), bad.summary(), caplog.text):
        assert not any(detail in text for detail in PERSONAL), text


def test_a_return_with_a_document_type_is_refused_unread(session, council, tmp_path):
    prolog = '<!DOCTYPE Message [<!ENTITY big "xxxxxxxxxx">]>'
    report = import_census(session, write_xml(tmp_path / "csww.xml", RETURN, prolog=prolog),
                           today=TODAY)
    assert not report.ok and "document type" in report.summary()
    assert staff(session)["SW1"].fte == 1.0


def test_files_that_are_not_a_census_return_are_refused(session, council, tmp_path):
    odd = tmp_path / "staff.csv"
    odd.write_text("staff_id,name\nSW1,Jane Smith\n")
    assert "SWENo" in import_census(session, odd, today=TODAY).summary()
    broken = tmp_path / "broken.xml"
    broken.write_text("<Message><CSWWWorker><SWENo>SW1</CSWWWorker>")
    assert "not well-formed XML" in import_census(session, broken, today=TODAY).summary()
    other = tmp_path / "csww.xlsx"
    other.write_bytes(b"")
    assert not import_census(session, other, today=TODAY).ok


def test_a_dry_run_reports_and_saves_nothing(session, council, tmp_path):
    report = import_census(session, write_xml(tmp_path / "csww.xml", RETURN), dry_run=True,
                           today=TODAY)
    assert report.ok and report.updated == 7 and "Nothing was saved" in report.summary()
    assert staff(session)["SW1"].fte == 1.0


def test_the_cli_imports_a_census_return(session, council, tmp_path, database_url, monkeypatch):
    from typer.testing import CliRunner

    import bot
    from config import reset_settings_cache

    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_settings_cache()
    try:
        result = CliRunner().invoke(bot.app, ["import", "census",
                                              str(write_csv(tmp_path / "csww.csv", RETURN))])
    finally:
        reset_settings_cache()
    assert result.exit_code == 0, result.output
    assert "Imported census" in result.output and "7 updated" in result.output
    assert staff(session)["SW3"].role == "senior_practitioner"


def return_with(swe: str, **elements: str) -> list[dict[str, str]]:
    """The test return with one worker's elements changed."""
    return [dict(record, **elements) if record["SWENo"] == swe else record for record in RETURN]


@pytest.mark.parametrize("form", ["xml", "csv"])
def test_fte_0_is_accepted_for_a_leaver_who_keeps_their_stored_fte(session, council, tmp_path,
                                                                    form):
    path = WRITERS[form](tmp_path / f"csww.{form}", return_with("SW0000000006", FTE="0"))
    report = import_census(session, path, today=TODAY)
    assert report.ok, report.summary()
    leaver = staff(session)["SW6"]
    assert (leaver.fte, leaver.end_date) == (1.0, date(2025, 8, 29))
    assert "1 leaver with FTE 0 in the return keep the FTE stored for them" in report.summary()


@pytest.mark.parametrize("form", ["xml", "csv"])
def test_fte_0_without_a_role_end_date_is_refused_saying_why(session, council, tmp_path, form):
    path = WRITERS[form](tmp_path / f"csww.{form}", return_with("SW0000000001", FTE="0.000000"))
    report = import_census(session, path, today=TODAY)
    assert [(p.column.rsplit(" ", 1)[-1].lower(), p.value) for p in report.problems] == [
        ("fte", "0.000000")]
    assert report.problems[0].reason.startswith("0 FTE, but no RoleEndDate: only a leaver")
    assert staff(session)["SW1"].fte == 1.0
