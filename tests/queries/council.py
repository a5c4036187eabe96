"""A small, hand-checkable council for the query tests.

Safeguarding service: team "Assessment North" (manager Tess, TM1) and "Child Protection East"
(manager Colin, TM2); head of service Helen (HS1); admin Ada (AD1).
Assessment North: Sam (SW1, 1.0 FTE), Nia (NQ1, 0.6 FTE NQSW, month 3 of the ASYE),
Priya (SW2, 0.6 FTE). CP East: Carl (SW3, 1.0 FTE). A leaver, Lee (SW9), left last month.
Today is Monday 23 November 2026.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from models import Action, Case, Plan, Service, Staff, Supervision, Team

TODAY = date(2026, 11, 23)


def add(session: Session, *rows):  # type: ignore[no-untyped-def]
    for row in rows:
        session.add(row)
    session.flush()
    return rows[0] if len(rows) == 1 else rows


def build(session: Session) -> dict[str, object]:
    """Build the council and return its rows by short name."""
    service = add(session, Service(name="Safeguarding"))
    other_service = add(session, Service(name="Children in Care"))
    north = add(session, Team(name="Assessment North", service_id=service.id, establishment_fte=3.0))
    east = add(session, Team(name="Child Protection East", service_id=service.id,
                             establishment_fte=2.0))
    care = add(session, Team(name="Children in Care 1", service_id=other_service.id,
                             establishment_fte=2.0))
    start = date(2020, 1, 6)
    hs = add(session, Staff(staff_id="HS1", name="Helen Head", email="helen@council.gov.uk",
                            role="head_of_service", service_id=service.id, start_date=start,
                            slack_user_id="UHS1"))
    ad = add(session, Staff(staff_id="AD1", name="Ada Admin", email="ada@council.gov.uk",
                            role="admin", service_id=service.id, start_date=start))
    tm1 = add(session, Staff(staff_id="TM1", name="Tess Manager", email="tess@council.gov.uk",
                             role="team_manager", team_id=north.id, service_id=service.id,
                             manager_id=hs.id, start_date=start, slack_user_id="UTM1"))
    tm2 = add(session, Staff(staff_id="TM2", name="Colin Manager", email="colin@council.gov.uk",
                             role="team_manager", team_id=east.id, service_id=service.id,
                             manager_id=hs.id, start_date=start))
    tm3 = add(session, Staff(staff_id="TM3", name="Cara Manager", email="cara@council.gov.uk",
                             role="team_manager", team_id=care.id, service_id=other_service.id,
                             start_date=start))
    north.manager_id, east.manager_id, care.manager_id = tm1.id, tm2.id, tm3.id
    sw1 = add(session, Staff(staff_id="SW1", name="Sam Worker", email="sam@council.gov.uk",
                             role="social_worker", team_id=north.id, service_id=service.id,
                             manager_id=tm1.id, start_date=start, fte=1.0, slack_user_id="USW1"))
    nq1 = add(session, Staff(staff_id="NQ1", name="Nia Newly", email="nia@council.gov.uk",
                             role="nqsw", team_id=north.id, service_id=service.id,
                             manager_id=tm1.id, start_date=date(2026, 8, 24), fte=0.6,
                             asye_start=date(2026, 8, 24), academy_modules_passed=2,
                             academy_modules_required=6))
    sw2 = add(session, Staff(staff_id="SW2", name="Priya Parttime", email="priya@council.gov.uk",
                             role="senior_practitioner", team_id=north.id, service_id=service.id,
                             manager_id=tm1.id, start_date=start, fte=0.6, agency=True))
    sw3 = add(session, Staff(staff_id="SW3", name="Carl Protect", email="carl@council.gov.uk",
                             role="social_worker", team_id=east.id, service_id=service.id,
                             manager_id=tm2.id, start_date=start))
    sw4 = add(session, Staff(staff_id="SW4", name="Cleo Care", email="cleo@council.gov.uk",
                             role="social_worker", team_id=care.id, service_id=other_service.id,
                             manager_id=tm3.id, start_date=start))
    sw9 = add(session, Staff(staff_id="SW9", name="Lee Leaver", email="lee@council.gov.uk",
                             role="social_worker", team_id=north.id, service_id=service.id,
                             manager_id=tm1.id, start_date=start, end_date=date(2026, 10, 30),
                             leaving_reason="Resigned"))
    cases = []
    # Sam: 11 cases (5 CP, 4 CIN, 2 LAC); one CP visit overdue, one review overdue.
    for number in range(11):
        kind = "CP" if number < 5 else "CIN" if number < 9 else "LAC"
        cases.append(Case(case_ref=f"CR-S{number:02d}", case_type=kind, team_id=north.id,
                          start_date=date(2026, 6, 1), allocated_worker_id=sw1.id,
                          last_visit=TODAY - timedelta(days=3),
                          next_review=TODAY + timedelta(days=30)))
    cases[0].last_visit = date(2026, 10, 1)  # CP: due 10 working days later, long past
    cases[1].next_review = TODAY - timedelta(days=4)
    # Priya (0.6 FTE → cap 10.8): 11 cases, over cap.
    for number in range(11):
        cases.append(Case(case_ref=f"CR-P{number:02d}", case_type="CIN", team_id=north.id,
                          start_date=date(2026, 5, 1), allocated_worker_id=sw2.id,
                          last_visit=TODAY - timedelta(days=2)))
    # Nia (NQSW 0.6 FTE → protected cap 9.72): 4 cases, one CP as lead (breach), one co-worked.
    for number in range(4):
        cases.append(Case(case_ref=f"CR-N{number:02d}", case_type="CIN", team_id=north.id,
                          start_date=date(2026, 9, 1), allocated_worker_id=nq1.id,
                          last_visit=TODAY - timedelta(days=2)))
    cases[-1].case_type = "CP"
    cases.append(Case(case_ref="CR-CO1", case_type="CP", team_id=north.id,
                      start_date=date(2026, 9, 1), allocated_worker_id=sw1.id,
                      co_worker_id=nq1.id, last_visit=TODAY - timedelta(days=1)))
    # Unallocated, closed, and the leaver's closed case.
    cases.append(Case(case_ref="CR-U01", case_type="CIN", team_id=north.id,
                      start_date=date(2026, 11, 2)))
    cases.append(Case(case_ref="CR-C01", case_type="CP", team_id=north.id,
                      start_date=date(2025, 1, 1), end_date=date(2026, 3, 1),
                      allocated_worker_id=sw1.id))
    cases.append(Case(case_ref="CR-L01", case_type="CIN", team_id=north.id,
                      start_date=date(2025, 1, 1), end_date=date(2026, 10, 30),
                      allocated_worker_id=sw9.id))
    # Carl: 3 cases in CP East; Cleo: 2 in the other service.
    for number in range(3):
        cases.append(Case(case_ref=f"CR-E{number:02d}", case_type="CP", team_id=east.id,
                          start_date=date(2026, 7, 1), allocated_worker_id=sw3.id,
                          last_visit=TODAY - timedelta(days=1)))
    for number in range(2):
        cases.append(Case(case_ref=f"CR-K{number:02d}", case_type="LAC", team_id=care.id,
                          start_date=date(2026, 7, 1), allocated_worker_id=sw4.id,
                          last_visit=TODAY - timedelta(days=1)))
    add(session, *cases)
    add(
        session,
        Supervision(staff_id=sw1.id, date=TODAY - timedelta(days=40), supervisor_id=tm1.id),
        Supervision(staff_id=sw2.id, date=TODAY - timedelta(days=10), supervisor_id=tm1.id),
        Supervision(staff_id=nq1.id, date=TODAY - timedelta(days=5), supervisor_id=tm1.id),
        Supervision(staff_id=sw3.id, date=TODAY - timedelta(days=3), supervisor_id=tm2.id),
    )
    plan = add(session, Plan(name="Ofsted ILACS 2025"))
    add(
        session,
        Action(plan_id=plan.id, ref="1.1", action="Audit visit timeliness monthly",
               owner_id=tm1.id, agency="Children's Social Care", due_date=date(2026, 11, 1),
               measure="90% of visits in timescale"),
        Action(plan_id=plan.id, ref="1.2", action="Reduce unallocated cases", owner_id=tm2.id,
               due_date=date(2026, 12, 31), measure="No unallocated cases"),
        Action(plan_id=plan.id, ref="2.1", action="Care plan quality", owner_id=tm3.id,
               due_date=date(2026, 10, 1)),
        Action(plan_id=plan.id, ref="3.1", action="Practitioner reflective logs", owner_id=sw1.id,
               due_date=date(2026, 12, 1)),
    )
    session.commit()
    return {"service": service, "north": north, "east": east, "care": care, "hs": hs, "ad": ad,
            "tm1": tm1, "tm2": tm2, "tm3": tm3, "sw1": sw1, "nq1": nq1, "sw2": sw2, "sw3": sw3,
            "sw4": sw4, "sw9": sw9}
