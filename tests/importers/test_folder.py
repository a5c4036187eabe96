"""`python bot.py import DIR`: a whole extract folder, in dependency order, all or nothing."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from importers import import_rows
from importers.folder import import_folder, recognise
from models import ImportRun, Staff, Team
from tests.builders import (
    ACTIONS, CASES, IMPORT_DAY as TODAY, TEAM_MANAGERS, extract_folder, row_counts, write_rows,
)


def managers(session: Session) -> dict[str, str]:
    return {team: staff_id for team, staff_id in session.exec(
        select(Team.name, Staff.staff_id).join(Staff, Staff.id == Team.manager_id))}


def test_a_folder_loads_teams_whose_managers_its_staff_file_adds(engine, session, tmp_path):
    report = import_folder(engine, extract_folder(tmp_path / "extract"), today=TODAY)
    assert report.ok, report.summary()
    assert [file.kind for file in report.files] == ["teams", "staff", "cases", "supervisions",
                                                    "actions"]
    assert managers(session) == {"Assessment North": "TM1", "Children in Care": "TM2"}
    counts = row_counts(session)
    assert (counts["staff"], counts["cases"], counts["supervision"], counts["action"]) == \
        (7, 4, 3, 3)
    runs = session.exec(select(ImportRun.kind, ImportRun.created, ImportRun.refused)).all()
    assert sorted(runs) == sorted([("teams", 2, False), ("staff", 7, False), ("cases", 4, False),
                                   ("supervisions", 3, False), ("actions", 3, False)])
    again = import_folder(engine, tmp_path / "extract", today=TODAY)
    assert again.ok and not again.changed


def test_a_bad_file_anywhere_leaves_the_store_unchanged(engine, session, tmp_path):
    before = row_counts(session)
    bad_action = dict(ACTIONS[0], ref="AFI-9", owner_id="NOBODY")
    report = import_folder(engine, extract_folder(tmp_path / "extract",
                                                  actions=[*ACTIONS, bad_action]), today=TODAY)
    assert not report.ok
    assert report.every_problem() == [
        "actions.xlsx: row 5, column owner_id, value 'NOBODY': NOBODY is not a known staff id — "
        "import staff first, or check the id"]
    after = row_counts(session)
    assert {table: count for table, count in after.items()
            if table not in ("audit_log", "import_run")} == \
        {table: count for table, count in before.items()
         if table not in ("audit_log", "import_run")}
    assert session.exec(select(ImportRun.refused)).all() == [True] * 5


def test_a_dry_run_checks_every_file_in_order_and_saves_nothing(engine, session, tmp_path):
    report = import_folder(engine, extract_folder(tmp_path / "extract"), today=TODAY,
                           dry_run=True)
    assert report.ok and report.dry_run and "nothing was saved" in report.summary()
    assert row_counts(session)["staff"] == 0 and row_counts(session)["import_run"] == 0


def test_an_unrecognised_file_or_two_files_of_one_kind_refuse_the_folder(engine, session,
                                                                         tmp_path):
    folder = extract_folder(tmp_path / "extract")
    (folder / "notes.txt").write_text("hello")
    write_rows(folder / "teams.xlsx", TEAM_MANAGERS)
    report = import_folder(engine, folder, today=TODAY)
    assert not report.ok and report.files == ()
    assert [problem.split(":")[0] for problem in report.problems] == ["notes.txt", "teams.xlsx"]
    assert row_counts(session)["team"] == 0


def test_files_are_recognised_by_name() -> None:
    assert [recognise(Path(name)) for name in (
        "teams.csv", "STAFF.xlsx", "cases 2026-03-02.csv", "supervision.csv", "actions.xlsx",
        "Annex A 2026.xlsx", "annex_a.xlsm", "csww_2025.xml", "census.csv", "notes.txt",
        "teams.pdf")] == ["teams", "staff", "cases", "supervisions", "actions", "annex-a",
                          "annex-a", "census", "census", None, None]


def test_a_teams_file_alone_naming_unknown_managers_points_to_the_folder_import(session):
    report = import_rows(session, "teams", TEAM_MANAGERS, source="teams.csv", today=TODAY)
    assert not report.ok
    assert "TM1 is not a known staff id" in report.problems[0].reason
    assert "python bot.py import FOLDER" in report.problems[0].reason


def test_the_cli_imports_a_folder(engine, session, tmp_path, database_url, monkeypatch):
    from typer.testing import CliRunner

    import bot
    from config import reset_settings_cache

    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_settings_cache()
    try:
        result = CliRunner().invoke(bot.app, ["import", str(extract_folder(tmp_path / "x"))])
    finally:
        reset_settings_cache()
    assert result.exit_code == 0, result.output
    assert "staff (Staff.xlsx): 7 created, 0 updated, 0 closed" in result.output
    assert managers(session) == {"Assessment North": "TM1", "Children in Care": "TM2"}


def test_the_cli_records_each_load_with_who_ran_it(engine, session, tmp_path, database_url,
                                                   monkeypatch):
    from typer.testing import CliRunner

    import bot
    from config import reset_settings_cache

    folder = extract_folder(tmp_path / "x")
    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_settings_cache()
    try:
        runner = CliRunner()
        assert runner.invoke(bot.app, ["import", str(folder)]).exit_code == 0
        closing = write_rows(tmp_path / "closing.csv",
                             [dict(CASES[0], end_date="2026-03-01", allocated_worker_id="sw1")])
        result = runner.invoke(bot.app, ["import", "cases", str(closing)])
        refused = runner.invoke(bot.app, ["import", "cases", str(
            write_rows(tmp_path / "bad.csv", [dict(CASES[0], team="Nowhere")]))])
    finally:
        reset_settings_cache()
    assert result.exit_code == 0 and refused.exit_code == 1, result.output
    session.expire_all()
    runs = session.exec(select(ImportRun).where(ImportRun.source != "teams.csv")
                        .order_by(ImportRun.id)).all()
    assert [(run.kind, run.source, run.updated, run.closed, run.refused, run.problems)
            for run in runs[-2:]] == [("cases", "closing.csv", 1, 1, False, 0),
                                      ("cases", "bad.csv", 0, 0, True, 1)]
    assert all(run.actor.startswith("cli") for run in runs)


def test_a_folder_with_the_returns_loads_them_after_the_staff_they_match(engine, session,
                                                                         tmp_path):
    from datetime import date

    from models import Case
    from tests.builders import ADMIN, STAFF
    from tests.importers.test_annex_a import LIST_6, write_workbook
    from tests.importers.test_census import worker, write_xml

    staff_rows = [dict(ADMIN, swe_no=""), *STAFF[:3], dict(STAFF[3], swe_no="SW0000000001"),
                  *STAFF[4:]]
    folder = extract_folder(tmp_path / "x", staff=staff_rows)
    write_xml(folder / "csww_2025.xml", [worker("SW0000000001", FTE="0.5", OrgRole="5",
                                                RoleStartDate="2020-01-06")])
    write_workbook(folder / "Annex A 2026.xlsx", {"List 6": (LIST_6, [
        {"Child Unique ID": "C900", "CIN Start Date": date(2026, 1, 5),
         "Allocated Team": "Assessment North", "Allocated Worker": "sw1"}])})
    report = import_folder(engine, folder, today=TODAY)
    assert report.ok, report.summary()
    assert [file.kind for file in report.files] == ["teams", "staff", "census", "cases",
                                                    "annex-a", "supervisions", "actions"]
    assert session.exec(select(Staff.fte).where(Staff.staff_id == "SW1")).one() == 0.5
    assert session.exec(select(Case.case_type).where(Case.case_ref == "C900")).one() == "CIN"
