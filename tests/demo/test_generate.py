"""The synthetic demo council: SPEC §5 files the importers accept, and a council worth demoing.

The demo is only useful if a manager sees on it what the scrutiny papers asked for (an NQSW
breach, an over-cap worker, unallocated cases, overdue supervision, a stretched manager), and
only safe if it keeps to SPEC §5 to the letter, so both are checked here from the files alone.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from demo.generate import generate_council, main

TODAY = date(2025, 11, 24)
KINDS = ("teams", "staff", "cases", "supervisions", "actions")

# SPEC §5, written out here rather than imported, so the generator cannot drift from it unseen.
REQUIRED: dict[str, set[str]] = {
    "teams": {"team", "service", "manager_id", "establishment_fte"},
    "staff": {"staff_id", "name", "email", "role", "team", "fte", "start_date"},
    "cases": {"case_ref", "case_type", "start_date", "team"},
    "supervisions": {"staff_id", "date"},
    "actions": {"plan", "ref", "action", "owner_id", "due_date"},
}
OPTIONAL: dict[str, set[str]] = {
    "teams": {"digest_channel", "teams_channel"},
    "staff": {"slack_user_id", "teams_user_id", "agency", "asye_start", "asye_end",
              "academy_modules_passed", "academy_modules_required", "end_date", "leaving_reason",
              "manager_id", "swe_no", "cpd_records", "cpd_peer_reflection"},
    "cases": {"allocated_worker_id", "co_worker_id", "end_date", "last_visit", "next_review"},
    "supervisions": {"supervisor_id", "kind"},
    "actions": {"area", "agency", "measure", "status", "completed_date", "evidence"},
}
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "teams": (),
    "staff": ("start_date", "asye_start", "asye_end", "end_date"),
    "cases": ("start_date", "end_date", "last_visit", "next_review"),
    "supervisions": ("date",),
    "actions": ("due_date", "completed_date"),
}
PRACTITIONER_ROLES = {"social_worker", "senior_practitioner", "nqsw"}
Council = dict[str, list[dict[str, str]]]


def read_council(folder: Path) -> Council:
    council = {}
    for kind in KINDS:
        with (folder / f"{kind}.csv").open(newline="", encoding="utf-8") as handle:
            council[kind] = list(csv.DictReader(handle))
    return council


def headers(folder: Path, kind: str) -> list[str]:
    with (folder / f"{kind}.csv").open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def day(text: str) -> date:
    return date.fromisoformat(text)


def in_post(member: dict[str, str]) -> bool:
    return not member["end_date"] or day(member["end_date"]) >= TODAY


def protected(member: dict[str, str], on: date = TODAY) -> bool:
    """SPEC §4: the ASYE runs 12 months from its start, or to asye_end where extended."""
    if not member["asye_start"]:
        return False
    start = day(member["asye_start"])
    end = day(member["asye_end"]) if member["asye_end"] else start + timedelta(days=365)
    return start <= on < end


def open_cases(council: Council) -> list[dict[str, str]]:
    return [case for case in council["cases"]
            if day(case["start_date"]) <= TODAY and (not case["end_date"]
                                                     or day(case["end_date"]) > TODAY)]


def lead_counts(council: Council) -> Counter[str]:
    return Counter(case["allocated_worker_id"] for case in open_cases(council)
                   if case["allocated_worker_id"])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("northshire")
    return folder, generate_council(folder, TODAY, seed=7, scale=1.0)


@pytest.fixture(scope="module")
def council(generated: tuple[Path, dict[str, int]]) -> Council:
    return read_council(generated[0])


@pytest.fixture(scope="module")
def staff_by_id(council: Council) -> dict[str, dict[str, str]]:
    return {member["staff_id"]: member for member in council["staff"]}


# ---- SPEC §5: the file format ----------------------------------------------------------------

def test_the_five_files_exist_with_the_spec_required_headers(
    generated: tuple[Path, dict[str, int]],
) -> None:
    folder, _counts = generated
    for kind in KINDS:
        columns = headers(folder, kind)
        assert REQUIRED[kind] <= set(columns), kind
        assert set(columns) <= REQUIRED[kind] | OPTIONAL[kind], kind
        assert len(columns) == len(set(columns)), kind


def test_row_counts_returned_match_the_files(
    generated: tuple[Path, dict[str, int]], council: Council,
) -> None:
    _folder, counts = generated
    assert counts == {kind: len(council[kind]) for kind in KINDS}


def test_no_column_names_a_child(generated: tuple[Path, dict[str, int]]) -> None:
    folder, _counts = generated
    child_words = ("name", "dob", "birth", "address", "postcode")
    for kind in KINDS:
        for column in headers(folder, kind):
            if kind == "staff" and column == "name":
                continue  # staff are named; children never are
            assert not any(word in column.lower() for word in child_words), (kind, column)


def test_cases_are_known_by_reference_only(council: Council) -> None:
    refs = [case["case_ref"] for case in council["cases"]]
    assert all(re.fullmatch(r"CR-\d{7}", ref) for ref in refs)
    assert len(refs) == len(set(refs))
    assert {case["case_type"] for case in council["cases"]} == {
        "CP", "CIN", "LAC", "CL", "EH", "OTHER"}


def test_dates_are_iso_and_agency_is_y_or_n(council: Council) -> None:
    for kind, columns in DATE_COLUMNS.items():
        for row in council[kind]:
            for column in columns:
                value = row[column]
                assert value == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), (kind, row)
                if value:
                    day(value)
    assert {member["agency"] for member in council["staff"]} == {"Y", "N"}


def test_natural_keys_are_unique_so_a_reimport_changes_nothing(council: Council) -> None:
    for kind, key in (("teams", ("team",)), ("staff", ("staff_id",)), ("staff", ("email",)),
                      ("cases", ("case_ref",)), ("supervisions", ("staff_id", "date")),
                      ("actions", ("plan", "ref"))):
        keys = [tuple(row[column] for column in key) for row in council[kind]]
        assert len(keys) == len(set(keys)), (kind, key)


def test_emails_are_on_the_council_domain(council: Council) -> None:
    for member in council["staff"]:
        assert re.fullmatch(r"[a-z\-]+\.[a-z\-]+\d*@northshire\.gov\.uk", member["email"]), member


# ---- references hold together ----------------------------------------------------------------

def test_every_staff_reference_names_a_staff_row(
    council: Council, staff_by_id: dict[str, dict[str, str]],
) -> None:
    references = (
        [team["manager_id"] for team in council["teams"]]
        + [member["manager_id"] for member in council["staff"]]
        + [case["allocated_worker_id"] for case in council["cases"]]
        + [case["co_worker_id"] for case in council["cases"]]
        + [row["staff_id"] for row in council["supervisions"]]
        + [row["supervisor_id"] for row in council["supervisions"]]
        + [action["owner_id"] for action in council["actions"]]
    )
    assert {ref for ref in references if ref} <= set(staff_by_id)


def test_team_names_exist_or_are_services_for_heads_and_admin(council: Council) -> None:
    teams = {team["team"] for team in council["teams"]}
    services = {team["service"] for team in council["teams"]}
    assert len(services) == 3
    for member in council["staff"]:
        if member["role"] in ("head_of_service", "admin"):
            assert member["team"] in services, member
        else:
            assert member["team"] in teams, member
    assert {case["team"] for case in council["cases"]} <= teams


def test_open_cases_are_held_by_practitioners_in_post_in_that_team(
    council: Council, staff_by_id: dict[str, dict[str, str]],
) -> None:
    for case in open_cases(council):
        for column in ("allocated_worker_id", "co_worker_id"):
            if case[column]:
                worker = staff_by_id[case[column]]
                assert worker["role"] in PRACTITIONER_ROLES, case
                assert worker["team"] == case["team"] and in_post(worker), case
        assert case["allocated_worker_id"] != case["co_worker_id"] or not case["co_worker_id"]


def test_managers_form_the_line_practitioner_to_team_manager_to_head(
    council: Council, staff_by_id: dict[str, dict[str, str]],
) -> None:
    for member in council["staff"]:
        manager_role = staff_by_id[member["manager_id"]]["role"] if member["manager_id"] else ""
        expected = {"team_manager": "head_of_service", "head_of_service": "", "admin": ""}.get(
            member["role"], "team_manager")
        assert manager_role == expected, member
    for team in council["teams"]:
        assert staff_by_id[team["manager_id"]]["role"] == "team_manager"
        assert in_post(staff_by_id[team["manager_id"]])


# ---- a council worth demoing -----------------------------------------------------------------

def test_county_scale_is_a_few_hundred_staff_and_thousands_of_cases(council: Council) -> None:
    assert 200 <= len(council["staff"]) <= 320
    assert len(open_cases(council)) >= 2500
    assert len(council["cases"]) >= 3000


def test_most_caseloads_sit_between_12_and_18_per_fte_and_a_few_are_over(
    council: Council, staff_by_id: dict[str, dict[str, str]],
) -> None:
    loads = {worker: count / float(staff_by_id[worker]["fte"])
             for worker, count in lead_counts(council).items()}
    in_band = sum(1 for load in loads.values() if 12 <= load <= 18)
    over_cap = sum(1 for load in loads.values() if load > 18)
    assert in_band / len(loads) > 0.6
    assert 3 <= over_cap <= len(loads) * 0.15


def test_an_nqsw_in_the_protected_year_leads_a_cp_case(
    council: Council, staff_by_id: dict[str, dict[str, str]],
) -> None:
    breaches = {case["allocated_worker_id"] for case in open_cases(council)
                if case["case_type"] == "CP" and case["allocated_worker_id"]
                and protected(staff_by_id[case["allocated_worker_id"]])}
    assert len(breaches) == 1  # deliberate, and the only one: the rest are protected
    assert staff_by_id[breaches.pop()]["role"] == "nqsw"


def test_an_nqsw_holds_more_than_90_percent_of_the_normal_cap(
    council: Council, staff_by_id: dict[str, dict[str, str]],
) -> None:
    counts = lead_counts(council)
    nqsws = [member for member in council["staff"] if member["role"] == "nqsw"
             and in_post(member) and protected(member)]
    over = [member for member in nqsws
            if counts[member["staff_id"]] > 0.9 * 18 * float(member["fte"])]
    assert len(over) == 1
    assert len(nqsws) >= 10


def test_nqsws_co_work_cp_cases(council: Council, staff_by_id: dict[str, dict[str, str]]) -> None:
    assert any(case["case_type"] == "CP" and case["co_worker_id"]
               and protected(staff_by_id[case["co_worker_id"]]) for case in open_cases(council))


def test_some_cases_are_unallocated(council: Council) -> None:
    unallocated = [case for case in open_cases(council) if not case["allocated_worker_id"]]
    assert 12 <= len(unallocated) <= 80


def test_leavers_left_in_the_past_year_and_hold_no_open_cases(council: Council) -> None:
    leavers = [member for member in council["staff"] if member["end_date"]]
    assert 0.05 * len(council["staff"]) <= len(leavers) <= 0.15 * len(council["staff"])
    for member in leavers:
        assert TODAY - timedelta(days=366) <= day(member["end_date"]) < TODAY
        assert member["leaving_reason"]
        assert day(member["start_date"]) < day(member["end_date"])
    held = {case[column] for case in open_cases(council)
            for column in ("allocated_worker_id", "co_worker_id")}
    assert not held & {member["staff_id"] for member in leavers}


def test_one_team_manager_has_more_than_8_direct_reports(
    council: Council, staff_by_id: dict[str, dict[str, str]],
) -> None:
    reports = Counter(member["manager_id"] for member in council["staff"]
                      if member["manager_id"] and in_post(member))
    stretched = [manager for manager, count in reports.items() if count > 8]
    assert len(stretched) == 1  # the flag is the exception, heads of service included
    assert staff_by_id[stretched[0]]["role"] == "team_manager"


def test_agency_staff_and_vacancies_exist(council: Council) -> None:
    workforce = [member for member in council["staff"] if in_post(member)
                 and member["role"] not in ("head_of_service", "admin")]
    agency_fte = sum(float(m["fte"]) for m in workforce if m["agency"] == "Y")
    assert 0.05 <= agency_fte / sum(float(m["fte"]) for m in workforce) <= 0.22
    for team in council["teams"]:
        in_team = sum(float(m["fte"]) for m in workforce if m["team"] == team["team"])
        assert float(team["establishment_fte"]) >= in_team - 1e-9, team
    assert sum(float(t["establishment_fte"]) for t in council["teams"]) > sum(
        float(m["fte"]) for m in workforce)


def test_nqsws_have_asye_dates_and_academy_progress(council: Council) -> None:
    nqsws = [member for member in council["staff"] if member["role"] == "nqsw" and in_post(member)]
    for member in nqsws:
        assert member["asye_start"] and member["academy_modules_required"]
        assert 0 <= int(member["academy_modules_passed"]) <= int(member["academy_modules_required"])
    assert any(not protected(member) for member in nqsws)  # some have finished the year
    assert any(member["asye_end"] and protected(member) for member in nqsws)  # one extended


def test_supervision_history_is_regular_with_some_overdue(council: Council) -> None:
    dates: dict[str, list[date]] = {}
    for row in council["supervisions"]:
        dates.setdefault(row["staff_id"], []).append(day(row["date"]))
        assert day(row["date"]) <= TODAY
        assert row["kind"] in ("formal", "reflective")
    practitioners = [m for m in council["staff"] if m["role"] in PRACTITIONER_ROLES and in_post(m)]
    assert all(m["staff_id"] in dates for m in practitioners)
    qualified = [m for m in practitioners if not protected(m)]
    overdue = [m for m in qualified if (TODAY - max(dates[m["staff_id"]])).days > 28]
    assert 0.04 * len(qualified) <= len(overdue) <= 0.25 * len(qualified)
    for member in practitioners:
        history = sorted(dates[member["staff_id"]])
        assert history[0] >= TODAY - timedelta(days=200)  # about six months of history
        if protected(member) and (TODAY - day(member["asye_start"])).days < 42:
            gaps = [(b - a).days for a, b in zip(history, history[1:])]
            assert gaps and max(gaps) <= 7  # weekly in the first six weeks


def test_visits_and_reviews_are_mostly_on_time_with_some_overdue(council: Council) -> None:
    frequency_days = {"CP": 14, "CIN": 28, "LAC": 42}
    visited = [case for case in open_cases(council)
               if case["case_type"] in frequency_days and case["last_visit"]]
    late = [case for case in visited
            if (TODAY - day(case["last_visit"])).days > frequency_days[case["case_type"]]]
    assert 0.02 * len(visited) <= len(late) <= 0.15 * len(visited)
    reviews = [case for case in open_cases(council) if case["next_review"]]
    overdue_reviews = [case for case in reviews if day(case["next_review"]) < TODAY]
    assert 0.01 * len(reviews) <= len(overdue_reviews) <= 0.1 * len(reviews)
    for case in council["cases"]:
        if case["last_visit"]:
            assert day(case["start_date"]) <= day(case["last_visit"]) <= TODAY


def test_actions_are_two_plans_part_done_part_overdue_part_due_soon(
    council: Council, staff_by_id: dict[str, dict[str, str]],
) -> None:
    plans = Counter(action["plan"] for action in council["actions"])
    assert plans["Ofsted ILACS 2025"] >= 18 and plans["Case file audit Q3"] >= 8
    for plan in plans:
        actions = [a for a in council["actions"] if a["plan"] == plan]
        done = [a for a in actions if a["status"] == "done"]
        not_done = [a for a in actions if a["status"] != "done"]
        assert done and all(a["completed_date"] and a["evidence"] for a in done)
        assert all(day(a["completed_date"]) <= TODAY for a in done)
        assert all(not a["completed_date"] and not a["evidence"] for a in not_done)
        assert any(day(a["due_date"]) < TODAY for a in not_done)
        assert any(TODAY <= day(a["due_date"]) <= TODAY + timedelta(days=30) for a in not_done)
    for action in council["actions"]:
        assert staff_by_id[action["owner_id"]]["role"] in ("team_manager", "head_of_service")
        assert action["status"] in ("open", "in_progress", "done")
        assert action["agency"] and action["measure"] and action["area"]


def test_one_demo_user_per_role_has_a_slack_id(council: Council) -> None:
    demo_users = {member["role"]: member for member in council["staff"] if member["slack_user_id"]}
    assert set(demo_users) == {"head_of_service", "team_manager", "senior_practitioner",
                               "social_worker", "nqsw", "admin"}
    assert len({member["slack_user_id"] for member in demo_users.values()}) == 6
    team = demo_users["team_manager"]["team"]
    assert all(demo_users[role]["team"] == team
               for role in ("senior_practitioner", "social_worker", "nqsw"))


# ---- reproducible, at any date and size ------------------------------------------------------

def test_the_same_seed_gives_the_same_files(
    generated: tuple[Path, dict[str, int]], tmp_path: Path,
) -> None:
    folder, _counts = generated
    generate_council(tmp_path, TODAY, seed=7, scale=1.0)
    for kind in KINDS:
        assert (tmp_path / f"{kind}.csv").read_bytes() == (folder / f"{kind}.csv").read_bytes()


def test_another_seed_gives_another_council(
    generated: tuple[Path, dict[str, int]], tmp_path: Path,
) -> None:
    folder, _counts = generated
    generate_council(tmp_path, TODAY, seed=8, scale=1.0)
    assert (tmp_path / "cases.csv").read_bytes() != (folder / "cases.csv").read_bytes()


def test_dates_follow_the_today_passed_in(tmp_path: Path) -> None:
    later = date(2031, 3, 3)
    generate_council(tmp_path, later, seed=7, scale=0.2)
    council = read_council(tmp_path)
    assert all(day(row["date"]) <= later for row in council["supervisions"])
    assert all(day(case["start_date"]) <= later for case in council["cases"])
    assert max(day(row["date"]) for row in council["supervisions"]) >= later - timedelta(days=7)
    leavers = [member for member in council["staff"] if member["end_date"]]
    assert all(later - timedelta(days=366) <= day(m["end_date"]) < later for m in leavers)


def test_a_small_council_keeps_every_breach_the_demo_shows(tmp_path: Path) -> None:
    counts = generate_council(tmp_path, TODAY, seed=3, scale=0.1)
    council = read_council(tmp_path)
    staff_by_id = {member["staff_id"]: member for member in council["staff"]}
    assert counts["teams"] == 3
    assert any(case["case_type"] == "CP" and case["allocated_worker_id"]
               and protected(staff_by_id[case["allocated_worker_id"]])
               for case in open_cases(council))
    leads = lead_counts(council)
    assert any(protected(m) and leads[m["staff_id"]] > 0.9 * 18 * float(m["fte"])
               for m in council["staff"])
    assert any(not case["allocated_worker_id"] for case in open_cases(council))
    reports = Counter(m["manager_id"] for m in council["staff"] if m["manager_id"] and in_post(m))
    assert max(reports.values()) > 8


def test_a_larger_council_scales_teams_not_caseloads(tmp_path: Path) -> None:
    counts = generate_council(tmp_path, TODAY, seed=7, scale=2.0)
    assert counts["teams"] == 48
    council = read_council(tmp_path)
    staff_by_id = {member["staff_id"]: member for member in council["staff"]}
    loads = lead_counts(council)
    per_fte = sum(loads.values()) / sum(float(staff_by_id[w]["fte"]) for w in loads)
    assert 13 <= per_fte <= 17


def test_scale_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_council(tmp_path, TODAY, scale=0)


def test_command_line_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "out"), "--today", "2025-11-24", "--seed", "5",
                 "--scale", "0.2"]) == 0
    assert all((tmp_path / "out" / f"{kind}.csv").exists() for kind in KINDS)
    assert "cases.csv" in capsys.readouterr().out
