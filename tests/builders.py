"""The test builder: every council the tests use, and the files the importers read.

`Builder` adds the few rows a test needs straight into the models, with readable defaults.
The councils, each built fresh by the tests that want a whole picture:

- `small_council`: one council with every role in it (chat commands, flags, reports);
- `digest_council`: the weekly digests' council, its figures worked out by hand in the tests
  (`add_digest_workers` adds more of the same), seen from `COUNCIL_DAY`, week `COUNCIL_WEEK`;
- `query_council`: a hand-checkable council for the query and Teams tests, the same day;
- the import council (`TEAMS`, `STAFF`, `CASES`, … as of `IMPORT_DAY`): the same kind of
  council as import rows, loaded through the real importers by `load_council`, or written as a
  nightly extract folder by `extract_folder`.

Case references only — no child is ever named, in tests as in production. Then builders of
import files no well-behaved writer produces: junk CSVs, and hand-made XLSX packages.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from importers import ImportReport, import_file, import_rows
from models import (
    Action, Case, CaseAllocation, ImportRun, Plan, Service, Staff, Supervision, Team,
)


#: "Not given": a builder argument left at its default (where `None` means "none").
DEFAULT: Any = object()


class Builder:
    """Adds rows to a session and flushes, so ids exist at once; the caller commits."""

    def __init__(self, session: Session, today: date) -> None:
        self.session = session
        self.today = today

    def _add(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row

    def service(self, name: str = "Safeguarding") -> Service:
        return self._add(Service(name=name))

    def team(self, name: str, service: Service, manager: Staff | None = None,
             establishment_fte: float = 6.0, **extra: Any) -> Team:
        return self._add(Team(name=name, service_id=service.id,
                              manager_id=manager.id if manager else None,
                              establishment_fte=establishment_fte, **extra))

    def set_manager(self, team: Team, manager: Staff) -> Team:
        team.manager_id = manager.id
        return self._add(team)

    def staff(
        self, staff_id: str, name: str, role: str = "social_worker", *, team: Team | None = None,
        service: Service | None = None, manager: Staff | None = None, fte: float = 1.0,
        start_date: date | None = None, email: str | None = None,
        slack_user_id: str | None = None, teams_user_id: str | None = None,
        asye_start: date | None = None, **extra: Any,
    ) -> Staff:
        return self._add(Staff(
            staff_id=staff_id, name=name, role=role,
            email=email or f"{staff_id.lower()}@council.example",
            team_id=team.id if team else None,
            service_id=service.id if service else (team.service_id if team else None),
            manager_id=manager.id if manager else None,
            fte=fte, start_date=start_date or self.today - timedelta(days=3 * 365),
            slack_user_id=slack_user_id, teams_user_id=teams_user_id, asye_start=asye_start,
            **extra,
        ))

    def case(
        self, case_ref: str, case_type: str, team: Team, worker: Staff | None = None, *,
        co_worker: Staff | None = None, start_date: date | None = None,
        last_visit: date | None = DEFAULT, next_review: date | None = DEFAULT, **extra: Any,
    ) -> Case:
        """Visited 3 days ago and reviewed in 30 unless told; `None` records neither."""
        start = start_date or self.today - timedelta(days=90)
        return self._add(Case(
            case_ref=case_ref, case_type=case_type, team_id=team.id, start_date=start,
            allocated_worker_id=worker.id if worker else None,
            co_worker_id=co_worker.id if co_worker else None,
            last_visit=self.today - timedelta(days=3) if last_visit is DEFAULT else last_visit,
            next_review=self.today + timedelta(days=30) if next_review is DEFAULT
            else next_review,
            **extra,
        ))

    def cases(self, prefix: str, count: int, case_type: str, team: Team,
              worker: Staff | None = None, **extra: Any) -> list[Case]:
        return [self.case(f"{prefix}-{number:03d}", case_type, team, worker, **extra)
                for number in range(1, count + 1)]

    def allocation(self, case: Case, worker: Staff, from_date: date, to_date: date | None = None,
                   role: str = "lead") -> CaseAllocation:
        """One spell of the allocation history (as the cases importer keeps it)."""
        return self._add(CaseAllocation(case_id=case.id, worker_id=worker.id, role=role,
                                        from_date=from_date, to_date=to_date))

    def supervision(self, staff: Staff, on: date, supervisor: Staff | None = None) -> Supervision:
        return self._add(Supervision(staff_id=staff.id, date=on,
                                     supervisor_id=supervisor.id if supervisor else None))

    def plan(self, name: str) -> Plan:
        return self._add(Plan(name=name))

    def action(self, plan: Plan, ref: str, text: str, owner: Staff, due_date: date,
               **extra: Any) -> Action:
        return self._add(Action(plan_id=plan.id, ref=ref, action=text, owner_id=owner.id,
                                due_date=due_date, **extra))

    def import_run(self, kind: str, at: datetime, *, refused: bool = False,
                   actor: str = "job:ingest", **extra: Any) -> ImportRun:
        """A recorded load (answers say how fresh their data is from these)."""
        return self._add(ImportRun(kind=kind, at=at, actor=actor, refused=refused,
                                   source=f"{kind}.csv", **extra))


@dataclass
class Council:
    """The people of `small_council`, by what they are for in a test."""

    today: date
    staff: dict[str, Staff] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)

    def __getitem__(self, staff_id: str) -> Staff:
        return self.staff[staff_id]


def one_worker_council(session: Session, today: date) -> Service:
    """The plainest service: one team, one social worker (SW1), none of the optional columns
    recorded; for checking a new figure stays out of a council that does not record it."""
    build = Builder(session, today)
    service = build.service()
    build.staff("SW1", "Sam Worker", team=build.team("Assessment", service))
    session.commit()
    return service


def small_council(session: Session, today: date) -> Council:
    """Two teams in Safeguarding (North, South), one in Early Help, and every role:

    - HOS1 head of Safeguarding; ADM1 admin; TM1 manages North, TM2 South, TM3 Early Help
    - SW1 (North) over cap with an overdue visit and overdue supervision; SW2 (North) light load
    - NQ1 (North) an NQSW in month 4, lead on a CP case (a breach); SW3 (South); EH1 (Early Help)
    - SW4 (North) has no Slack id: found by the e-mail Slack reports
    - plan "Improvement" (one word, so PLAN/REF works) and "Case file audit Q3"
    """
    build = Builder(session, today)
    council = Council(today=today)
    safeguarding = build.service("Safeguarding")
    early_help = build.service("Early Help")
    north = build.team("Assessment North", safeguarding)
    south = build.team("Assessment South", safeguarding)
    family = build.team("Family Support", early_help)
    council.teams = {"north": north, "south": south, "family": family}

    def person(staff_id: str, name: str, role: str, slack: str | None, **extra: Any) -> Staff:
        council.staff[staff_id] = build.staff(staff_id, name, role, slack_user_id=slack, **extra)
        return council.staff[staff_id]

    hos = person("HOS1", "Helen Head", "head_of_service", "UHOS1", service=safeguarding)
    person("ADM1", "Adam Admin", "admin", "UADM1")
    tm1 = person("TM1", "Tara Manager", "team_manager", "UTM1", team=north, manager=hos)
    tm2 = person("TM2", "Tom Manager", "team_manager", "UTM2", team=south, manager=hos)
    tm3 = person("TM3", "Tess Manager", "team_manager", "UTM3", team=family)
    build.set_manager(north, tm1)
    build.set_manager(south, tm2)
    build.set_manager(family, tm3)
    sw1 = person("SW1", "Sam Worker", "social_worker", "USW1", team=north, manager=tm1)
    sw2 = person("SW2", "Sue Worker", "senior_practitioner", "USW2", team=north, manager=tm1)
    nq1 = person("NQ1", "Nia Newly", "nqsw", "UNQ1", team=north, manager=tm1,
                 asye_start=today - timedelta(days=100), start_date=today - timedelta(days=100),
                 academy_modules_passed=2, academy_modules_required=6)
    sw3 = person("SW3", "Sid Worker", "social_worker", "USW3", team=south, manager=tm2)
    person("SW4", "Sol Worker", "social_worker", None, team=north, manager=tm1,
           email="sol.worker@council.example")
    eh1 = person("EH1", "Eve Helper", "social_worker", "UEH1", team=family, manager=tm3)

    build.cases("N-CP", 8, "CP", north, sw1)
    build.cases("N-CIN", 10, "CIN", north, sw1)
    build.case("N-LAC-001", "LAC", north, sw1, last_visit=today - timedelta(days=80))
    build.cases("N2-CIN", 4, "CIN", north, sw2)
    build.case("N-NQ-CP", "CP", north, nq1)
    build.case("N-NQ-CIN", "CIN", north, nq1, co_worker=sw2)
    build.case("N-UNALLOC", "CIN", north, None)
    build.cases("S-CIN", 5, "CIN", south, sw3)
    build.cases("F-EH", 3, "EH", family, eh1)

    sw4 = council.staff["SW4"]
    for worker, days_ago in ((sw2, 7), (nq1, 5), (sw3, 10), (eh1, 3), (sw4, 8), (sw1, 60)):
        build.supervision(worker, today - timedelta(days=days_ago))

    improvement = build.plan("Improvement")
    audit = build.plan("Case file audit Q3")
    council.plans = {"improvement": improvement, "audit": audit}
    build.action(improvement, "A1", "Visit every child on a CP plan within 10 working days",
                 sw1, today - timedelta(days=12), agency="Children's services",
                 measure="Monthly report: 95% of visits in time")
    build.action(improvement, "A2", "Protect NQSW workloads", tm1, today + timedelta(days=20))
    build.action(improvement, "A3", "Reduce unallocated cases in South", sw3,
                 today - timedelta(days=2))
    build.action(audit, "CFA-01", "N-CP-001: add a chronology", nq1, today + timedelta(days=5))
    build.action(audit, "CFA-02", "F-EH-001: record the step-down decision", eh1,
                 today - timedelta(days=1))
    session.commit()
    return council


# The digest and query councils ---------------------------------------------------------------
# Two small councils seen on the same Monday, whose figures the tests work out by hand.

#: Monday 23 November 2026, the day the digest and query councils are seen from.
COUNCIL_DAY = date(2026, 11, 23)
#: Its ISO week: the digest period.
COUNCIL_WEEK = "2026-W48"
#: When their long-serving staff started.
LONG_SERVING = date(2020, 1, 6)


def digest_council(session: Session) -> dict[str, Any]:
    """A council whose digest figures are worked out by hand (the arithmetic is in the tests).

    As of COUNCIL_DAY (ISO week 2026-W48). "This week" is 17–23 November; the 12 months are
    24 November 2025 – 23 November 2026; the 12 weeks are 1 September – 23 November 2026.
    Staff are named after their ids ("Sw1 Person", sw1@c.gov.uk).

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

    Returns its rows by short name. Commits.
    """
    build = Builder(session, COUNCIL_DAY)
    sg = build.service("Safeguarding")
    cic = build.service("Children in Care")
    north = build.team("Assessment North", sg, establishment_fte=5.0, digest_channel="#sg-digest")
    east = build.team("Child Protection East", sg, establishment_fte=3.0,
                      digest_channel="#sg-digest")
    care = build.team("Care 1", cic, establishment_fte=2.0, digest_channel="#cic")

    def person(staff_id: str, role: str, team: Team | None, service: Service,
               **extra: Any) -> Staff:
        return _digest_person(build, staff_id, role, team, service, **extra)

    def cases(prefix: str, count: int, team: Team, lead: Staff | None, **extra: Any) -> None:
        _digest_cases(build, prefix, count, team, lead, **extra)

    hs1 = person("HS1", "head_of_service", None, sg, slack_user_id="UHS1")
    hs2 = person("HS2", "head_of_service", None, cic, slack_user_id="UHS2")
    tm1 = person("TM1", "team_manager", north, sg, manager=hs1)
    tm2 = person("TM2", "team_manager", east, sg, manager=hs1)
    tm3 = person("TM3", "team_manager", care, cic, manager=hs2)
    for team, manager in ((north, tm1), (east, tm2), (care, tm3)):
        build.set_manager(team, manager)
    sw1 = person("SW1", "social_worker", north, sg, manager=tm1)
    sw2 = person("SW2", "social_worker", north, sg, fte=0.5, manager=tm1)
    ag1 = person("AG1", "social_worker", north, sg, agency=True, manager=tm1)
    nq1 = person("NQ1", "nqsw", north, sg, start_date=date(2026, 9, 1), manager=tm1,
                 asye_start=date(2026, 9, 1))
    person("ST1", "social_worker", north, sg, start_date=date(2026, 11, 18), manager=tm1)
    lv1 = person("LV1", "social_worker", north, sg, fte=0.8, end_date=date(2026, 11, 20),
                 manager=tm1)
    sw3 = person("SW3", "social_worker", east, sg, manager=tm2)
    person("LV2", "social_worker", east, sg, end_date=date(2026, 3, 31), manager=tm2)
    sw4 = person("SW4", "social_worker", care, cic, manager=tm3)

    cases("SW1", 18, north, sw1)
    cases("SW1N", 2, north, sw1, start_date=date(2026, 11, 20))  # new this week
    cases("SW2", 6, north, sw2)
    cases("AG1", 10, north, ag1)
    cases("NQ1", 16, north, nq1)
    cases("NQ1CP", 1, north, nq1, case_type="CP")  # an NQSW leading a CP case
    cases("U1", 1, north, None, start_date=date(2026, 10, 1))
    cases("U2", 1, north, lv1, start_date=date(2026, 11, 10))
    cases("SW3", 12, east, sw3)
    build.case("C1-00", "CIN", east, start_date=date(2026, 9, 10), end_date=date(2026, 10, 10),
               last_visit=None, next_review=None)
    cases("SW4", 15, care, sw4)

    for worker, last in ((tm1, date(2026, 11, 1)), (sw1, date(2026, 10, 1)),
                         (sw2, date(2026, 11, 10)), (ag1, date(2026, 10, 20)),
                         (nq1, date(2026, 11, 16)), (tm2, date(2026, 11, 2)),
                         (sw3, date(2026, 9, 30)), (sw4, date(2026, 11, 20))):
        build.supervision(worker, last)

    plan = build.plan("Ofsted ILACS 2025")
    for ref, owner, due, status, completed in (
        ("A1", tm1, date(2026, 11, 1), "open", None),
        ("A2", hs1, date(2026, 11, 30), "in_progress", None),
        ("A3", sw3, date(2026, 12, 7), "open", None),
        ("A4", sw1, date(2026, 12, 8), "open", None),
        ("A5", tm2, date(2026, 11, 10), "done", date(2026, 11, 20)),
        ("A6", tm2, date(2026, 11, 10), "done", date(2026, 11, 16)),
        ("A7", tm3, date(2026, 10, 1), "open", None),
    ):
        build.action(plan, ref, f"Action {ref}", owner, due, status=status,
                     completed_date=completed, evidence="Audit report" if completed else None)
    session.commit()
    return {"sg": sg, "cic": cic, "north": north, "east": east, "care": care, "hs1": hs1,
            "tm1": tm1, "sw1": sw1, "nq1": nq1}


def query_council(session: Session) -> dict[str, Any]:
    """A small, hand-checkable council for the query and Teams tests, seen from COUNCIL_DAY.

    Safeguarding service: team "Assessment North" (manager Tess, TM1) and "Child Protection East"
    (manager Colin, TM2); head of service Helen (HS1); admin Ada (AD1). Children in Care: team
    "Children in Care 1" (manager Cara, TM3) with Cleo (SW4).
    Assessment North: Sam (SW1, 1.0 FTE), Nia (NQ1, 0.6 FTE NQSW, month 3 of the ASYE),
    Priya (SW2, 0.6 FTE, agency). CP East: Carl (SW3, 1.0 FTE). A leaver, Lee (SW9), left last
    month. E-mails are first-name@council.gov.uk.

    Returns its rows by short name. Commits.
    """
    today = COUNCIL_DAY
    build = Builder(session, today)
    service = build.service("Safeguarding")
    other_service = build.service("Children in Care")
    north = build.team("Assessment North", service, establishment_fte=3.0)
    east = build.team("Child Protection East", service, establishment_fte=2.0)
    care = build.team("Children in Care 1", other_service, establishment_fte=2.0)

    def person(staff_id: str, name: str, role: str, **extra: Any) -> Staff:
        extra.setdefault("start_date", LONG_SERVING)
        email = f"{name.split()[0].lower()}@council.gov.uk"
        return build.staff(staff_id, name, role, email=email, **extra)

    hs = person("HS1", "Helen Head", "head_of_service", service=service, slack_user_id="UHS1")
    ad = person("AD1", "Ada Admin", "admin", service=service)
    tm1 = person("TM1", "Tess Manager", "team_manager", team=north, manager=hs,
                 slack_user_id="UTM1")
    tm2 = person("TM2", "Colin Manager", "team_manager", team=east, manager=hs)
    tm3 = person("TM3", "Cara Manager", "team_manager", team=care)
    for team, manager in ((north, tm1), (east, tm2), (care, tm3)):
        build.set_manager(team, manager)
    sw1 = person("SW1", "Sam Worker", "social_worker", team=north, manager=tm1,
                 slack_user_id="USW1")
    nq1 = person("NQ1", "Nia Newly", "nqsw", team=north, manager=tm1,
                 start_date=date(2026, 8, 24), fte=0.6, asye_start=date(2026, 8, 24),
                 academy_modules_passed=2, academy_modules_required=6)
    sw2 = person("SW2", "Priya Parttime", "senior_practitioner", team=north, manager=tm1,
                 fte=0.6, agency=True)
    sw3 = person("SW3", "Carl Protect", "social_worker", team=east, manager=tm2)
    sw4 = person("SW4", "Cleo Care", "social_worker", team=care, manager=tm3)
    sw9 = person("SW9", "Lee Leaver", "social_worker", team=north, manager=tm1,
                 end_date=date(2026, 10, 30), leaving_reason="Resigned")

    # Sam: 11 cases (5 CP, 4 CIN, 2 LAC); one CP visit overdue, one review overdue.
    for number in range(11):
        kind = "CP" if number < 5 else "CIN" if number < 9 else "LAC"
        build.case(
            f"CR-S{number:02d}", kind, north, sw1, start_date=date(2026, 6, 1),
            # CR-S00 (CP): due 10 working days after 1 October, long past
            last_visit=date(2026, 10, 1) if number == 0 else today - timedelta(days=3),
            next_review=today - timedelta(days=4) if number == 1 else today + timedelta(days=30),
        )
    # Priya (0.6 FTE → cap 10.8): 11 cases, over cap.
    for number in range(11):
        build.case(f"CR-P{number:02d}", "CIN", north, sw2, start_date=date(2026, 5, 1),
                   last_visit=today - timedelta(days=2), next_review=None)
    # Nia (NQSW 0.6 FTE → protected cap 9.72): 4 cases, one CP as lead (breach), one co-worked.
    for number in range(4):
        build.case(f"CR-N{number:02d}", "CP" if number == 3 else "CIN", north, nq1,
                   start_date=date(2026, 9, 1), last_visit=today - timedelta(days=2),
                   next_review=None)
    build.case("CR-CO1", "CP", north, sw1, co_worker=nq1, start_date=date(2026, 9, 1),
               last_visit=today - timedelta(days=1), next_review=None)
    # Unallocated, closed, and the leaver's closed case.
    build.case("CR-U01", "CIN", north, start_date=date(2026, 11, 2), last_visit=None,
               next_review=None)
    build.case("CR-C01", "CP", north, sw1, start_date=date(2025, 1, 1),
               end_date=date(2026, 3, 1), last_visit=None, next_review=None)
    build.case("CR-L01", "CIN", north, sw9, start_date=date(2025, 1, 1),
               end_date=date(2026, 10, 30), last_visit=None, next_review=None)
    # Carl: 3 cases in CP East; Cleo: 2 in the other service.
    for team, worker, prefix, kind, count in ((east, sw3, "CR-E", "CP", 3),
                                              (care, sw4, "CR-K", "LAC", 2)):
        for number in range(count):
            build.case(f"{prefix}{number:02d}", kind, team, worker, start_date=date(2026, 7, 1),
                       last_visit=today - timedelta(days=1), next_review=None)

    for worker, days_ago, supervisor in ((sw1, 40, tm1), (sw2, 10, tm1), (nq1, 5, tm1),
                                         (sw3, 3, tm2)):
        build.supervision(worker, today - timedelta(days=days_ago), supervisor)
    plan = build.plan("Ofsted ILACS 2025")
    build.action(plan, "1.1", "Audit visit timeliness monthly", tm1, date(2026, 11, 1),
                 agency="Children's Social Care", measure="90% of visits in timescale")
    build.action(plan, "1.2", "Reduce unallocated cases", tm2, date(2026, 12, 31),
                 measure="No unallocated cases")
    build.action(plan, "2.1", "Care plan quality", tm3, date(2026, 10, 1))
    build.action(plan, "3.1", "Practitioner reflective logs", sw1, date(2026, 12, 1))
    session.commit()
    return {"service": service, "north": north, "east": east, "care": care, "hs": hs, "ad": ad,
            "tm1": tm1, "tm2": tm2, "tm3": tm3, "sw1": sw1, "nq1": nq1, "sw2": sw2, "sw3": sw3,
            "sw4": sw4, "sw9": sw9}


def add_digest_workers(session: Session, team: Team, service: Service, count: int) -> None:
    """More of the digest council's kind (for the statement-count test): workers with five
    cases, a supervision and an action each. Commits."""
    build = Builder(session, COUNCIL_DAY)
    plan = session.scalars(select(Plan)).first()
    for number in range(count):
        worker = _digest_person(build, f"X{number:03d}", "social_worker", team, service)
        _digest_cases(build, f"X{number:03d}", 5, team, worker)
        build.supervision(worker, COUNCIL_DAY - timedelta(days=number % 40))
        build.action(plan, f"X{number}", "More", worker,
                     COUNCIL_DAY + timedelta(days=number % 30 - 10))
    session.commit()


def _digest_person(build: Builder, staff_id: str, role: str, team: Team | None,
                   service: Service, **extra: Any) -> Staff:
    """A digest-council worker: named after the id, a long server unless `start_date` says."""
    extra.setdefault("start_date", LONG_SERVING)
    return build.staff(staff_id, f"{staff_id.title()} Person", role, team=team, service=service,
                       email=f"{staff_id.lower()}@c.gov.uk", **extra)


def _digest_cases(build: Builder, prefix: str, count: int, team: Team, lead: Staff | None, *,
                  start_date: date = date(2026, 6, 1), case_type: str = "CIN") -> None:
    """`count` open cases PREFIX-00…, visited two days ago, with no review date."""
    for number in range(count):
        build.case(f"{prefix}-{number:02d}", case_type, team, lead, start_date=start_date,
                   last_visit=COUNCIL_DAY - timedelta(days=2), next_review=None)



# Import files -------------------------------------------------------------------------------
# Files the importers must survive: built here so every importer test writes them one way.

#: The columns of a junk cases file, and the cells of each junk row that are wrong.
JUNK_CASES_HEADER = ("case_ref", "case_type", "start_date", "team")
JUNK_PROBLEMS_PER_ROW = 3  # case_type, start_date and team


def write_junk_cases_csv(path: Path, rows: int) -> int:
    """A cases CSV of `rows` rows, each wrong in three cells (an unknown case type, a date with
    a thirteenth month, a team that does not exist), written as it goes; the problems it holds."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(JUNK_CASES_HEADER)
        for number in range(rows):
            writer.writerow([f"J{number:07d}", "junkjunkjunk", f"31/13/{2000 + number % 50}",
                             f"Nowhere {number % 97}"])
    return rows * JUNK_PROBLEMS_PER_ROW


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def write_raw_xlsx(path: Path, rows: Sequence[Sequence[str]], *, dimension: str | None = None,
                   styled_column: str | None = None, styled_last_row: int | None = None) -> Path:
    """An .xlsx written by hand, for what openpyxl's writer will not produce: a declared
    `dimension` (say "A1:XFD1048576") that is not the data's, an empty styled cell in
    `styled_column` of every row (a formatted column far right), a styled empty row at
    `styled_last_row`, and raw characters (a NUL) that make the sheet's XML unreadable there.
    `rows[0]` is the header row; every cell is an inline string. Without a `dimension`, the
    data's own range is declared, as Excel does; `dimension=""` declares none."""
    width = max((len(values) for values in rows), default=1)
    if dimension is None:
        dimension = f"A1:{_column_letters(width)}{max(len(rows), 1)}"
    sheet = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_SHEET_NS}">']
    if dimension:
        sheet.append(f'<dimension ref="{dimension}"/>')
    sheet.append("<sheetData>")
    for number, values in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{_column_letters(position)}{number}" t="inlineStr"><is><t>{escape(value)}'
            "</t></is></c>" for position, value in enumerate(values, start=1) if value != ""
        )
        if styled_column:
            cells += f'<c r="{styled_column}{number}" s="1"/>'
        sheet.append(f'<row r="{number}">{cells}</row>')
    if styled_last_row:
        sheet.append(f'<row r="{styled_last_row}"><c r="A{styled_last_row}" s="1"/></row>')
    sheet.append("</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in _XLSX_PARTS.items():
            package.writestr(name, text)
        package.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
    return path


_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_PARTS = {
    "[Content_Types].xml":
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels":
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS_NS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
    "xl/workbook.xml":
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_SHEET_NS}" '
        f'xmlns:r="{_DOC_RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
    "xl/_rels/workbook.xml.rels":
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS_NS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
}


# The council as import rows ------------------------------------------------------------------
# A small council as the importers read it (SPEC section 5 files), loaded through the real
# importers as of IMPORT_DAY: two teams, six staff, four cases, supervisions and two plans.

#: The day the import council is loaded (Monday 2 March 2026).
IMPORT_DAY = date(2026, 3, 2)

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
                         today=options.pop("today", IMPORT_DAY), **options)
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
    return import_file(session, kind, path, today=options.pop("today", IMPORT_DAY), **options)


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


__all__ = [
    "ACTIONS", "ADMIN", "CASES", "COUNCIL_DAY", "COUNCIL_WEEK", "DEFAULT", "IMPORT_DAY",
    "JUNK_CASES_HEADER", "JUNK_PROBLEMS_PER_ROW", "LONG_SERVING", "ROWS", "STAFF", "SUPERVISIONS",
    "TEAM_MANAGERS", "TEAMS", "Builder", "Council", "add_digest_workers", "digest_council",
    "extract_folder", "import_path", "load", "load_council", "query_council", "row_counts",
    "small_council", "write_junk_cases_csv", "write_raw_xlsx", "write_rows",
]
