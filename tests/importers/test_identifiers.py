"""Identifiers ignore case and surrounding spaces everywhere: one key, one record (issue #12 A)."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from importers import import_rows
from models import Action, Case, Staff, Supervision, Team
from tests.builders import (
    ACTIONS, CASES, IMPORT_DAY as TODAY, STAFF, SUPERVISIONS, TEAMS, Builder, load, load_council,
    row_counts,
)


def _problems(session: Session, kind: str, rows: list[dict]) -> list[tuple]:
    before = row_counts(session)
    report = import_rows(session, kind, rows, source=f"{kind}.csv", today=TODAY)
    assert not report.ok
    assert row_counts(session) == {**before, "audit_log": before["audit_log"] + 1}
    return [(p.row, p.column, p.value) for p in report.problems]


@pytest.mark.parametrize(("kind", "rows", "where"), [
    ("teams", [TEAMS[0], dict(TEAMS[0], team=" ASSESSMENT NORTH ")], (3, "team")),
    ("staff", [STAFF[3], dict(STAFF[3], staff_id="sw1", email="other@council.gov.uk")],
     (3, "staff_id")),
    ("staff", [STAFF[3], dict(STAFF[4], email="SAM.WILLS@council.gov.uk")], (3, "email")),
    ("cases", [CASES[0], dict(CASES[0], case_ref="cr-1001 ")], (3, "case_ref")),
    ("supervisions", [SUPERVISIONS[0], dict(SUPERVISIONS[0], staff_id="sw1")], (3, "date")),
    ("actions", [ACTIONS[0], dict(ACTIONS[0], plan="OFSTED 2025", ref="afi-1")], (3, "ref")),
])
def test_case_variant_duplicates_in_one_file_are_refused(session, kind, rows, where) -> None:
    load_council(session)
    assert where in [(row, column) for row, column, _value in _problems(session, kind, rows)]


def test_a_staff_id_in_another_case_names_the_stored_person(session) -> None:
    load_council(session, "cases", "supervisions", "actions")
    load(session, "cases", [dict(CASES[1], allocated_worker_id=" sw1 ")])
    load(session, "supervisions", [dict(SUPERVISIONS[0], staff_id="sw2", supervisor_id="tm1")])
    load(session, "actions", [dict(ACTIONS[0], owner_id="tm1")])
    load(session, "teams", [dict(TEAMS[0], manager_id="tm2")])
    sw1 = session.exec(select(Staff).where(Staff.staff_id == "SW1")).one()
    assert session.exec(select(Case.allocated_worker_id).where(Case.case_ref == "CR-1002")
                        ).one() == sw1.id


@pytest.mark.parametrize(("kind", "row", "table"), [
    ("staff", dict(STAFF[3], staff_id="sw1", name="Sam Wills-Jones"), Staff),
    ("cases", dict(CASES[0], case_ref="cr-1001", last_visit="2026-02-27"), Case),
    ("teams", dict(TEAMS[0], team="assessment  NORTH", establishment_fte="9"), Team),
    ("actions", dict(ACTIONS[0], plan="ofsted 2025", ref="afi-1", due_date="2026-07-31"), Action),
    ("supervisions", dict(SUPERVISIONS[0], staff_id="sw1", kind="group"), Supervision),
])
def test_a_case_variant_of_a_stored_key_updates_that_record(session, kind, row, table) -> None:
    load_council(session, "cases", "supervisions", "actions")
    before = session.exec(select(func.count()).select_from(table)).one()
    report = load(session, kind, [row])
    assert (report.created, report.updated) == (0, 1)
    assert session.exec(select(func.count()).select_from(table)).one() == before


def test_an_email_held_by_another_person_in_another_case_is_refused(session) -> None:
    load_council(session)
    assert _problems(session, "staff", [dict(STAFF[4], email="Sam.Wills@Council.gov.uk")]) == [
        (2, "email", "sam.wills@council.gov.uk")]


@pytest.mark.parametrize(("make", "table"), [
    (lambda b, t: [b.staff("SW0001", "A"), b.staff("sw0001", "B")], "staff id"),
    (lambda b, t: [b.staff("A1", "A", email="a@x.org"), b.staff("A2", "B", email="A@X.org")],
     "e-mail"),
    (lambda b, t: [b.team("Assessment", t), b.team("ASSESSMENT", t)], "team"),
    (lambda b, t: [b.case("CR-9000010", "CP", b.team("T", t)), b.case("cr-9000010", "CP",
                                                                     b.team("U", t))], "case"),
])
def test_the_store_refuses_two_spellings_of_one_key(session, make, table) -> None:
    builder = Builder(session, TODAY)
    with pytest.raises(IntegrityError):
        make(builder, builder.service())
    session.rollback()
