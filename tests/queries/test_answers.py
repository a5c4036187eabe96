"""SPEC sections 2 and 3 through the query layer: what each role sees, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from config import Settings
from models import Action, ActionUpdate, AuditEntry, Supervision
from queries.access import Identity
from queries.answer import ask
from queries.results import (
    ActionChanged,
    ActionList,
    CapacityList,
    CaseList,
    CaseloadTable,
    HelpAnswer,
    Invalid,
    ProtectionAnswer,
    Refusal,
    SupervisionList,
    SupervisionLogged,
)
from tests.builders import COUNCIL_DAY as TODAY


def answer_for(engine, who: str, text: str, settings: Settings | None = None, front_end="cli"):
    return ask(engine, Identity(front_end, staff_id=who), text, today=TODAY,
               settings=settings or Settings()).answer


def audit_rows(engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)).all())


# --- caseload ---------------------------------------------------------------------------------

def test_manager_caseload_is_the_team_table_with_totals_and_unallocated(engine, council) -> None:
    table = answer_for(engine, "TM1", "/caseload")
    assert isinstance(table, CaseloadTable)
    by_id = {row.staff_id: row for row in table.rows}
    assert set(by_id) == {"SW1", "NQ1", "SW2"}  # the leaver and other teams are not listed
    assert (by_id["SW1"].cp, by_id["SW1"].cin, by_id["SW1"].lac) == (6, 4, 2)
    assert table.total_cases == 12 + 4 + 11
    assert table.unallocated == 1


def test_a_06_fte_worker_is_over_a_cap_of_10_8(engine, council) -> None:
    table = answer_for(engine, "TM1", "/caseload team Assessment North")
    priya = next(row for row in table.rows if row.staff_id == "SW2")
    assert priya.cap == pytest.approx(10.8)
    assert priya.total == 11 and priya.over_cap and "over cap" in priya.flags
    assert table.rows[0].staff_id == "SW2"  # heaviest load first


def test_nqsw_cap_is_90_percent_of_their_fte_cap(engine, council) -> None:
    table = answer_for(engine, "TM1", "/caseload")
    nia = next(row for row in table.rows if row.staff_id == "NQ1")
    assert nia.cap == pytest.approx(18 * 0.6 * 0.9)
    assert nia.is_nqsw and "NQSW" in nia.flags


def test_flags_show_overdue_visit_review_and_supervision(engine, council) -> None:
    table = answer_for(engine, "TM1", "/caseload")
    sam = next(row for row in table.rows if row.staff_id == "SW1")
    assert sam.overdue_visits == 1 and sam.overdue_reviews == 1
    assert sam.supervision_overdue_days == 40 - 28


def test_cap_is_configurable(engine, council) -> None:
    table = answer_for(engine, "TM1", "/caseload", Settings(caseload_cap_per_fte=10))
    sam = next(row for row in table.rows if row.staff_id == "SW1")
    assert sam.cap == 10 and sam.over_cap


def test_practitioner_gets_their_own_cases_only(engine, council) -> None:
    cases = answer_for(engine, "NQ1", "/caseload")
    assert isinstance(cases, CaseList)
    assert {case.case_ref for case in cases.cases} == {"CR-N00", "CR-N01", "CR-N02", "CR-N03",
                                                       "CR-CO1"}


def test_closed_cases_and_leavers_cases_are_not_counted(engine, council) -> None:
    cases = answer_for(engine, "SW1", "/caseload")
    refs = {case.case_ref for case in cases.cases}
    assert "CR-C01" not in refs  # closed in March
    table = answer_for(engine, "HS1", "/caseload team Assessment North")
    assert all(row.staff_id != "SW9" for row in table.rows)
    assert "CR-L01" not in {c.case_ref for c in answer_for(engine, "TM1", "/caseload overdue").cases}


def test_unallocated_lists_open_cases_without_a_lead(engine, council) -> None:
    cases = answer_for(engine, "TM1", "/caseload unallocated")
    assert [case.case_ref for case in cases.cases] == ["CR-U01"]
    assert cases.cases[0].lead is None


def test_overdue_lists_visits_and_reviews_most_overdue_first(engine, council) -> None:
    cases = answer_for(engine, "TM1", "/caseload overdue")
    assert [case.case_ref for case in cases.cases] == ["CR-S00", "CR-S01"]
    assert cases.cases[0].visit_days_overdue > cases.cases[1].review_days_overdue


def test_capacity_for_cp_never_offers_an_nqsw(engine, council) -> None:
    capacity = answer_for(engine, "TM1", "/caseload capacity cp")
    assert isinstance(capacity, CapacityList)
    assert [row.staff_id for row in capacity.rows] == ["SW1"]  # Priya is over cap, Nia is an NQSW
    cin = answer_for(engine, "TM1", "/caseload capacity cin")
    assert [row.staff_id for row in cin.rows] == ["SW1", "NQ1"]  # most headroom first


# --- access -----------------------------------------------------------------------------------

def test_practitioner_is_refused_another_persons_caseload(engine, council) -> None:
    refusal = answer_for(engine, "SW1", "/caseload @SW2")
    assert isinstance(refusal, Refusal) and "not found or not yours to see" in refusal.reason
    assert "Priya" not in refusal.reason + refusal.hint  # SW2 is not named


def test_practitioner_is_refused_team_questions(engine, council) -> None:
    for text in ("/caseload team Assessment North", "/caseload unallocated",
                 "/caseload capacity", "/protected team"):
        assert isinstance(answer_for(engine, "SW1", text), Refusal), text


def test_manager_is_refused_another_teams_data(engine, council) -> None:
    assert isinstance(answer_for(engine, "TM1", "/caseload team Child Protection East"), Refusal)
    assert isinstance(answer_for(engine, "TM1", "/caseload @SW3"), Refusal)
    assert isinstance(answer_for(engine, "TM1", "/protected @SW3"), Refusal)


def test_head_of_service_sees_every_team_in_their_service_only(engine, council) -> None:
    table = answer_for(engine, "HS1", "/caseload")
    assert {row.team for row in table.rows} == {"Assessment North", "Child Protection East"}
    refusal = answer_for(engine, "HS1", "/caseload team Children in Care 1")
    assert isinstance(refusal, Refusal)


def test_admin_sees_everything(engine, council) -> None:
    table = answer_for(engine, "AD1", "/caseload")
    assert {row.team for row in table.rows} == {"Assessment North", "Child Protection East",
                                                "Children in Care 1"}
    assert isinstance(answer_for(engine, "AD1", "/caseload @SW4"), CaseList)


def test_unknown_user_is_refused_politely_and_audited(engine, council) -> None:
    refusal = answer_for(engine, "NOBODY", "/caseload")
    assert isinstance(refusal, Refusal) and "don't know who you are" in refusal.reason
    entry = audit_rows(engine)[-1]
    assert (entry.actor, entry.outcome) == ("NOBODY", "refused")


def test_a_leaver_is_no_longer_recognised(engine, council) -> None:
    assert isinstance(answer_for(engine, "SW9", "/caseload"), Refusal)


def test_users_are_matched_by_slack_id_or_email(engine, council) -> None:
    by_slack = ask(engine, Identity("slack", slack_user_id="USW1"), "/caseload", today=TODAY,
                   settings=Settings()).asker
    by_email = ask(engine, Identity("teams", email="SAM@council.gov.uk"), "/caseload",
                   today=TODAY, settings=Settings()).asker
    assert by_slack.staff_id == by_email.staff_id == "SW1"


# --- protection -------------------------------------------------------------------------------

def test_nqsw_sees_their_protected_year(engine, council) -> None:
    status = answer_for(engine, "NQ1", "/protected").statuses[0]
    assert status.in_protected_year and status.month == 4 - 1
    assert status.protection_end == date(2027, 8, 24)
    assert status.cp_lead_cases == ("CR-N03",) and status.cp_co_worked == 1
    assert status.supervision_frequency == "fortnightly"
    assert status.next_review == (3, date(2026, 11, 24))
    assert "lead on 1 CP case" in status.breaches


def test_a_qualified_worker_is_told_they_are_not_in_a_protected_year(engine, council) -> None:
    answer = answer_for(engine, "SW1", "/protected")
    assert isinstance(answer, ProtectionAnswer)
    assert not answer.statuses[0].in_protected_year and not answer.statuses[0].breaches


def test_protected_team_lists_breaches_first(engine, council) -> None:
    answer = answer_for(engine, "HS1", "/protected team")
    assert [status.staff_id for status in answer.statuses] == ["NQ1"]
    assert answer.statuses[0].breaches


# --- actions ----------------------------------------------------------------------------------

def test_actions_are_scoped_and_overdue_first(engine, council) -> None:
    head = answer_for(engine, "HS1", "/actions")
    assert isinstance(head, ActionList)
    assert [row.ref for row in head.rows] == ["1.1", "3.1", "1.2"]  # not 2.1: other service
    assert head.rows[0].days_overdue == 22
    assert [row.ref for row in answer_for(engine, "SW1", "/actions").rows] == ["3.1"]
    assert [row.ref for row in answer_for(engine, "AD1", "/actions overdue").rows] == ["2.1", "1.1"]


def test_actions_plan_filters_and_unknown_plan_is_refused(engine, council) -> None:
    assert len(answer_for(engine, "AD1", "/actions plan ofsted ilacs 2025").rows) == 4
    refusal = answer_for(engine, "AD1", "/actions plan Nonesuch")
    assert isinstance(refusal, Refusal) and "Ofsted ILACS 2025" in refusal.hint


def test_marking_done_records_who_when_and_evidence(engine, council) -> None:
    changed = answer_for(engine, "TM1", "/actions done 1.1 Audit report November 2026")
    assert isinstance(changed, ActionChanged) and changed.by == "Tess Manager"
    with Session(engine) as session:
        action = session.exec(select(Action).where(Action.ref == "1.1")).one()
        assert (action.status, action.completed_date) == ("done", TODAY)
        assert action.evidence == "Audit report November 2026"
        assert action.completed_by_id == council["tm1"].id
        assert session.exec(select(ActionUpdate)).one().kind == "done"
    assert audit_rows(engine)[-1].outcome == "changed"


def test_only_owner_or_their_manager_may_update_an_action(engine, council) -> None:
    assert isinstance(answer_for(engine, "SW2", "/actions update 3.1 nudging"), Refusal)
    assert isinstance(answer_for(engine, "TM2", "/actions done 1.1 not mine"), Refusal)
    assert isinstance(answer_for(engine, "TM1", "/actions update 3.1 chased Sam"), ActionChanged)


def test_unknown_action_reference_is_refused_with_a_hint(engine, council) -> None:
    refusal = answer_for(engine, "TM1", "/actions done 9.9 done it")
    assert isinstance(refusal, Refusal) and "/actions" in refusal.hint


# --- supervision ------------------------------------------------------------------------------

def test_manager_sees_team_supervision_most_overdue_first(engine, council) -> None:
    answer = answer_for(engine, "TM1", "/supervision")
    assert isinstance(answer, SupervisionList)
    assert answer.rows[0].staff_id == "SW1" and answer.rows[0].days_overdue == 12
    assert {row.staff_id for row in answer.rows} == {"SW1", "NQ1", "SW2"}


def test_manager_logs_supervision_and_the_next_date_moves(engine, council) -> None:
    logged = answer_for(engine, "TM1", "/supervision log SW1 20/11/2026")
    assert isinstance(logged, SupervisionLogged) and logged.next_due == date(2026, 12, 18)
    answer_for(engine, "TM1", "/supervision log SW1 2026-11-20")  # the same date twice: once
    with Session(engine) as session:
        assert len(session.exec(select(Supervision).where(
            Supervision.staff_id == council["sw1"].id)).all()) == 2


def test_only_their_manager_may_log_supervision(engine, council) -> None:
    assert isinstance(answer_for(engine, "TM2", "/supervision log SW1 2026-11-20"), Refusal)
    assert isinstance(answer_for(engine, "SW2", "/supervision log SW1 2026-11-20"), Refusal)
    assert isinstance(answer_for(engine, "SW1", "/supervision log SW1 2026-11-20"), Refusal)


def test_supervision_in_the_future_is_refused(engine, council) -> None:
    refusal = answer_for(engine, "TM1", "/supervision log SW1 2026-12-25")
    assert isinstance(refusal, Refusal) and "future" in refusal.reason


# --- parse errors, help and the audit log -----------------------------------------------------

def test_unparseable_input_says_what_was_wrong_and_the_right_form(engine, council) -> None:
    invalid = answer_for(engine, "TM1", "/caseload frobnicate!")
    assert isinstance(invalid, Invalid)
    assert "frobnicate" in invalid.message and "/caseload team NAME" in invalid.usage


def test_caseload_help_lists_every_command(engine, council) -> None:
    help_answer = answer_for(engine, "SW1", "/caseload help")
    assert isinstance(help_answer, HelpAnswer)
    usages = " ".join(usage for usage, _ in help_answer.lines)
    for verb in ("/caseload", "/protected", "/actions", "/supervision"):
        assert verb in usages


def test_every_answer_and_refusal_is_audited(engine, council) -> None:
    answer_for(engine, "TM1", "/caseload", front_end="slack")
    answer_for(engine, "SW1", "/caseload @SW2", front_end="teams")
    answer_for(engine, "TM1", "/caseload nonsense words!")
    entries = audit_rows(engine)
    assert [(e.front_end, e.actor, e.outcome) for e in entries] == [
        ("slack", "TM1", "answered"), ("teams", "SW1", "refused"), ("cli", "TM1", "invalid")]
    assert entries[0].scope == "caseload:mine" and entries[1].command == "/caseload @SW2"


def test_store_down_gives_try_again_shortly(tmp_path) -> None:
    from models.store import make_engine
    from queries.results import Unavailable

    engine = make_engine(f"sqlite:///{tmp_path}/missing/dir/store.db")
    answer = ask(engine, Identity("cli", staff_id="TM1"), "/caseload", today=TODAY,
                 settings=Settings()).answer
    assert isinstance(answer, Unavailable) and "try again shortly" in answer.message


def test_an_open_case_held_by_a_leaver_counts_as_unallocated(engine, council) -> None:
    from models import Case

    with Session(engine) as session:
        session.add(Case(case_ref="CR-L02", case_type="CIN", team_id=council["north"].id,
                         start_date=date(2026, 1, 5), allocated_worker_id=council["sw9"].id))
        session.commit()
    cases = answer_for(engine, "TM1", "/caseload unallocated")
    assert [case.case_ref for case in cases.cases] == ["CR-L02", "CR-U01"]
    assert answer_for(engine, "TM1", "/caseload").unallocated == 2


def test_a_nul_character_in_a_command_is_answered_and_audited(engine, council) -> None:
    answer = answer_for(engine, "TM1", "/caseload team Assess\x00ment")
    assert isinstance(answer, Refusal)  # no such team: answered, not "try again shortly"
    assert "\ufffd" in audit_rows(engine)[-1].command


def test_a_bug_in_a_query_is_a_plain_message_and_audited(engine, council, monkeypatch) -> None:
    from queries import answer as answer_module
    from queries.results import Unavailable

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(answer_module, "caseload_table", broken)
    assert isinstance(answer_for(engine, "TM1", "/caseload"), Unavailable)
    entry = audit_rows(engine)[-1]
    assert (entry.command, entry.outcome) == ("/caseload", "error")


def test_a_reference_shared_by_two_plans_is_picked_by_plan_written_as_one_word(
        engine, council) -> None:
    from models import Plan

    with Session(engine) as session:
        audit_plan = Plan(name="Case file audit Q3")
        session.add(audit_plan)
        session.flush()
        session.add(Action(plan_id=audit_plan.id, ref="1.1", action="Chronologies up to date",
                           owner_id=council["tm1"].id, due_date=date(2026, 12, 1)))
        session.commit()
    ambiguous = answer_for(engine, "TM1", "/actions done 1.1 done")
    assert isinstance(ambiguous, Refusal) and "more than one of your plans" in ambiguous.reason
    row = next(r for r in answer_for(engine, "TM1", "/actions mine").rows
               if r.plan == "Case file audit Q3")
    assert row.qualified_ref == "Case_file_audit_Q3/1.1"
    changed = answer_for(engine, "TM1", f"/actions done {row.qualified_ref} chronologies checked")
    assert isinstance(changed, ActionChanged) and changed.plan == "Case file audit Q3"
    assert isinstance(answer_for(engine, "TM1", "/actions update OfstedILACS2025/1.1 chased"),
                      ActionChanged)


def test_an_unknown_team_name_lists_the_askers_teams(engine, council) -> None:
    refusal = answer_for(engine, "HS1", "/caseload team Nowhere")
    assert isinstance(refusal, Refusal)
    assert "team 'Nowhere': not found or not yours to see" in refusal.reason
    assert refusal.hint == "Your teams: Assessment North, Child Protection East."
