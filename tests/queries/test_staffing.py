"""Staffing figures (SPEC section 4), by the DfE workforce census definitions, against a small
council worked out by hand. Runs on SQLite and, with TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import Session

from models import Case, Service, Staff, Team
from queries.staffing import staffing_by_team, staffing_figures, staffing_total_and_teams
from tests.database import statements_sent

AS_OF = date(2026, 3, 2)  # a Monday; "this week" is 24 February to 2 March


def _staff(session: Session, staff_id: str, role: str, team: Team | None, fte: float, *,
           start: date = date(2020, 1, 6), end: date | None = None, agency: bool = False,
           manager: Staff | None = None, service: Service | None = None,
           asye_start: date | None = None) -> Staff:
    person = Staff(staff_id=staff_id, name=f"Worker {staff_id}", email=f"{staff_id}@council.test",
                   role=role, team_id=team.id if team else None,
                   service_id=service.id if service else (team.service_id if team else None),
                   fte=fte, agency=agency, start_date=start, end_date=end,
                   manager_id=manager.id if manager else None, asye_start=asye_start)
    session.add(person)
    session.flush()
    return person


def _case(session: Session, ref: str, case_type: str, team: Team, worker: Staff | None, *,
          start: date, end: date | None = None) -> None:
    session.add(Case(case_ref=ref, case_type=case_type, team_id=team.id, start_date=start,
                     end_date=end, allocated_worker_id=worker.id if worker else None))


def build_council(session: Session) -> dict[str, int]:
    """Safeguarding (Assessment, Children in Care) and Early Help (EH North).

    Assessment, establishment 3.0 FTE, on 2 March 2026:
      TM  team manager  1.0 employed  in post, no cases, manages SW, NQ, AG, LV, FS
      SW  social worker 1.0 employed  started 26 Feb 2026 (a starter this week)
      NQ  NQSW          0.6 employed  ASYE from 1 Oct 2025 (protected)
      AG  social worker 0.5 agency
      LV  social worker 0.8 employed  left 27 Feb 2026 (a leaver this week and in 12 months)
      OLD social worker 1.0 employed  left 30 Jun 2024 (outside the 12 months)
      FS  social worker 1.0 employed  starts 1 Apr 2026 (not in post yet)
      HOS head of service, no team (outside team figures); ADM admin, no team
    Cases of Assessment:
      A1 CP  SW  open             A2 CIN SW  open          A3 LAC NQ  open
      A4 CP  AG  open             A5 CIN SW  16 Jan-1 Feb 2026 (closed, but new in 12 weeks)
      A6 CIN LV  open (the leaver's: unallocated), started 2 Jun 2025
      A7 EH  nobody, open, started 3 Nov 2025 (unallocated)
      A8 CIN SW  ends 2 Mar 2026 (closed on the day: not open)
      A9 CIN NQ  started 27 Feb 2026 (new this week)
      A10 CIN SW starts 10 Mar 2026 (not open, not new)
    """
    safeguarding, early_help = Service(name="Safeguarding"), Service(name="Early Help")
    session.add_all([safeguarding, early_help])
    session.flush()
    assessment = Team(name="Assessment", service_id=safeguarding.id, establishment_fte=3.0)
    in_care = Team(name="Children in Care", service_id=safeguarding.id, establishment_fte=2.0)
    eh_north = Team(name="EH North", service_id=early_help.id, establishment_fte=4.0)
    session.add_all([assessment, in_care, eh_north])
    session.flush()

    hos = _staff(session, "HOS", "head_of_service", None, 1.0, service=safeguarding)
    _staff(session, "ADM", "admin", None, 1.0)
    tm = _staff(session, "TM", "team_manager", assessment, 1.0, manager=hos)
    assessment.manager_id = tm.id
    sw = _staff(session, "SW", "social_worker", assessment, 1.0, start=date(2026, 2, 26),
                manager=tm)
    nq = _staff(session, "NQ", "nqsw", assessment, 0.6, start=date(2025, 10, 1), manager=tm,
                asye_start=date(2025, 10, 1))
    ag = _staff(session, "AG", "social_worker", assessment, 0.5, agency=True, manager=tm)
    lv = _staff(session, "LV", "social_worker", assessment, 0.8, end=date(2026, 2, 27), manager=tm)
    _staff(session, "OLD", "social_worker", assessment, 1.0, end=date(2024, 6, 30), manager=tm)
    _staff(session, "FS", "social_worker", assessment, 1.0, start=date(2026, 4, 1), manager=tm)

    _case(session, "A1", "CP", assessment, sw, start=date(2025, 12, 15))
    _case(session, "A2", "CIN", assessment, sw, start=date(2025, 11, 10))
    _case(session, "A3", "LAC", assessment, nq, start=date(2025, 10, 20))
    _case(session, "A4", "CP", assessment, ag, start=date(2025, 9, 1))
    _case(session, "A5", "CIN", assessment, sw, start=date(2026, 1, 16), end=date(2026, 2, 1))
    _case(session, "A6", "CIN", assessment, lv, start=date(2025, 6, 2))
    _case(session, "A7", "EH", assessment, None, start=date(2025, 11, 3))
    _case(session, "A8", "CIN", assessment, sw, start=date(2025, 7, 1), end=AS_OF)
    _case(session, "A9", "CIN", assessment, nq, start=date(2026, 2, 27))
    _case(session, "A10", "CIN", assessment, sw, start=date(2026, 3, 10))

    # Children in Care: one 1.0 FTE worker holding one case, establishment 2.0.
    cc = _staff(session, "CC", "senior_practitioner", in_care, 1.0, manager=hos)
    _case(session, "C1", "LAC", in_care, cc, start=date(2024, 5, 1))
    # Early Help, another service: must not appear in Safeguarding's figures.
    eh = _staff(session, "EH1", "practitioner", eh_north, 1.0)
    _case(session, "E1", "EH", eh_north, eh, start=date(2026, 2, 25))
    session.commit()
    return {"safeguarding": safeguarding.id, "early_help": early_help.id,
            "assessment": assessment.id, "in_care": in_care.id, "eh_north": eh_north.id}


def test_team_staffing_figures_follow_the_census_definitions(session, settings) -> None:
    ids = build_council(session)
    figures = staffing_figures(session, as_of=AS_OF, settings=settings, team_id=ids["assessment"])

    assert figures.scope == "Assessment"
    assert figures.as_of == AS_OF
    # Employed in post: TM 1.0 + SW 1.0 + NQ 0.6 = 2.6 FTE, 3 people (AG is agency, LV and OLD
    # have left, FS has not started, HOS and ADM are outside the workforce).
    assert figures.headcount == 3
    assert figures.fte_in_post == pytest.approx(2.6)
    # Vacant = establishment 3.0 - 2.6 = 0.4; vacancy rate = 0.4 / (0.4 + 2.6) = 13.33 %.
    assert figures.establishment_fte == pytest.approx(3.0)
    assert figures.vacant_fte == pytest.approx(0.4)
    assert figures.vacancy_rate_pct == pytest.approx(100 * 0.4 / 3.0)
    # Agency rate = 0.5 / (0.5 + 2.6) = 16.13 %.
    assert figures.agency_fte == pytest.approx(0.5)
    assert figures.agency_rate_pct == pytest.approx(100 * 0.5 / 3.1)
    # Turnover = leavers in (2 Mar 2025, 2 Mar 2026]: LV 0.8 (OLD left in 2024) / 2.6 = 30.77 %.
    assert figures.leavers_12m_fte == pytest.approx(0.8)
    assert figures.turnover_12m_pct == pytest.approx(100 * 0.8 / 2.6)
    # This week: SW started (26 Feb), LV left (27 Feb).
    assert figures.starters_week == 1
    assert figures.leavers_week == 1
    # Open on 2 March: A1, A2, A3, A4, A6, A7, A9 = 7 (A5 and A8 closed, A10 not started).
    assert figures.open_cases == 7
    # Held by workers in post: SW 2 (A1, A2), NQ 2 (A3, A9), AG 1 (A4) = 5 cases, 3 holders,
    # 1.0 + 0.6 + 0.5 = 2.1 FTE; caseload per FTE = 5 / 2.1 = 2.38. The leaver's A6 and the
    # closed A5 and A8 are not anyone's caseload.
    assert figures.case_holders == 3
    assert figures.case_holder_fte == pytest.approx(2.1)
    assert figures.caseload_per_fte == pytest.approx(5 / 2.1)
    # Unallocated: A6 (its worker has left) and A7 (nobody); the oldest is A6, started 2 June
    # 2025, 273 days before 2 March 2026.
    assert figures.unallocated_cases == 2
    assert figures.oldest_unallocated == ("A6", 273)
    # New: A9 this week; A1 (15 Dec), A5 (16 Jan) and A9 in the 12 weeks from 8 Dec = 3 / 12.
    assert figures.new_cases_week == 1
    assert figures.new_cases_12w_weekly_avg == pytest.approx(0.25)
    assert figures.nqsws == 1
    # Nobody over the default span (8) or cap (18 per FTE; NQ's protected cap is 9.72).
    assert figures.managers_over_span == ()
    assert figures.workers_over_cap == ()


def test_workers_over_cap_use_the_nqsw_protected_cap_and_managers_over_span(
    session, settings
) -> None:
    ids = build_council(session)
    tight = replace(settings, caseload_cap_per_fte=2.0, span_of_control_max=2)
    figures = staffing_figures(session, as_of=AS_OF, settings=tight, team_id=ids["assessment"])
    # Caps at 2 per FTE: SW 2.0 (holds 2: at cap, not over), AG 1.0 (holds 1), NQ in the
    # protected year 2 x 0.6 x 0.9 = 1.08 (holds 2: over).
    assert figures.workers_over_cap == (("NQ", "Worker NQ", 2, 1.08),)
    # TM's direct reports in post: SW, NQ, AG = 3 > 2 (LV and OLD left, FS not started).
    assert figures.managers_over_span == (("TM", "Worker TM", 3),)


def test_service_figures_add_up_their_teams_and_no_other_service(session, settings) -> None:
    ids = build_council(session)
    tight = replace(settings, span_of_control_max=2)
    figures = staffing_figures(session, as_of=AS_OF, settings=tight,
                               service_id=ids["safeguarding"])
    assert figures.scope == "Safeguarding"
    # Assessment + Children in Care: establishment 3.0 + 2.0; in post 2.6 + 1.0 = 3.6.
    assert figures.establishment_fte == pytest.approx(5.0)
    assert figures.fte_in_post == pytest.approx(3.6)
    assert figures.headcount == 4
    assert figures.vacant_fte == pytest.approx(1.4)
    assert figures.vacancy_rate_pct == pytest.approx(100 * 1.4 / 5.0)
    assert figures.open_cases == 8
    # 5 + 1 = 6 cases held by 4 workers of 2.1 + 1.0 = 3.1 FTE.
    assert figures.case_holders == 4
    assert figures.caseload_per_fte == pytest.approx(6 / 3.1)
    assert figures.unallocated_cases == 2
    assert figures.oldest_unallocated == ("A6", 273)
    assert figures.new_cases_week == 1  # E1 is Early Help's
    # The head of service (no team) manages TM and CC: 2 is not over 2. TM's 3 are.
    assert figures.managers_over_span == (("TM", "Worker TM", 3),)


def test_all_services_figures_cover_every_team(session, settings) -> None:
    build_council(session)
    figures = staffing_figures(session, as_of=AS_OF, settings=settings)
    assert figures.scope == "All services"
    assert figures.establishment_fte == pytest.approx(9.0)
    assert figures.fte_in_post == pytest.approx(4.6)
    assert figures.open_cases == 9
    assert figures.new_cases_week == 2


def test_staffing_by_team_gives_one_row_per_team_in_scope(session, settings) -> None:
    ids = build_council(session)
    rows = staffing_by_team(session, as_of=AS_OF, settings=settings,
                            service_id=ids["safeguarding"])
    assert [row.scope for row in rows] == ["Assessment", "Children in Care"]
    assessment, in_care = rows
    assert assessment == staffing_figures(session, as_of=AS_OF, settings=settings,
                                          team_id=ids["assessment"])
    # Children in Care: 1.0 in post against 2.0; vacancy 1.0 / 2.0 = 50 %; 1 case per 1.0 FTE.
    assert in_care.fte_in_post == pytest.approx(1.0)
    assert in_care.vacancy_rate_pct == pytest.approx(50.0)
    assert in_care.agency_rate_pct == pytest.approx(0.0)
    assert in_care.turnover_12m_pct == pytest.approx(0.0)
    assert in_care.caseload_per_fte == pytest.approx(1.0)
    assert in_care.oldest_unallocated is None
    everyone = staffing_by_team(session, as_of=AS_OF, settings=settings)
    assert [row.scope for row in everyone] == ["Assessment", "Children in Care", "EH North"]


def test_a_service_total_and_its_teams_come_from_one_set_of_statements(
    engine, session, settings
) -> None:
    ids = build_council(session)
    separately = (
        staffing_figures(session, as_of=AS_OF, settings=settings, service_id=ids["safeguarding"]),
        staffing_by_team(session, as_of=AS_OF, settings=settings, service_id=ids["safeguarding"]),
    )
    assert staffing_total_and_teams(session, as_of=AS_OF, settings=settings,
                                    service_id=ids["safeguarding"]) == separately
    together = _statements(engine, lambda: staffing_total_and_teams(
        session, as_of=AS_OF, settings=settings, service_id=ids["safeguarding"]))
    alone = _statements(engine, lambda: staffing_figures(
        session, as_of=AS_OF, settings=settings, service_id=ids["safeguarding"]))
    assert together == alone


def test_empty_scope_has_no_rates(session, settings) -> None:
    ids = build_council(session)
    session.add(Team(name="Empty", service_id=ids["early_help"], establishment_fte=0.0))
    session.commit()
    empty = [row for row in staffing_by_team(session, as_of=AS_OF, settings=settings)
             if row.scope == "Empty"][0]
    assert empty.headcount == 0 and empty.open_cases == 0
    assert empty.vacancy_rate_pct is None
    assert empty.agency_rate_pct is None
    assert empty.turnover_12m_pct is None
    assert empty.caseload_per_fte is None


def test_unknown_team_or_service_is_refused(session, settings) -> None:
    ids = build_council(session)
    with pytest.raises(LookupError):
        staffing_figures(session, as_of=AS_OF, settings=settings, team_id=9999)
    with pytest.raises(LookupError):
        staffing_figures(session, as_of=AS_OF, settings=settings, service_id=9999)
    with pytest.raises(LookupError):  # a team of another service
        staffing_figures(session, as_of=AS_OF, settings=settings,
                         service_id=ids["early_help"], team_id=ids["assessment"])


def _statements(engine, run) -> int:  # type: ignore[no-untyped-def]
    with statements_sent(engine) as statements:
        run()
    return len(statements)


def test_statement_count_is_constant_whatever_the_data_or_number_of_teams(
    engine, session, settings
) -> None:
    ids = build_council(session)

    def figures() -> None:
        staffing_figures(session, as_of=AS_OF, settings=settings, service_id=ids["safeguarding"])

    def by_team() -> None:
        staffing_by_team(session, as_of=AS_OF, settings=settings)

    small = (_statements(engine, figures), _statements(engine, by_team))
    assert max(small) <= 10

    service = session.get(Service, ids["safeguarding"])
    for number in range(12):
        team = Team(name=f"Extra {number}", service_id=service.id, establishment_fte=5.0)
        session.add(team)
        session.flush()
        for worker_number in range(5):
            worker = _staff(session, f"X{number}-{worker_number}", "social_worker", team, 1.0,
                            asye_start=date(2025, 6, 1) if worker_number == 0 else None)
            for case_number in range(4):
                _case(session, f"X{number}-{worker_number}-{case_number}", "CIN", team, worker,
                      start=date(2025, 12, 1))
    session.commit()
    assert (_statements(engine, figures), _statements(engine, by_team)) == small
