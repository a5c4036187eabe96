"""The digests' figures against `digest_council` (tests/builders.py), worked out by hand (SPEC
sections 4 and 7).

Every expected number has its arithmetic beside it, by the DfE census definitions.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session

from jobs.digests import (
    build_actions_digest,
    build_digest,
    build_digests,
    build_staffing_digest,
    build_staffing_digests,
    build_supervision_digest,
    iso_period,
)
from tests.builders import COUNCIL_DAY as AS_OF, COUNCIL_WEEK as PERIOD, add_digest_workers
from tests.database import statements_sent


def test_period_is_the_iso_week_of_the_digest_date() -> None:
    assert iso_period(AS_OF) == PERIOD == "2026-W48"
    assert iso_period(AS_OF.replace(day=29)) == "2026-W48"  # Sunday 29 November, same week
    assert iso_period(AS_OF.replace(year=2027, month=1, day=1)) == "2026-W53"


def test_staffing_headcount_fte_and_vacancy_follow_the_census(session, council, settings) -> None:
    digest = build_staffing_digest(session, council["sg"], AS_OF, settings)
    total = digest.total
    # Employed, in post on 23 Nov: North TM1, SW1, SW2 (0.5), NQ1, ST1; East TM2, SW3.
    # (AG1 is agency; LV1 left on 20 Nov; heads of service are outside the team figures.)
    assert total.headcount == 7
    assert total.fte_in_post == pytest.approx(1 + 1 + 0.5 + 1 + 1 + 1 + 1)  # 6.5
    assert total.establishment_fte == pytest.approx(5.0 + 3.0)
    # Vacant FTE = establishment − FTE in post = 8.0 − 6.5 = 1.5
    # Vacancy rate = vacant ÷ (vacant + in post) = 1.5 ÷ 8.0 = 18.75 %
    assert total.vacant_fte == pytest.approx(1.5)
    assert total.vacancy_rate_pct == pytest.approx(18.75)
    north, east = digest.teams
    assert (north.scope, east.scope) == ("Assessment North", "Child Protection East")
    assert north.vacancy_rate_pct == pytest.approx(0.5 / 5.0 * 100)  # (5.0 − 4.5) ÷ 5.0
    assert east.vacancy_rate_pct == pytest.approx(1.0 / 3.0 * 100)  # (3.0 − 2.0) ÷ 3.0


def test_staffing_agency_rate_and_turnover(session, council, settings) -> None:
    total = build_staffing_digest(session, council["sg"], AS_OF, settings).total
    # Agency rate = agency FTE ÷ (agency FTE + employed FTE) = 1.0 ÷ (1.0 + 6.5) = 13.33 %
    assert total.agency_fte == pytest.approx(1.0)
    assert total.agency_rate_pct == pytest.approx(100 / 7.5)
    # Turnover = FTE of employed leavers in the 12 months ÷ FTE in post at the end
    #          = (LV1 0.8 + LV2 1.0) ÷ 6.5 = 27.69 %
    assert total.leavers_12m_fte == pytest.approx(1.8)
    assert total.turnover_12m_pct == pytest.approx(1.8 / 6.5 * 100)
    # This week (17–23 Nov): ST1 started on 18 Nov; LV1 left on 20 Nov.
    assert (total.starters_week, total.leavers_week) == (1, 1)


def test_staffing_caseload_per_fte_and_workers_over_cap(session, council, settings) -> None:
    digest = build_staffing_digest(session, council["sg"], AS_OF, settings)
    north, east = digest.teams
    # North: cases held as lead by workers in post ÷ FTE of those holding one:
    #   SW1 20 + SW2 6 + AG1 10 + NQ1 17 = 53 cases over 1.0 + 0.5 + 1.0 + 1.0 = 3.5 FTE
    #   (U2 is LV1's, who has left: unallocated, not caseload; ST1 and TM1 hold none.)
    assert north.caseload_per_fte == pytest.approx(53 / 3.5)  # 15.14
    assert east.caseload_per_fte == pytest.approx(12 / 1.0)
    assert digest.total.caseload_per_fte == pytest.approx((53 + 12) / (3.5 + 1.0))  # 14.44
    # Over cap: SW1 20 > 18 (1.0 FTE); NQ1 17 > 16.2 (90 % of 18, the protected cap).
    over = {(staff_id, cases, round(cap, 1)) for staff_id, _n, cases, cap in north.workers_over_cap}
    assert over == {("SW1", 20, 18.0), ("NQ1", 17, 16.2)}
    assert len(digest.total.workers_over_cap) == 2
    assert digest.cap_per_fte == 18
    assert digest.england.caseload_per_fte == settings.england_caseload_per_fte


def test_staffing_demand_and_unallocated(session, council, settings) -> None:
    total = build_staffing_digest(session, council["sg"], AS_OF, settings).total
    # New this week (started 17–23 Nov): SW1N-00 and SW1N-01, both on 20 Nov.
    assert total.new_cases_week == 2
    # Started in the 12 weeks (1 Sep – 23 Nov), closed since or not: U1 (1 Oct), U2 (10 Nov),
    # SW1N-00, SW1N-01 (20 Nov) and C1 (10 Sep, closed 10 Oct) = 5; the average week 5 ÷ 12.
    assert total.new_cases_12w_weekly_avg == pytest.approx(5 / 12)
    # Unallocated: U1 (no lead) and U2 (its lead LV1 has left). Oldest U1: 1 Oct → 23 Nov =
    # 30 days of October after the 1st + 23 = 53 days.
    assert total.unallocated_cases == 2
    assert total.oldest_unallocated == ("U1-00", 53)


def test_staffing_nqsw_breaches_and_span_of_control(session, council, settings) -> None:
    digest = build_staffing_digest(session, council["sg"], AS_OF, settings)
    assert digest.total.nqsws == 1
    (nq1,) = digest.nqsws
    assert (nq1.staff_id, nq1.month, nq1.open_cases, nq1.protected_cap) == ("NQ1", 3, 17, 16.2)
    assert "caseload 17 over protected cap 16.2" in nq1.breaches
    assert "lead on 1 CP case" in nq1.breaches
    assert digest.nqsw_breaches == (nq1,)
    # TM1 manages SW1, SW2, AG1, NQ1, ST1 in post (LV1 has left) = 5: within the default 8 …
    assert digest.total.managers_over_span == ()
    # … and over a span of 4.
    tight = build_staffing_digest(session, council["sg"], AS_OF,
                                  replace(settings, span_of_control_max=4))
    assert tight.total.managers_over_span == (("TM1", "Tm1 Person", 5),)


def test_supervision_on_time_by_team_and_overdue_with_days(session, council, settings) -> None:
    digest = build_supervision_digest(session, council["sg"], AS_OF, settings)
    north, east = digest.teams
    # North: TM1 (1 Nov → due 29 Nov), SW2 (10 Nov), NQ1 (16 Nov, fortnightly → 30 Nov) and
    # ST1 (started 18 Nov → first due 16 Dec) are on time; SW1 and AG1 are not: 4 of 6.
    assert (north.team, north.people, north.on_time) == ("Assessment North", 6, 4)
    assert (east.people, east.on_time) == (2, 1)  # TM2 on time, SW3 not
    assert digest.total.on_time_pct == pytest.approx(5 / 8 * 100)
    # Days overdue: SW3 30 Sep + 28 = 28 Oct → 26 days; SW1 1 Oct + 28 = 29 Oct → 25;
    # AG1 20 Oct + 28 = 17 Nov → 6. Most overdue first.
    assert [(row.staff_id, row.days_overdue) for row in digest.overdue] == [
        ("SW3", 26), ("SW1", 25), ("AG1", 6)]
    # NQSW frequency: NQ1 is in month 3 (past 6 weeks): fortnightly, and on time.
    assert [(row.staff_id, row.frequency, row.days_overdue) for row in digest.nqsws] == [
        ("NQ1", "fortnightly", 0)]
    assert (digest.total.nqsws, digest.total.nqsws_on_time) == (1, 1)


def test_actions_overdue_due_soon_and_completed_this_week(session, council, settings) -> None:
    digest = build_actions_digest(session, council["sg"], AS_OF, settings)
    # Outstanding actions of Safeguarding's staff (A7 belongs to Children in Care): A1–A4.
    assert digest.outstanding == 4
    assert [(row.ref, row.days_overdue) for row in digest.overdue] == [("A1", 22)]  # 1 → 23 Nov
    # Due within 14 days (by 7 Dec): A2 (30 Nov, owned by the head of service) and A3 (7 Dec);
    # A4 (8 Dec) is not.
    assert [row.ref for row in digest.due_soon] == ["A2", "A3"]
    # Completed 17–23 Nov: A5 (20 Nov); A6 (16 Nov) was last week.
    assert [done.ref for done in digest.completed] == ["A5"]
    assert digest.due_soon_days == settings.actions_due_soon_days == 14


def test_digests_are_scoped_to_their_service(session, council, settings) -> None:
    digest = build_staffing_digest(session, council["cic"], AS_OF, settings)
    assert [team.scope for team in digest.teams] == ["Care 1"]
    assert digest.total.caseload_per_fte == pytest.approx(15.0)
    actions = build_actions_digest(session, council["cic"], AS_OF, settings)
    assert [row.ref for row in actions.overdue] == ["A7"]


@pytest.mark.parametrize("kind", ["staffing", "supervision", "actions"])
def test_sql_statements_per_digest_do_not_grow_with_the_workforce(
    engine, council, settings, kind: str
) -> None:
    def statements() -> int:
        with Session(engine) as session:
            service = session.get(type(council["sg"]), council["sg"].id)  # type: ignore[attr-defined]
            with statements_sent(engine) as executed:
                build_digest(session, kind, service, AS_OF, settings)
        return len(executed)

    small = statements()
    with Session(engine, expire_on_commit=False) as session:
        add_digest_workers(session, council["north"], council["sg"], 40)  # type: ignore[arg-type]
    assert statements() == small
    # 12 for the figures and the agency-rule count, and 1 for the freshness of the data (when
    # it was last imported), which every digest now ends with.
    assert small <= 13


def test_every_services_staffing_digest_from_one_pass_is_each_built_alone(
    session, council, settings
) -> None:
    services = [council["sg"], council["cic"]]
    at_once = build_staffing_digests(session, services, AS_OF, settings)
    assert at_once == {service.id: build_staffing_digest(session, service, AS_OF, settings)
                       for service in services}
    assert [line.staff_id for line in at_once[council["sg"].id].nqsws] == ["NQ1"]


def test_the_staffing_digests_cost_one_services_statements_whatever_the_services(
    engine, council, settings
) -> None:
    def statements(services: list) -> int:  # type: ignore[type-arg]
        with Session(engine) as session, statements_sent(engine) as executed:
            build_digests(session, "staffing", services, AS_OF, settings)
        return len(executed)

    assert statements([council["sg"], council["cic"]]) == statements([council["sg"]])


def test_a_failed_one_pass_falls_back_to_one_service_at_a_time(
    session, council, settings, monkeypatch
) -> None:
    import jobs.digests

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("one pass failed")

    monkeypatch.setattr(jobs.digests, "staffing_by_service", broken)
    built = build_digests(session, "staffing", [council["sg"], council["cic"]], AS_OF, settings)
    assert built[council["sg"].id].total == build_staffing_digest(  # type: ignore[union-attr]
        session, council["sg"], AS_OF, settings).total
    assert not any(isinstance(digest, Exception) for digest in built.values())
