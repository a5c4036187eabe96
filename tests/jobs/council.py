"""A small council whose digest figures are worked out by hand (the arithmetic is in the tests).

As of Monday 23 November 2026 (ISO week 2026-W48). "This week" is 17–23 November; the 12 months
are 24 November 2025 – 23 November 2026; the 12 weeks are 1 September – 23 November 2026.

Safeguarding (head of service Helen, HS1, Slack UHS1):
  Assessment North — establishment 5.0 FTE, manager TM1, digest channel #sg-digest
    TM1 team manager 1.0 · SW1 social worker 1.0 (20 cases) · SW2 0.5 (6 cases)
    AG1 agency 1.0 (10 cases) · NQ1 NQSW 1.0, ASYE from 1 Sep 2026 (17 cases, one CP as lead)
    ST1 social worker 1.0, started 18 Nov 2026 (no cases)
    LV1 social worker 0.8, left 20 Nov 2026 (still lead on case U2)
    cases U1 (no lead, opened 1 Oct 2026) and U2 (lead LV1, opened 10 Nov 2026): unallocated
  Child Protection East — establishment 3.0 FTE, manager TM2, digest channel #sg-digest
    TM2 team manager 1.0 · SW3 social worker 1.0 (12 cases)
    LV2 social worker 1.0, left 31 Mar 2026 · C1 a case opened 10 Sep, closed 10 Oct 2026
Children in Care (head HS2, Slack UHS2): team Care 1 (channel #cic), TM3 and SW4 — outside
Safeguarding's figures.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from models import Action, Case, Plan, Service, Staff, Supervision, Team

AS_OF = date(2026, 11, 23)
PERIOD = "2026-W48"
OLD_START = date(2020, 1, 6)


def _add(session: Session, row):  # type: ignore[no-untyped-def]
    session.add(row)
    session.flush()
    return row


def _person(session: Session, staff_id: str, role: str, team: Team | None, service: Service, *,
            fte: float = 1.0, agency: bool = False, start: date = OLD_START,
            end: date | None = None, manager: Staff | None = None,
            asye_start: date | None = None, slack: str | None = None) -> Staff:
    return _add(session, Staff(
        staff_id=staff_id, name=f"{staff_id.title()} Person", email=f"{staff_id.lower()}@c.gov.uk",
        role=role, team_id=team.id if team else None, service_id=service.id, fte=fte,
        agency=agency, start_date=start, end_date=end,
        manager_id=manager.id if manager else None, asye_start=asye_start, slack_user_id=slack,
    ))


def _cases(session: Session, prefix: str, count: int, team: Team, lead: Staff | None, *,
           start: date = date(2026, 6, 1), case_type: str = "CIN") -> None:
    for number in range(count):
        session.add(Case(case_ref=f"{prefix}-{number:02d}", case_type=case_type, team_id=team.id,
                         start_date=start, allocated_worker_id=lead.id if lead else None,
                         last_visit=AS_OF - timedelta(days=2)))
    session.flush()


def build(session: Session) -> dict[str, object]:
    """Build the council; returns its rows by short name. Commits."""
    sg = _add(session, Service(name="Safeguarding"))
    cic = _add(session, Service(name="Children in Care"))
    north = _add(session, Team(name="Assessment North", service_id=sg.id, establishment_fte=5.0,
                               digest_channel="#sg-digest"))
    east = _add(session, Team(name="Child Protection East", service_id=sg.id,
                              establishment_fte=3.0, digest_channel="#sg-digest"))
    care = _add(session, Team(name="Care 1", service_id=cic.id, establishment_fte=2.0,
                              digest_channel="#cic"))

    hs1 = _person(session, "HS1", "head_of_service", None, sg, slack="UHS1")
    hs2 = _person(session, "HS2", "head_of_service", None, cic, slack="UHS2")
    tm1 = _person(session, "TM1", "team_manager", north, sg, manager=hs1)
    tm2 = _person(session, "TM2", "team_manager", east, sg, manager=hs1)
    tm3 = _person(session, "TM3", "team_manager", care, cic, manager=hs2)
    north.manager_id, east.manager_id, care.manager_id = tm1.id, tm2.id, tm3.id
    sw1 = _person(session, "SW1", "social_worker", north, sg, manager=tm1)
    sw2 = _person(session, "SW2", "social_worker", north, sg, fte=0.5, manager=tm1)
    ag1 = _person(session, "AG1", "social_worker", north, sg, agency=True, manager=tm1)
    nq1 = _person(session, "NQ1", "nqsw", north, sg, start=date(2026, 9, 1), manager=tm1,
                  asye_start=date(2026, 9, 1))
    st1 = _person(session, "ST1", "social_worker", north, sg, start=date(2026, 11, 18),
                  manager=tm1)
    lv1 = _person(session, "LV1", "social_worker", north, sg, fte=0.8, end=date(2026, 11, 20),
                  manager=tm1)
    sw3 = _person(session, "SW3", "social_worker", east, sg, manager=tm2)
    _person(session, "LV2", "social_worker", east, sg, end=date(2026, 3, 31), manager=tm2)
    sw4 = _person(session, "SW4", "social_worker", care, cic, manager=tm3)

    _cases(session, "SW1", 18, north, sw1)
    _cases(session, "SW1N", 2, north, sw1, start=date(2026, 11, 20))  # new this week
    _cases(session, "SW2", 6, north, sw2)
    _cases(session, "AG1", 10, north, ag1)
    _cases(session, "NQ1", 16, north, nq1)
    _cases(session, "NQ1CP", 1, north, nq1, case_type="CP")  # an NQSW leading a CP case
    _cases(session, "U1", 1, north, None, start=date(2026, 10, 1))
    _cases(session, "U2", 1, north, lv1, start=date(2026, 11, 10))
    _cases(session, "SW3", 12, east, sw3)
    session.add(Case(case_ref="C1-00", case_type="CIN", team_id=east.id,
                     start_date=date(2026, 9, 10), end_date=date(2026, 10, 10)))
    _cases(session, "SW4", 15, care, sw4)

    for person, last in ((tm1, date(2026, 11, 1)), (sw1, date(2026, 10, 1)),
                         (sw2, date(2026, 11, 10)), (ag1, date(2026, 10, 20)),
                         (nq1, date(2026, 11, 16)), (tm2, date(2026, 11, 2)),
                         (sw3, date(2026, 9, 30)), (sw4, date(2026, 11, 20))):
        session.add(Supervision(staff_id=person.id, date=last))

    plan = _add(session, Plan(name="Ofsted ILACS 2025"))
    for ref, owner, due, status, completed in (
        ("A1", tm1, date(2026, 11, 1), "open", None),
        ("A2", hs1, date(2026, 11, 30), "in_progress", None),
        ("A3", sw3, date(2026, 12, 7), "open", None),
        ("A4", sw1, date(2026, 12, 8), "open", None),
        ("A5", tm2, date(2026, 11, 10), "done", date(2026, 11, 20)),
        ("A6", tm2, date(2026, 11, 10), "done", date(2026, 11, 16)),
        ("A7", tm3, date(2026, 10, 1), "open", None),
    ):
        session.add(Action(plan_id=plan.id, ref=ref, action=f"Action {ref}", owner_id=owner.id,
                           due_date=due, status=status, completed_date=completed,
                           evidence="Audit report" if completed else None))
    session.commit()
    return {"sg": sg, "cic": cic, "north": north, "east": east, "care": care, "hs1": hs1,
            "tm1": tm1, "sw1": sw1, "nq1": nq1}


def add_workers(session: Session, team: Team, service: Service, count: int) -> None:
    """More of the same (for the statement-count test): workers with cases and supervisions."""
    plan = session.exec(select(Plan)).first()
    for number in range(count):
        worker = _person(session, f"X{number:03d}", "social_worker", team, service)
        _cases(session, f"X{number:03d}", 5, team, worker)
        session.add(Supervision(staff_id=worker.id, date=AS_OF - timedelta(days=number % 40)))
        session.add(Action(plan_id=plan.id, ref=f"X{number}", action="More", owner_id=worker.id,
                           due_date=AS_OF + timedelta(days=number % 30 - 10)))
    session.commit()
