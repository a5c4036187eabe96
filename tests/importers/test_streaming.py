"""Imports stream (SPEC section 8): memory flat whatever the file's size, at most the first
IMPORT_PROBLEMS_SHOWN problems printed with the total, `--report FILE` with every problem, and a
NUL byte a problem naming its row, never a database traceback.

Memory is asserted as the growth of a real `bot.py import` process's peak RSS (its own VmHWM,
see bench/peak_rss.py) over the same import of a 10-row file: never a time.
"""

from __future__ import annotations

import csv
import os
import tracemalloc
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bench.import_memory import run_measured
from config import Settings, reset_settings_cache
from importers import Problem, import_file
from importers.readers import read_table
from importers.report import ProblemLog
from models import Staff
from tests.builders import (
    CASES, IMPORT_DAY as TODAY, JUNK_PROBLEMS_PER_ROW, STAFF, TEAMS, load, load_council,
    row_counts, write_junk_cases_csv, write_raw_xlsx, write_rows,
)

ROOT = Path(__file__).resolve().parents[2]
#: Rows in the junk file: about 3 MB, 180,000 problems (a few seconds on a busy machine).
JUNK_ROWS = 60_000
#: Peak RSS may grow this much over a 10-row import. Before streaming, these 60,000 rows grew it
#: by 220 MB (every problem held, then printed as one 29 MB paragraph); now by under 10 MB.
GROWTH_BOUND_MB = 60
SHOWN = Settings().import_problems_shown


def _bot_import(database_url: str, *arguments: str):
    env = {**os.environ, "DATABASE_URL": database_url}
    return run_measured(ROOT / "bot.py", ["import", *arguments], env=env, cwd=ROOT)


def _cli(database_url: str, monkeypatch: pytest.MonkeyPatch, *arguments: str):
    """The real Typer command line, in this process (quicker than a subprocess)."""
    import bot

    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_settings_cache()
    try:
        return CliRunner().invoke(bot.app, ["import", *arguments])
    finally:
        reset_settings_cache()


def _report_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_large_junk_file_prints_the_first_100_problems_and_the_total_in_flat_memory(
    engine, database_url, tmp_path
) -> None:
    small = tmp_path / "small.csv"
    write_junk_cases_csv(small, 10)
    junk = tmp_path / "junk.csv"
    problems = write_junk_cases_csv(junk, JUNK_ROWS)
    report = tmp_path / "problems.csv"

    baseline = _bot_import(database_url, "cases", str(small))
    refused = _bot_import(database_url, "cases", str(junk), "--report", str(report))

    assert baseline.returncode == 1 and refused.returncode == 1, refused.stderr[-2000:]
    assert "Traceback" not in refused.stderr
    growth_mb = (refused.peak_rss_kb - baseline.peak_rss_kb) / 1024
    assert growth_mb < GROWTH_BOUND_MB, f"peak RSS grew {growth_mb:.0f} MB"

    lines = refused.stdout.splitlines()
    assert lines[0] == (f"Refused cases from {junk}: {JUNK_ROWS} rows read, {problems} problems, "
                        "nothing was saved.")
    listed = [line for line in lines if line.startswith("  row ")]
    assert len(listed) == SHOWN
    assert listed[0] == ("  row 2, column case_type, value 'junkjunkjunk': not recognised: one of "
                         "CP, CIN, LAC, CL, EH, OTHER")
    assert lines[-1] == (f"…and {problems - SHOWN} more: {problems} problems in all; every one "
                         f"is in {report}.")
    assert len(lines) == SHOWN + 2
    assert len(refused.stdout) < 50_000

    written = _report_rows(report)
    assert len(written) == problems == JUNK_ROWS * JUNK_PROBLEMS_PER_ROW
    assert written[0] == {"row": "2", "column": "case_type", "value": "junkjunkjunk",
                          "why": "not recognised: one of CP, CIN, LAC, CL, EH, OTHER"}
    assert written[-1]["row"] == str(JUNK_ROWS + 1) and written[-1]["column"] == "team"


def test_without_a_report_the_screen_says_how_to_get_every_problem(
    engine, database_url, tmp_path, monkeypatch
) -> None:
    junk = tmp_path / "junk.csv"
    problems = write_junk_cases_csv(junk, 50)

    result = _cli(database_url, monkeypatch, "cases", str(junk))

    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"…and {problems - SHOWN} more: {problems} problems in all; --report FILE writes every "
        "one as CSV.")


def test_a_long_value_is_cut_so_every_problem_line_is_bounded(session, tmp_path) -> None:
    load_council(session)
    path = write_rows(tmp_path / "cases.csv", [
        dict(CASES[0], case_type="x" * 100_000, allocated_worker_id="W" * 100_000),
    ])
    settings = Settings()

    report = import_file(session, "cases", path, today=TODAY, settings=settings)

    assert report.problem_count == 2
    for problem in report.problems:
        assert problem.value is not None
        assert len(problem.value) == settings.import_problem_value_chars
        assert problem.value.endswith("…")
        assert len(problem.reason) <= settings.import_problem_text_chars
        assert len(str(problem)) < 500


def test_a_nul_byte_in_a_csv_is_a_problem_naming_its_row_and_the_store_is_unchanged(
    session, database_url, tmp_path, monkeypatch
) -> None:
    load_council(session)
    session.commit()
    before = row_counts(session)
    rows = [dict(CASES[0]), dict(CASES[1], case_ref="CR-10\x0002"), dict(CASES[2])]
    path = write_rows(tmp_path / "cases.csv", rows)

    result = _cli(database_url, monkeypatch, "cases", str(path))

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "row 3, column case_ref: contains a NUL character" in result.output
    assert "CR-10" not in result.output  # the value is never quoted
    session.expire_all()
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1,
                                   "import_run": before["import_run"] + 1}  # the refusal, recorded


@pytest.mark.parametrize("dimension", [None, ""], ids=["size declared", "no size declared"])
def test_a_nul_byte_in_an_xlsx_is_a_problem_naming_its_row_and_the_store_is_unchanged(
    session, database_url, tmp_path, monkeypatch, dimension
) -> None:
    before = row_counts(session)
    header = list(TEAMS[0])
    rows = [header, *([str(team[column]) for column in header] for team in TEAMS)]
    rows[2][0] = "Children\x00in Care"
    path = write_raw_xlsx(tmp_path / "teams.xlsx", rows, dimension=dimension)

    result = _cli(database_url, monkeypatch, "teams", str(path))

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "row 3: " in result.output and "row 3 of the first sheet" in result.output
    assert "NUL" in result.output
    session.expire_all()
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1,
                                   "import_run": before["import_run"] + 1}  # the refusal, recorded


def test_an_xlsx_with_a_phantom_dimension_is_read_only_as_wide_and_long_as_its_data(
    session, tmp_path
) -> None:
    header = list(TEAMS[0])
    rows = [header, *([str(team[column]) for column in header] for team in TEAMS)]
    path = write_raw_xlsx(tmp_path / "teams.xlsx", rows, dimension="A1:XFD1048576",
                          styled_column="XFD", styled_last_row=1_048_576)

    tracemalloc.start()
    table = read_table(path)
    read = list(table.rows)
    table.close()
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert [number for number, _values in read] == [2, 3]
    assert all(len(values) == len(header) for _number, values in read)  # not 16,384 cells
    assert peak < 20 * 1024 * 1024
    report = import_file(session, "teams", path, today=TODAY)
    assert report.ok and report.created == 2, report.summary()


def test_a_file_refused_after_batches_were_written_leaves_the_store_unchanged(
    session, tmp_path
) -> None:
    load_council(session)
    session.commit()
    before = row_counts(session)
    rows = [dict(CASES[0], case_ref=f"CR-{n}") for n in range(7)]
    rows.append(dict(CASES[0], case_ref="CR-LATE", team="Nowhere Team"))
    small_batches = Settings(import_batch_rows=2)

    report = import_file(session, "cases", write_rows(tmp_path / "cases.csv", rows),
                         today=TODAY, settings=small_batches)

    assert [(p.row, p.column) for p in report.problems] == [(9, "team")]
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}


def test_a_duplicate_key_in_a_later_batch_is_found_and_nothing_is_saved(session, tmp_path) -> None:
    load_council(session)
    session.commit()
    before = row_counts(session)
    rows = [dict(CASES[0], case_ref=f"CR-{n}") for n in range(5)]
    rows.append(dict(CASES[0], case_ref="CR-0"))

    report = import_file(session, "cases", write_rows(tmp_path / "cases.csv", rows),
                         today=TODAY, settings=Settings(import_batch_rows=2))

    [problem] = report.problems
    assert (problem.row, problem.column) == (7, "case_ref") and "first at row 2" in problem.reason
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}


def test_a_file_written_in_batches_is_all_there_and_a_reimport_changes_nothing(
    session, tmp_path
) -> None:
    load_council(session)
    rows = [dict(CASES[n % len(CASES)], case_ref=f"CR-{n}") for n in range(11)]
    path = write_rows(tmp_path / "cases.csv", rows)
    small_batches = Settings(import_batch_rows=3)

    first = import_file(session, "cases", path, today=TODAY, settings=small_batches)
    again = import_file(session, "cases", path, today=TODAY, settings=small_batches)

    assert first.ok and (first.created, first.updated) == (11, 0), first.summary()
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 11)


def test_the_report_never_holds_a_value_of_a_column_naming_a_child(
    engine, database_url, tmp_path, monkeypatch
) -> None:
    rows = [dict(CASES[0], **{"Child Name": "Ada Example"}), dict(CASES[1], team="Nowhere",
                                                                  **{"Child Name": "Bo Example"})]
    path = write_rows(tmp_path / "cases.csv", rows)
    report = tmp_path / "problems.csv"

    result = _cli(database_url, monkeypatch, "cases", str(path), "--report", str(report))

    assert result.exit_code == 1
    written = report.read_text(encoding="utf-8")
    assert "Child Name" in written and "Example" not in written and "Example" not in result.output
    assert [row["column"] for row in _report_rows(report)] == ["Child Name"]


def test_a_problem_log_keeps_the_first_few_and_counts_the_rest(tmp_path) -> None:
    with (tmp_path / "all.csv").open("w", newline="", encoding="utf-8") as handle:
        log = ProblemLog(shown=3, report=handle)
        for number in range(2, 12):
            log.append(Problem(number, "team", "x", "why"))
    assert (len(log), len(log.first), bool(log)) == (10, 3, True)
    assert len(_report_rows(tmp_path / "all.csv")) == 10


def test_a_staff_file_written_in_batches_links_managers_wherever_they_are(
    session, tmp_path
) -> None:
    """Staff stream too: a manager in a later batch, or a cycle, waits for the end of the file."""
    load(session, "teams", TEAMS)
    cycle = [
        {**STAFF[1], "staff_id": "TMA", "email": "tma@council.gov.uk", "manager_id": "TMB"},
        {**STAFF[1], "staff_id": "TMB", "email": "tmb@council.gov.uk", "manager_id": "TMA"},
    ]
    path = write_rows(tmp_path / "staff.csv", [*reversed(STAFF), *cycle])
    small_batches = Settings(import_batch_rows=2)

    first = import_file(session, "staff", path, today=TODAY, settings=small_batches)
    again = import_file(session, "staff", path, today=TODAY, settings=small_batches)

    assert first.ok and first.created == len(STAFF) + 2, first.summary()
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, len(STAFF) + 2)
    staff = {s.staff_id: s for s in session.exec(select(Staff))}
    assert staff["SW1"].manager_id == staff["TM1"].id
    assert staff["TM1"].manager_id == staff["HOS1"].id
    assert staff["TMA"].manager_id == staff["TMB"].id and staff["TMB"].manager_id == staff["TMA"].id


def test_an_email_a_stored_worker_gives_up_later_in_the_file_may_be_taken_earlier(
    session, tmp_path
) -> None:
    load_council(session)
    newcomer = {**STAFF[3], "staff_id": "SW9", "email": "sam.wills@council.gov.uk"}
    moved = {**STAFF[3], "email": "sam.wills2@council.gov.uk"}
    path = write_rows(tmp_path / "staff.csv", [newcomer, STAFF[0], STAFF[1], moved])

    report = import_file(session, "staff", path, today=TODAY,
                         settings=Settings(import_batch_rows=1))

    assert report.ok and (report.created, report.updated) == (1, 1), report.summary()
    staff = {s.staff_id: s for s in session.exec(select(Staff))}
    assert (staff["SW9"].email, staff["SW1"].email) == ("sam.wills@council.gov.uk",
                                                        "sam.wills2@council.gov.uk")


def test_a_write_failing_while_the_next_batch_is_checked_leaves_the_store_unchanged(
    session, tmp_path, monkeypatch
) -> None:
    from importers.cases import CasesImporter

    load_council(session)
    session.commit()
    before = row_counts(session)
    written_before = CasesImporter.write
    calls: list[int] = []

    def fails_the_second_time(self, rows):  # type: ignore[no-untyped-def]
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("store gone")
        return written_before(self, rows)

    monkeypatch.setattr(CasesImporter, "write", fails_the_second_time)
    rows = [dict(CASES[0], case_ref=f"CR-{n}") for n in range(7)]
    with pytest.raises(RuntimeError):
        import_file(session, "cases", write_rows(tmp_path / "cases.csv", rows), today=TODAY,
                    settings=Settings(import_batch_rows=2))

    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}
