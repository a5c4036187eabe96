"""A small synthetic council as import rows, and helpers to write them as CSV or XLSX files."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from importers import ImportReport, import_file, import_rows

TODAY = date(2026, 3, 2)

TEAMS = [
    {"team": "Assessment North", "service": "Safeguarding", "manager_id": "",
     "establishment_fte": "8.5", "digest_channel": "#safeguarding"},
    {"team": "Children in Care", "service": "Corporate Parenting", "manager_id": "",
     "establishment_fte": "6", "digest_channel": ""},
]
TEAM_MANAGERS = [dict(TEAMS[0], manager_id="TM1"), dict(TEAMS[1], manager_id="TM2")]

STAFF = [
    {"staff_id": "HOS1", "name": "Hana Osei", "email": "Hana.Osei@council.gov.uk",
     "role": "Head of Service", "team": "Safeguarding", "fte": "1", "start_date": "2015-04-01",
     "manager_id": "", "agency": ""},
    {"staff_id": "TM1", "name": "Tom Marsh", "email": "tom.marsh@council.gov.uk",
     "role": "team_manager", "team": "Assessment North", "fte": "1.0",
     "start_date": "01/09/2018", "manager_id": "HOS1", "agency": "No"},
    {"staff_id": "TM2", "name": "Rae Lund", "email": "rae.lund@council.gov.uk",
     "role": "Team Manager", "team": "Children in Care", "fte": "1", "start_date": "2017-02-01",
     "manager_id": "HOS1", "agency": "N"},
    {"staff_id": "SW1", "name": "Sam Wills", "email": "sam.wills@council.gov.uk",
     "role": "social worker", "team": "Assessment North", "fte": "0.8",
     "start_date": "2020-01-06", "manager_id": "TM1", "agency": "N"},
    {"staff_id": "SW2", "name": "Nia Quinn", "email": "nia.quinn@council.gov.uk",
     "role": "NQSW", "team": "assessment north", "fte": "1", "start_date": "2025-09-01",
     "manager_id": "TM1", "agency": "N", "asye_start": "2025-09-01"},
    {"staff_id": "SW3", "name": "Ola Reed", "email": "ola.reed@council.gov.uk",
     "role": "senior-practitioner", "team": "Children in Care", "fte": "1",
     "start_date": "13/05/2019", "manager_id": "TM2", "agency": "Y"},
]

CASES = [
    {"case_ref": "CR-1001", "case_type": "CP", "start_date": "2025-11-03",
     "team": "Assessment North", "allocated_worker_id": "SW1", "co_worker_id": "SW2",
     "end_date": "", "last_visit": "2026-02-20", "next_review": "2026-04-01"},
    {"case_ref": "CR-1002", "case_type": "cin", "start_date": "14/01/2026",
     "team": "Assessment North", "allocated_worker_id": "SW2", "co_worker_id": "",
     "end_date": "", "last_visit": "", "next_review": ""},
    {"case_ref": "CR-1003", "case_type": "LAC", "start_date": "2024-06-10",
     "team": "Children in Care", "allocated_worker_id": "SW3", "co_worker_id": "",
     "end_date": "", "last_visit": "2026-02-02", "next_review": "2026-03-20"},
    {"case_ref": "CR-1004", "case_type": "EH", "start_date": "2026-02-16",
     "team": "Assessment North", "allocated_worker_id": "", "co_worker_id": "",
     "end_date": "", "last_visit": "", "next_review": ""},
]

SUPERVISIONS = [
    {"staff_id": "SW1", "date": "2026-02-10", "supervisor_id": "TM1", "kind": "case"},
    {"staff_id": "SW2", "date": "24/02/2026", "supervisor_id": "TM1", "kind": "reflective"},
    {"staff_id": "SW3", "date": "2026-01-30", "supervisor_id": "", "kind": ""},
]

ACTIONS = [
    {"plan": "Ofsted 2025", "ref": "AFI-1", "action": "Reduce caseloads to 18 per worker",
     "owner_id": "HOS1", "due_date": "2026-06-30", "area": "Workforce", "agency": "Council",
     "measure": "Average caseload per FTE", "status": "", "completed_date": "", "evidence": ""},
    {"plan": "Ofsted 2025", "ref": "AFI-2", "action": "Monthly supervision for every worker",
     "owner_id": "TM1", "due_date": "2026-01-31", "area": "Supervision", "agency": "Council",
     "measure": "Supervisions on time", "status": "Done", "completed_date": "2026-01-20",
     "evidence": "Audit of supervision records"},
    {"plan": "Case audit Jan 2026", "ref": "1", "action": "Update chronology on CR-1001",
     "owner_id": "SW1", "due_date": "2026-02-15", "area": "", "agency": "", "measure": "",
     "status": "in progress", "completed_date": "", "evidence": ""},
]

ROWS = {"teams": TEAMS, "staff": STAFF, "cases": CASES, "supervisions": SUPERVISIONS,
        "actions": ACTIONS}


def load(session: Session, kind: str, rows: list[dict], **options) -> ImportReport:
    """Import rows and insist they were accepted."""
    report = import_rows(session, kind, rows, source=f"{kind}.csv",
                         today=options.pop("today", TODAY), **options)
    assert report.ok, report.summary()
    return report


def load_council(session: Session, *kinds: str) -> None:
    """Teams (no managers), staff, teams again (managers), then whichever other kinds."""
    load(session, "teams", TEAMS)
    load(session, "staff", STAFF)
    load(session, "teams", TEAM_MANAGERS)
    for kind in kinds:
        load(session, kind, ROWS[kind])


def write_rows(path: Path, rows: list[dict], headers: list[str] | None = None) -> Path:
    """Write dict rows as .csv or .xlsx (by the path's suffix); `headers` may rename/reorder."""
    keys = list(rows[0]) if rows else list(headers or [])
    headers = headers or keys
    if path.suffix == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(key) for key in keys])
        workbook.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows([[row.get(key, "") for key in keys] for row in rows])
    return path


def import_path(session: Session, kind: str, path: Path, **options) -> ImportReport:
    return import_file(session, kind, path, today=options.pop("today", TODAY), **options)


def row_counts(session: Session) -> dict[str, int]:
    """Rows in every table of the store."""
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }


#: The council's administrator, who gets the nightly import's result by Slack DM.
ADMIN = {"staff_id": "AD1", "name": "Ada Dunn", "email": "ada.dunn@council.gov.uk",
         "role": "admin", "team": "Safeguarding", "fte": "1", "start_date": "2016-01-04",
         "manager_id": "", "agency": "", "asye_start": "", "slack_user_id": "UADMIN1"}


def extract_folder(folder: Path, **overrides: list[dict]) -> Path:
    """The council as a nightly extract: teams naming managers that only its staff file adds,
    and an admin. `overrides` replace a kind's rows (teams=…, staff=…, cases=…)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"teams": ("teams.csv", TEAM_MANAGERS), "staff": ("Staff.xlsx", [ADMIN, *STAFF]),
             "cases": ("cases_2026-03-02.csv", CASES),
             "supervisions": ("supervisions.csv", SUPERVISIONS),
             "actions": ("actions.xlsx", ACTIONS)}
    for kind, (name, rows) in files.items():
        write_rows(folder / name, overrides.get(kind, rows))
    return folder
