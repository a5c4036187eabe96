"""Write a synthetic council ("Northshire County Council") as the five import files of SPEC §5.

Why a generator and not a fixture file: the demo, the benchmark and the tests all need a council
that looks like a real one (caseloads near the cap, a few workers over it, NQSWs mostly protected,
supervision mostly on time, an improvement plan part done) at the date they run, and at county,
city or national size. So everything is drawn from `random.Random(seed)` relative to a `today`
that is passed in: the same seed and date give byte-identical files, any date gives a council
whose "overdue" and "due soon" are overdue and due soon on that date.

The files go through the real importers, so they keep to SPEC §5 exactly: ISO dates, agency as
Y/N, and case references only. No column names a child; only staff have names.

Deliberate breaches, present at every scale so the demo always has something to show a manager
(all in the first team, "Child Protection East", whose manager is the demo team manager):
one NQSW leads a CP case, another holds more than the protected cap, a social worker is over
cap, the team manager has more than 8 direct reports, and two cases are unallocated.

Usage: ``python -m demo.generate OUT_DIR [--today YYYY-MM-DD] [--seed N] [--scale F]``
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

COUNCIL_NAME = "Northshire County Council"
EMAIL_DOMAIN = "northshire.gov.uk"

#: Header row of each file: SPEC §5's required columns first, then the optional ones we fill.
HEADERS: dict[str, tuple[str, ...]] = {
    "teams": ("team", "service", "manager_id", "establishment_fte", "digest_channel",
              "teams_channel"),
    "staff": ("staff_id", "name", "email", "role", "team", "fte", "start_date", "slack_user_id",
              "agency", "asye_start", "asye_end", "academy_modules_passed",
              "academy_modules_required", "end_date", "leaving_reason", "manager_id", "swe_no",
              "cpd_records", "cpd_peer_reflection"),
    "cases": ("case_ref", "case_type", "start_date", "team", "allocated_worker_id",
              "co_worker_id", "end_date", "last_visit", "next_review"),
    "supervisions": ("staff_id", "date", "supervisor_id", "kind"),
    "actions": ("plan", "ref", "action", "owner_id", "due_date", "area", "agency", "measure",
                "status", "completed_date", "evidence"),
}

# Rule numbers the generated data is shaped around (SPEC §4 defaults). The generator stays well
# inside or well outside each one, so a council configured a little differently still sees the
# same picture.
CAP_PER_FTE = 18
NQSW_CAP_RATIO = 0.9
ASYE_DAYS = 365
SPAN_OF_CONTROL = 8
ACADEMY_MODULES = 6
HISTORY_DAYS = 182  # supervision history: about six months

#: A team of this many practitioners keeps its manager at the span-of-control limit, not over it.
TEAM_SIZE_CHOICES = (7, 8, 8, 8)
#: Teams per service at scale 1.0: 8 keeps each head of service at the span limit too.
TEAMS_PER_SERVICE = 8
#: NQSWs with an unusual ASYE, by service (in its first team), so every scale has them.
SPECIAL_NQSWS: dict[int, tuple[str, ...]] = {
    1: ("extended",),
    2: ("supervision_overdue", "finished_short"),
}


@dataclass(frozen=True)
class ServicePlan:
    """A service and the teams it runs; team kind decides the mix of cases the team holds."""

    name: str
    digest_channel: str
    teams: tuple[tuple[str, str], ...]  # (team name, team kind)


SERVICES: tuple[ServicePlan, ...] = (
    ServicePlan(
        "Safeguarding and Assessment", "#digest-safeguarding",
        (("Child Protection East", "child_protection"), ("Assessment North", "assessment"),
         ("Assessment South", "assessment"), ("Child Protection North", "child_protection"),
         ("Assessment East", "assessment"), ("Child Protection South", "child_protection"),
         ("Assessment West", "assessment"), ("Child Protection West", "child_protection")),
    ),
    ServicePlan(
        "Children in Care and Care Leavers", "#digest-children-in-care",
        (("Children in Care 1", "children_in_care"), ("Leaving Care", "leaving_care"),
         ("Children in Care 2", "children_in_care"), ("Children with Disabilities", "disabilities"),
         ("Children in Care 3", "children_in_care"), ("Permanence", "permanence"),
         ("Children in Care 4", "children_in_care"), ("Leaving Care and UASC", "leaving_care")),
    ),
    ServicePlan(
        "Early Help and Family Support", "#digest-early-help",
        (("Early Help North", "early_help"), ("Family Support East", "family_support"),
         ("Early Help West", "early_help"), ("Family Support North", "family_support"),
         ("Early Help South", "early_help"), ("Family Support West", "family_support"),
         ("Early Help East", "early_help"), ("Family Support South", "family_support")),
    ),
)

#: Open-case mix by team kind (weights): CP/CIN in safeguarding, LAC/CL in care, EH in early help.
CASE_MIX: dict[str, dict[str, int]] = {
    "child_protection": {"CP": 50, "CIN": 38, "LAC": 8, "OTHER": 4},
    "assessment": {"CIN": 60, "CP": 12, "OTHER": 28},
    "children_in_care": {"LAC": 92, "CL": 4, "OTHER": 4},
    "permanence": {"LAC": 95, "OTHER": 5},
    "disabilities": {"CIN": 60, "LAC": 25, "CP": 5, "OTHER": 10},
    "leaving_care": {"CL": 85, "LAC": 15},
    "early_help": {"EH": 95, "OTHER": 5},
    "family_support": {"EH": 85, "CIN": 15},
}

#: Unallocated open cases per team (inclusive range): new referrals queue at the front door.
UNALLOCATED_RANGE: dict[str, tuple[int, int]] = {
    "child_protection": (0, 2), "assessment": (2, 4), "children_in_care": (0, 1),
    "permanence": (0, 1), "disabilities": (1, 3), "leaving_care": (0, 2),
    "early_help": (1, 3), "family_support": (0, 2),
}

#: How long an open case has typically been open (mean days, most days), by type.
CASE_AGE_DAYS: dict[str, tuple[int, int]] = {
    "CP": (180, 730), "CIN": (150, 900), "LAC": (700, 5500), "CL": (800, 2500),
    "EH": (120, 540), "OTHER": (40, 200),
}

#: Days since the last visit: (on time, overdue) ranges. On time sits well inside SPEC §4's
#: frequencies (CP 10 working days, CIN 20, LAC 6 weeks), overdue well past them, so bank
#: holidays and a council's own settings do not move a case across the line.
VISIT_GAP_DAYS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "CP": ((0, 11), (22, 45)),
    "CIN": ((0, 24), (40, 75)),
    "LAC": ((0, 38), (50, 100)),
    "CL": ((0, 56), (0, 56)),  # no statutory frequency: never "overdue"
    "EH": ((0, 30), (0, 30)),
    "OTHER": ((0, 30), (0, 30)),
}

FIRST_NAMES = (
    "Aisha", "Alex", "Amelia", "Amir", "Anna", "Ben", "Bethany", "Callum", "Charlotte", "Chloe",
    "Chris", "Claire", "Daniel", "David", "Deborah", "Eleanor", "Emily", "Emma", "Fatima", "Gemma",
    "Grace", "Hannah", "Harriet", "Helen", "Imran", "Isabel", "Jack", "James", "Jasmine", "Jenny",
    "Joanne", "Jodie", "Kate", "Kelly", "Kwame", "Laura", "Leah", "Lisa", "Louise", "Lucy", "Mark",
    "Martin", "Megan", "Michelle", "Mohammed", "Nadia", "Naomi", "Natalie", "Nicola", "Oliver",
    "Olivia", "Paul", "Priya", "Rachel", "Rebecca", "Rhys", "Rosie", "Ruth", "Sam", "Sarah",
    "Simon", "Sophie", "Stacey", "Steven", "Tanya", "Tom", "Tariq", "Vicky", "Yasmin", "Zoe",
)
LAST_NAMES = (
    "Adams", "Ahmed", "Ali", "Allen", "Atkinson", "Bailey", "Baker", "Barker", "Bell", "Bennett",
    "Brown", "Campbell", "Carter", "Chapman", "Clarke", "Collins", "Cooper", "Davies", "Dixon",
    "Edwards", "Evans", "Fisher", "Fletcher", "Foster", "Gray", "Green", "Griffiths", "Hall",
    "Harris", "Hill", "Hughes", "Hussain", "Jackson", "James", "Johnson", "Jones", "Kaur", "Kelly",
    "Khan", "King", "Lewis", "Marshall", "Mason", "Mitchell", "Moore", "Morgan", "Morris",
    "Murphy", "Nelson", "O'Brien", "Owen", "Palmer", "Parker", "Patel", "Phillips", "Price",
    "Richards", "Roberts", "Robinson", "Rogers", "Shaw", "Singh", "Smith", "Stevens", "Taylor",
    "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson",
    "Wood", "Wright", "Young",
)

LEAVING_REASONS = (
    "Resigned: moved to another local authority",
    "Resigned: left social work",
    "Resigned: moved to agency work",
    "Retired",
    "Career break",
    "Relocated",
    "End of fixed-term contract",
)
AGENCY_LEAVING_REASONS = ("End of agency assignment", "Agency worker: assignment ended early")

PLAN_OFSTED = "Ofsted ILACS 2025"
PLAN_AUDIT = "Case file audit Q3"
CSC = "Children's Social Care"


@dataclass(frozen=True)
class PlannedAction:
    """One improvement-plan action as written; `owner` says who owns it ("head:N", "tm:N",
    "demo_tm"), `due` whether it is done, overdue, due soon or due later on the day generated."""

    ref: str
    area: str
    action: str
    agency: str
    measure: str
    owner: str
    due: str
    evidence: str


A1 = "1. Quality and timeliness of assessments"
A2 = "2. Management oversight and supervision"
A3 = "3. Child protection: visits, plans and core groups"
A4 = "4. Children in care: permanence and placement stability"
A5 = "5. Care leavers: pathway plans and accommodation"
A6 = "6. Workforce: recruitment, retention and caseloads"
A7 = "7. Early help and step-down"

#: Modelled on the areas for improvement of an ILACS report: each with an agency responsible, a
#: timescale and how improvement is measured (Warwickshire's 20 areas for improvement).
OFSTED_ACTIONS: tuple[PlannedAction, ...] = (
    PlannedAction("1.1", A1, "Complete child and family assessments within 45 working days and "
                  "update them when circumstances change", CSC,
                  "Monthly performance report: 90% of assessments completed within 45 working days",
                  "head:0", "done",
                  "Performance report: 91% of assessments within 45 working days for three "
                  "consecutive months; reported to the Improvement Board"),
    PlannedAction("1.2", A1, "Strengthen assessments so that the child's lived experience and "
                  "history are analysed, not only described", CSC,
                  "Quarterly audit: 80% of assessments graded good or better", "tm:0", "overdue",
                  ""),
    PlannedAction("1.3", A1, "Improve the timeliness of police information shared with the "
                  "front door (MASH)", "Police",
                  "MASH dataset: 95% of police notifications shared within 24 hours", "head:0",
                  "soon", ""),
    PlannedAction("2.1", A2, "Ensure every social worker receives regular, reflective supervision "
                  "that is recorded on the child's file", CSC,
                  "Monthly supervision report: 95% of staff supervised within 28 days", "demo_tm",
                  "done", "Supervision report: 96% of staff supervised within 28 days; dip sample "
                  "of 20 files shows supervision recorded on the child's record"),
    PlannedAction("2.2", A2, "Record managers' decisions on the child's file with a clear "
                  "rationale", CSC,
                  "Monthly case file audit: 85% of files show recorded management oversight",
                  "tm:1", "done", "Case file audit: 88% of 60 files show management oversight "
                  "with a recorded rationale"),
    PlannedAction("2.3", A2, "Reduce team managers' span of control to no more than 8 direct "
                  "reports", CSC,
                  "HR establishment report: no team manager with more than 8 direct reports",
                  "head:0", "overdue", ""),
    PlannedAction("2.4", A2, "Protect the workload of newly qualified social workers in their "
                  "ASYE year", CSC,
                  "Monthly report: every NQSW within 90% of the caseload cap and none the lead "
                  "worker on a child protection case", "demo_tm", "soon", ""),
    PlannedAction("3.1", A3, "Visit children subject to a child protection plan within "
                  "timescale and see them alone", CSC,
                  "Monthly audit: 90% of visits within timescale", "demo_tm", "overdue", ""),
    PlannedAction("3.2", A3, "Make child protection plans specific, measurable and understood by "
                  "families", "Safeguarding Children Partnership",
                  "Quarterly multi-agency audit: 80% of plans rated SMART", "head:0", "later", ""),
    PlannedAction("3.3", A3, "Improve health partners' attendance and contribution at core group "
                  "meetings", "Health",
                  "Core group attendance log: health present at 85% of core groups", "tm:0",
                  "done", "Core group log for the quarter: health attended 87% of core groups"),
    PlannedAction("4.1", A4, "Plan for permanence for every child in care by their second "
                  "review", CSC,
                  "IRO report: 90% of children with a permanence plan by the second review",
                  "head:1", "overdue", ""),
    PlannedAction("4.2", A4, "Complete initial health assessments for children coming into care "
                  "on time", "Health",
                  "Health dashboard: 85% of initial health assessments within 20 working days",
                  "tm:1", "soon", ""),
    PlannedAction("4.3", A4, "Keep personal education plans up to date and of good quality",
                  "Education",
                  "Virtual School termly report: 95% of PEPs completed and rated good", "tm:1",
                  "done", "Virtual School report: 96% of PEPs completed this term, 82% rated good"),
    PlannedAction("5.1", A5, "Give every care leaver an up-to-date pathway plan written with "
                  "them", CSC,
                  "Monthly report: 95% of care leavers with a pathway plan reviewed in the last "
                  "6 months", "tm:1", "later", ""),
    PlannedAction("5.2", A5, "Increase the range of suitable accommodation for care leavers",
                  "Housing", "Quarterly: 92% of care leavers in suitable accommodation", "head:1",
                  "overdue", ""),
    PlannedAction("5.3", A5, "Increase the proportion of care leavers in education, employment "
                  "or training", "Education",
                  "Quarterly: 60% of care leavers aged 19 to 21 in education, employment or "
                  "training", "tm:1", "done", "Quarterly report: 61% of care leavers aged 19 to "
                  "21 in EET; apprenticeship scheme launched with the council's HR"),
    PlannedAction("6.1", A6, "Reduce reliance on agency social workers", CSC,
                  "Workforce census: agency rate below 13%", "head:0", "later", ""),
    PlannedAction("6.2", A6, "Bring social worker caseloads to no more than 18 per FTE", CSC,
                  "Monthly caseload report: no worker above 18 cases per FTE", "head:0", "soon",
                  ""),
    PlannedAction("6.3", A6, "Allocate every child's case to an identified social worker", CSC,
                  "Weekly: no case unallocated for more than 5 working days", "tm:2", "done",
                  "Weekly allocation report: no case unallocated for more than 5 working days "
                  "for six consecutive weeks"),
    PlannedAction("6.4", A6, "Deliver the practice academy so that NQSWs pass all modules by the "
                  "end of their ASYE", CSC,
                  "Academy tracker: every NQSW completes the ASYE with all modules passed",
                  "head:2", "done", "Academy tracker: all 14 of last year's cohort passed every "
                  "module; two extensions agreed for sickness"),
    PlannedAction("7.1", A7, "Make step-down from social care to early help timely and planned",
                  "Education",
                  "Monthly: 90% of step-downs with a team around the family meeting within "
                  "10 working days", "head:2", "overdue", ""),
)

#: Case file audit actions: each names one case by reference (never a child) held in a team of
#: the given kinds, and the case's team manager owns it. "ALL" actions apply service-wide.
AUDIT_ACTIONS: tuple[tuple[str, str, str, str, str, str], ...] = (
    # (area, case type or "ALL", action (with {ref}), measure, due, evidence)
    ("Chronology", "CP", "{ref}: add a chronology and keep it updated after each significant "
     "event", "Re-audit by the quality assurance team: graded good or better", "done",
     "Chronology added and reviewed in supervision; re-audit graded good"),
    ("Management oversight", "CIN", "{ref}: record the manager's rationale for not convening a "
     "strategy discussion", "Manager's rationale on file within 10 working days", "overdue", ""),
    ("Voice of the child", "CP", "{ref}: see the child alone at the next visit and record their "
     "views in their own words", "Next visit record shows the child seen alone", "soon", ""),
    ("Planning", "CP", "{ref}: rewrite the child protection plan with measurable outcomes and "
     "timescales", "Plan agreed at the next core group; re-audit graded good", "overdue", ""),
    ("Visits", "CIN", "{ref}: complete the overdue visit and record its outcome",
     "Visit recorded within 5 working days", "done", "Visit completed and recorded; visit "
     "schedule added to the case summary"),
    ("Care leavers", "CL", "{ref}: review the pathway plan with the young person",
     "Pathway plan review recorded and signed by the young person", "soon", ""),
    ("Permanence", "LAC", "{ref}: complete the life story work started in placement",
     "Life story book shared with the child and carers", "done",
     "Life story work completed and shared; noted at the child's review"),
    ("Step-down", "EH", "{ref}: record the step-down decision and share the plan with the early "
     "help lead professional", "Plan shared and team around the family meeting held",
     "overdue", ""),
    ("Recording", "ALL", "All teams: apply the case recording standard to every case summary",
     "Dip sample of 30 files: 90% meet the recording standard", "soon", ""),
    ("Supervision", "CP", "{ref}: record case supervision of the co-working NQSW on this child "
     "protection case", "Supervision note on file for each month of co-working", "done",
     "Case supervision notes on file for the last three months"),
)


@dataclass
class StaffMember:
    """One row of staff.csv, with the dates the rest of the council is built around."""

    staff_id: str
    name: str
    email: str
    role: str
    team: str
    fte: float
    start_date: date
    agency: bool = False
    asye_start: date | None = None
    asye_end: date | None = None
    modules_passed: int | None = None
    modules_required: int | None = None
    end_date: date | None = None
    leaving_reason: str = ""
    manager_id: str = ""
    slack_user_id: str = ""

    def row(self) -> dict[str, str]:
        return {
            "staff_id": self.staff_id, "name": self.name, "email": self.email,
            "role": self.role, "team": self.team, "fte": f"{self.fte:.1f}",
            "start_date": _iso(self.start_date), "slack_user_id": self.slack_user_id,
            "agency": "Y" if self.agency else "N", "asye_start": _iso(self.asye_start),
            "asye_end": _iso(self.asye_end),
            "academy_modules_passed": _int(self.modules_passed),
            "academy_modules_required": _int(self.modules_required),
            "end_date": _iso(self.end_date), "leaving_reason": self.leaving_reason,
            "manager_id": self.manager_id, **self.registration(),
        }

    def registration(self) -> dict[str, str]:
        """Social Work England number and CPD, from the staff id alone (no random draw, so the
        rest of the council is the same as it was): about 1 in 40 social workers has no number
        recorded, and CPD varies, so /staffing registration has something to show in autumn."""
        if self.role in ("admin", "personal_advisor"):
            return {"swe_no": "", "cpd_records": "", "cpd_peer_reflection": ""}
        check = zlib.crc32(self.staff_id.encode())
        return {"swe_no": "" if check % 40 == 0 else f"SWE-{self.staff_id}",
                "cpd_records": str(check % 4), "cpd_peer_reflection": "Y" if check % 3 else "N"}


@dataclass
class TeamBuild:
    """A team while it is being built: its manager(s) over time, workers and leavers."""

    name: str
    service: ServicePlan
    kind: str
    manager: StaffMember
    practitioners: list[StaffMember] = field(default_factory=list)
    leavers: list[StaffMember] = field(default_factory=list)
    previous_manager: StaffMember | None = None
    establishment_fte: float = 0.0


@dataclass
class CaseRecord:
    """One row of cases.csv; the reference is given once every case exists, oldest first."""

    case_type: str
    start_date: date
    team: str
    allocated_worker_id: str = ""
    co_worker_id: str = ""
    end_date: date | None = None
    last_visit: date | None = None
    next_review: date | None = None
    case_ref: str = ""

    def row(self) -> dict[str, str]:
        return {
            "case_ref": self.case_ref, "case_type": self.case_type,
            "start_date": _iso(self.start_date), "team": self.team,
            "allocated_worker_id": self.allocated_worker_id, "co_worker_id": self.co_worker_id,
            "end_date": _iso(self.end_date), "last_visit": _iso(self.last_visit),
            "next_review": _iso(self.next_review),
        }


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _int(value: int | None) -> str:
    return "" if value is None else str(value)


def _protected_cap(fte: float) -> float:
    return CAP_PER_FTE * fte * NQSW_CAP_RATIO


class _CouncilBuilder:
    """Draws the council in dependency order: staff, then cases, supervision and actions.

    One builder per call keeps the random stream in a fixed order, which is what makes the
    output deterministic for a seed.
    """

    def __init__(self, today: date, seed: int, scale: float) -> None:
        self.today = today
        self.rng = random.Random(seed)
        self.scale = scale
        self.counters: dict[str, int] = {}
        self.used_names: set[str] = set()
        self.used_emails: set[str] = set()
        self.staff: list[StaffMember] = []
        self.heads: list[StaffMember] = []
        self.teams: list[TeamBuild] = []
        self.cases: list[CaseRecord] = []
        self.lead_counts: dict[str, int] = {}
        self.co_counts: dict[str, int] = {}
        self.overloaded: set[str] = set()
        self.supervision_overdue: set[str] = set()
        self.demo: dict[str, StaffMember] = {}

    # ---- small helpers -------------------------------------------------------------------
    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:04d}"

    def person(self) -> tuple[str, str]:
        """A synthetic name and a unique council e-mail (firstname.lastname@…)."""
        for _attempt in range(20):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            if f"{first} {last}" not in self.used_names:
                break
        name = f"{first} {last}"
        self.used_names.add(name)
        local = f"{first}.{last}".lower()
        local = re.sub(r"[^a-z.\-]", "", local)
        email, suffix = f"{local}@{EMAIL_DOMAIN}", 1
        while email in self.used_emails:
            suffix += 1
            email = f"{local}{suffix}@{EMAIL_DOMAIN}"
        self.used_emails.add(email)
        return name, email

    def fte(self) -> float:
        return self.rng.choices((1.0, 0.8, 0.6, 0.5), weights=(84, 9, 4, 3))[0]

    def new_staff(self, prefix: str, role: str, team: str, **fields: object) -> StaffMember:
        name, email = self.person()
        member = StaffMember(staff_id=self.next_id(prefix), name=name, email=email, role=role,
                             team=team, **fields)  # type: ignore[arg-type]
        self.staff.append(member)
        return member

    # ---- staff ---------------------------------------------------------------------------
    def build_staff(self) -> None:
        for service in SERVICES:
            head = self.new_staff("HS", "head_of_service", service.name, fte=1.0,
                                  start_date=self.days_ago(self.rng.randint(800, 5000)))
            self.heads.append(head)
        self.demo["admin"] = self.new_staff(
            "AD", "admin", SERVICES[0].name, fte=1.0,
            start_date=self.days_ago(self.rng.randint(400, 4000)))
        self.demo["head_of_service"] = self.heads[0]
        teams_per_service = max(1, round(TEAMS_PER_SERVICE * self.scale))
        for service_index, service in enumerate(SERVICES):
            for team_index in range(teams_per_service):
                name, kind = service.teams[team_index % len(service.teams)]
                if team_index >= len(service.teams):
                    name = f"{name} {team_index // len(service.teams) + 1}"
                self.build_team(service_index, team_index, name, kind)
        # The team whose manager left: the last team of the care service gets an interim.
        self.replace_manager(self.teams_of(1)[-1])
        for team in self.teams:
            in_post = team.manager.fte + sum(p.fte for p in team.practitioners)
            vacancy = self.rng.choice((0.0, 0.5, 1.0, 1.0, 1.5, 1.5, 2.0, 2.0, 2.5, 3.0))
            team.establishment_fte = round(in_post + vacancy, 1)
        for slack_number, role in enumerate(
            ("head_of_service", "team_manager", "senior_practitioner", "social_worker", "nqsw",
             "admin"), start=1,
        ):
            self.demo[role].slack_user_id = f"U0DEMO{slack_number:03d}"

    def teams_of(self, service_index: int) -> list[TeamBuild]:
        return [team for team in self.teams if team.service is SERVICES[service_index]]

    def build_team(self, service_index: int, team_index: int, name: str, kind: str) -> None:
        head = self.heads[service_index]
        manager = self.new_staff(
            "TM", "team_manager", name, fte=1.0, manager_id=head.staff_id,
            agency=self.rng.random() < 0.08,
            start_date=self.days_ago(self.rng.randint(300, 4500)))
        if manager.agency:
            manager.start_date = self.days_ago(self.rng.randint(60, 500))
        team = TeamBuild(name=name, service=SERVICES[service_index], kind=kind, manager=manager)
        self.teams.append(team)
        is_demo_team = service_index == 0 and team_index == 0
        if is_demo_team:
            self.build_demo_team(team)
        else:
            size = self.rng.choice(TEAM_SIZE_CHOICES)
            senior_count = self.rng.choice((1, 1, 2))
            nqsw_count = self.rng.choice((0, 1, 1, 1, 2))
            specials = SPECIAL_NQSWS.get(service_index, ()) if team_index == 0 else ()
            nqsw_count = max(nqsw_count, len(specials))  # the special NQSWs need seats
            roles = (["senior_practitioner"] * senior_count + ["nqsw"] * nqsw_count
                     + ["social_worker"] * (size - senior_count - nqsw_count))
            for role in roles:
                self.add_practitioner(team, role)
            nqsws = [p for p in team.practitioners if p.role == "nqsw"]
            for nqsw, special in zip(nqsws, specials):
                self.make_special_nqsw(nqsw, special)
        for _leaver in range(self.rng.choice((0, 1, 1, 1, 2))):
            self.add_leaver(team)

    def add_practitioner(self, team: TeamBuild, role: str, **overrides: object) -> StaffMember:
        """A current practitioner: the role decides tenure, agency odds and the ASYE dates."""
        rng = self.rng
        fields: dict[str, object] = {"fte": self.fte(), "manager_id": team.manager.staff_id}
        if role == "nqsw":
            finished = rng.random() < 0.2
            asye_days = rng.randint(380, 600) if finished else rng.randint(30, 335)
            fields.update(fte=1.0, **self.asye_fields(asye_days))
        else:
            agency = rng.random() < 0.15
            fields["agency"] = agency
            if agency:
                fields.update(fte=1.0, start_date=self.days_ago(rng.randint(20, 700)))
            elif role == "senior_practitioner":
                fields["start_date"] = self.days_ago(rng.randint(1100, 6000))
            else:
                fields["start_date"] = self.days_ago(rng.randint(200, 4000))
        fields.update(overrides)
        member = self.new_staff("SW", role, team.name, **fields)
        team.practitioners.append(member)
        return member

    def asye_fields(self, asye_days: int, passed: int | None = None) -> dict[str, object]:
        """ASYE dates and academy progress for an NQSW who started `asye_days` ago."""
        asye_start = self.days_ago(asye_days)
        on_track = min(ACADEMY_MODULES, asye_days * ACADEMY_MODULES // ASYE_DAYS)
        if passed is None:
            passed = max(0, on_track - (1 if self.rng.random() < 0.25 else 0))
        return {"asye_start": asye_start, "start_date": asye_start, "modules_passed": passed,
                "modules_required": ACADEMY_MODULES}

    def build_demo_team(self, team: TeamBuild) -> None:
        """Child Protection East: 11 practitioners (span of control > 8) and the breaches."""
        self.demo["team_manager"] = team.manager
        team.manager.agency = False
        self.demo["senior_practitioner"] = self.add_practitioner(
            team, "senior_practitioner", fte=1.0, agency=False)
        self.demo["social_worker"] = self.add_practitioner(
            team, "social_worker", fte=1.0, agency=False)
        # Lead on a CP case in month 4 of the ASYE: the breach /protected must show.
        self.demo["nqsw"] = self.add_practitioner(team, "nqsw", **self.asye_fields(120))
        # Month 8 of the ASYE and holding more than the protected cap.
        over_cap = self.add_practitioner(team, "nqsw", **self.asye_fields(240))
        self.overloaded.add(over_cap.staff_id)
        # Five weeks in: still in weekly supervision, co-working CP cases as the rules allow.
        self.add_practitioner(team, "nqsw", **self.asye_fields(35, passed=0))
        self.add_practitioner(team, "senior_practitioner")
        for index in range(5):
            worker = self.add_practitioner(team, "social_worker")
            if index == 0:
                worker.fte, worker.agency = 1.0, False
                self.overloaded.add(worker.staff_id)
            if index == 1:
                self.supervision_overdue.add(worker.staff_id)

    def make_special_nqsw(self, nqsw: StaffMember, special: str) -> None:
        """Cases the protection rules must handle, placed where every scale has them."""
        if special == "extended":
            # ASYE paused for sickness: 14 months in, protected until the agreed end date.
            self.set_fields(nqsw, self.asye_fields(425, passed=5))
            nqsw.asye_end = self.days_ago(425) + timedelta(days=490)
        elif special == "supervision_overdue":
            # Month 2 and 20+ days since reflective supervision (fortnightly is due).
            self.set_fields(nqsw, self.asye_fields(60))
            self.supervision_overdue.add(nqsw.staff_id)
        elif special == "finished_short":
            # Finished the ASYE but one academy module short: no longer protected.
            self.set_fields(nqsw, self.asye_fields(420, passed=5))

    @staticmethod
    def set_fields(member: StaffMember, fields: dict[str, object]) -> None:
        for name, value in fields.items():
            setattr(member, name, value)

    def add_leaver(self, team: TeamBuild) -> None:
        """A practitioner who left in the last 12 months: counted in turnover, holds no case."""
        rng = self.rng
        role = rng.choices(("social_worker", "senior_practitioner", "nqsw"), weights=(7, 2, 1))[0]
        end_date = self.days_ago(rng.randint(7, 360))
        agency = role != "nqsw" and rng.random() < 0.3
        start_date = end_date - timedelta(days=rng.randint(90 if agency else 200, 3000))
        reasons = AGENCY_LEAVING_REASONS if agency else tuple(
            reason for reason in LEAVING_REASONS
            if reason != "Retired" or (end_date - start_date).days > 2500
        )
        fields: dict[str, object] = {
            "fte": 1.0 if agency else self.fte(), "agency": agency,
            "start_date": start_date, "end_date": end_date, "leaving_reason": rng.choice(reasons),
            "manager_id": team.manager.staff_id,
        }
        if role == "nqsw":
            # Left during the ASYE: academy progress as it stood on the last day.
            days_in = rng.randint(60, 200)
            fields.update(self.asye_fields((self.today - end_date).days + days_in))
            fields.update(modules_passed=days_in * ACADEMY_MODULES // ASYE_DAYS,
                          leaving_reason=rng.choice(LEAVING_REASONS[:3]))
        team.leavers.append(self.new_staff("SW", role, team.name, **fields))

    def replace_manager(self, team: TeamBuild) -> None:
        """The manager left months ago and an agency interim covers: turnover at manager level."""
        leaver = team.manager
        leaver.end_date = self.days_ago(self.rng.randint(90, 200))
        leaver.start_date = min(leaver.start_date, leaver.end_date - timedelta(days=300))
        leaver.leaving_reason = "Resigned: moved to another local authority"
        interim = self.new_staff(
            "TM", "team_manager", team.name, fte=1.0, agency=True,
            manager_id=leaver.manager_id,
            start_date=leaver.end_date + timedelta(days=self.rng.randint(1, 14)))
        team.previous_manager, team.manager = leaver, interim
        for member in team.practitioners + team.leavers:
            if member.end_date is None or member.end_date > leaver.end_date:
                member.manager_id = interim.staff_id

    # ---- cases ---------------------------------------------------------------------------
    def is_protected(self, member: StaffMember) -> bool:
        if member.asye_start is None:
            return False
        end = member.asye_end or member.asye_start + timedelta(days=ASYE_DAYS)
        return member.asye_start <= self.today < end

    def target_caseload(self, member: StaffMember) -> int:
        """Lead cases for a worker: most 12–18 per FTE, a few over 18×FTE, NQSWs lighter."""
        rng = self.rng
        cap = math.floor(CAP_PER_FTE * member.fte)
        if member.role == "nqsw":
            if member.staff_id in self.overloaded:
                return math.floor(_protected_cap(member.fte)) + 2
            if member.asye_start and (self.today - member.asye_start).days < 60:
                return rng.randint(4, 6)
            return round(member.fte * rng.uniform(7, 12))
        if member.staff_id in self.overloaded or rng.random() < 0.07:
            self.overloaded.add(member.staff_id)
            return cap + rng.randint(1, 4)
        return min(cap, round(member.fte * rng.uniform(13, 18.5)))

    def draw_case_type(self, kind: str, allow_cp: bool = True) -> str:
        mix = {t: w for t, w in CASE_MIX[kind].items() if allow_cp or t != "CP"}
        if not mix:
            return "OTHER"
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]

    def case_age(self, case_type: str) -> int:
        mean, most = CASE_AGE_DAYS[case_type]
        # Gamma (shape 1.5) rather than exponential: fewer cases opened this very week.
        return min(most, int(self.rng.gammavariate(1.5, mean / 1.5)))

    def open_case(self, team: TeamBuild, case_type: str, worker: StaffMember | None,
                  overdue_odds: float, age_days: int | None = None) -> CaseRecord:
        rng, today = self.rng, self.today
        age = self.case_age(case_type) if age_days is None else age_days
        if worker is not None:
            age = min(age, (today - worker.start_date).days + rng.randint(0, 365))
        start = self.days_ago(age)
        on_time, late = VISIT_GAP_DAYS[case_type]
        gap = rng.randint(*(late if rng.random() < overdue_odds else on_time))
        last_visit: date | None = max(self.days_ago(gap), start)
        if age <= 2 and rng.random() < 0.5:
            last_visit = None  # allocated yesterday, first visit not yet made
        case = CaseRecord(case_type=case_type, start_date=start, team=team.name,
                          allocated_worker_id=worker.staff_id if worker else "",
                          last_visit=last_visit, next_review=self.next_review(case_type, start))
        self.cases.append(case)
        if worker is not None:
            self.lead_counts[worker.staff_id] = self.lead_counts.get(worker.staff_id, 0) + 1
        return case

    def next_review(self, case_type: str, start: date) -> date | None:
        """Plan review due dates as the case system carries them; about 1 in 20 is past due."""
        rng, today = self.rng, self.today
        age = (today - start).days
        if case_type == "OTHER" and rng.random() < 0.7:
            return None
        if rng.random() < 0.05:
            overdue = self.days_ago(rng.randint(1, 45))
            if overdue > start:
                return overdue
        if case_type == "CP" and age < 90:
            return start + timedelta(days=90)  # first review conference at three months
        if case_type == "LAC" and age < 20:
            return start + timedelta(days=20)  # first looked-after review at 20 working days
        if case_type == "LAC" and age < 90:
            return start + timedelta(days=90)
        horizon = {"CP": 182, "LAC": 182, "CL": 182, "CIN": 90, "EH": 90, "OTHER": 60}[case_type]
        return today + timedelta(days=rng.randint(1, horizon))

    def closed_case(self, team: TeamBuild, worker: StaffMember) -> None:
        """A case closed in the last year: history only, never in a caseload."""
        rng = self.rng
        case_type = self.draw_case_type(team.kind, allow_cp=worker.role != "nqsw")
        end = self.days_ago(rng.randint(1, 364))
        duration = {"CP": (90, 500), "CIN": (30, 400), "LAC": (60, 1500), "CL": (365, 2500),
                    "EH": (30, 300), "OTHER": (5, 60)}[case_type]
        start = max(end - timedelta(days=rng.randint(*duration)),
                    worker.start_date - timedelta(days=rng.randint(0, 200)))
        if start >= end:
            start = end - timedelta(days=rng.randint(5, 60))
        last_visit = max(start, end - timedelta(days=rng.randint(0, 20)))
        self.cases.append(CaseRecord(case_type=case_type, start_date=start, team=team.name,
                                     allocated_worker_id=worker.staff_id, end_date=end,
                                     last_visit=last_visit))

    def build_cases(self) -> None:
        rng = self.rng
        for team in self.teams:
            first_case_index = len(self.cases)
            for worker in team.practitioners:
                overdue_odds = 0.17 if worker.staff_id in self.overloaded else 0.07
                may_lead_cp = not (worker.role == "nqsw" and self.is_protected(worker))
                for _ in range(self.target_caseload(worker)):
                    case_type = self.draw_case_type(team.kind, allow_cp=may_lead_cp)
                    self.open_case(team, case_type, worker, overdue_odds)
                if worker is self.demo.get("nqsw"):
                    # The deliberate breach: a new CP plan allocated to an NQSW as lead.
                    self.open_case(team, "CP", worker, 0.0, age_days=rng.randint(10, 40))
                for _ in range(rng.randint(2, 6)):
                    self.closed_case(team, worker)
            low, high = UNALLOCATED_RANGE[team.kind]
            unallocated = [self.draw_case_type(team.kind) for _ in range(rng.randint(low, high))]
            if team is self.teams[0]:
                unallocated = ["CP", "CIN"]
            for case_type in unallocated:
                waiting = rng.random() < 0.7  # new referral awaiting allocation
                age = rng.randint(0, 21) if waiting else rng.randint(60, 300)
                self.open_case(team, case_type, None, 0.1 if waiting else 0.6, age_days=age)
            self.add_co_workers(team, self.cases[first_case_index:])

    def add_co_workers(self, team: TeamBuild, team_cases: list[CaseRecord]) -> None:
        """NQSWs co-work CP cases (the protected way to learn CP work); SPs co-work a few others.

        A co-worker is only added while their lead plus co-worked cases stay under their cap,
        so a council that counts co-working in the caseload sees the same over-cap workers.
        """
        rng = self.rng
        learners = [p for p in team.practitioners if p.role == "nqsw" and self.is_protected(p)
                    and p.staff_id not in self.overloaded]
        seniors = [p for p in team.practitioners if p.role == "senior_practitioner"
                   and p.staff_id not in self.overloaded]

        def load(member: StaffMember) -> int:
            return (self.lead_counts.get(member.staff_id, 0)
                    + self.co_counts.get(member.staff_id, 0))

        for case in team_cases:
            if case.end_date is not None or not case.allocated_worker_id:
                continue
            if case.case_type == "CP" and learners and rng.random() < 0.4:
                candidates = [p for p in learners if p.staff_id != case.allocated_worker_id
                              and self.co_counts.get(p.staff_id, 0) < 3
                              and load(p) + 1 < _protected_cap(p.fte)]
            elif case.case_type in ("CP", "CIN", "LAC") and seniors and rng.random() < 0.03:
                candidates = [p for p in seniors if p.staff_id != case.allocated_worker_id
                              and load(p) + 1 <= math.floor(CAP_PER_FTE * p.fte)]
            else:
                continue
            if candidates:
                co_worker = rng.choice(candidates)
                case.co_worker_id = co_worker.staff_id
                self.co_counts[co_worker.staff_id] = self.co_counts.get(co_worker.staff_id, 0) + 1

    def assign_case_refs(self) -> None:
        """References rise with the start date, as a case system issues them."""
        number = 1_000_000 + self.rng.randint(0, 200_000)
        order = sorted(range(len(self.cases)), key=lambda i: (self.cases[i].start_date, i))
        for index in order:
            number += self.rng.randint(1, 9)
            self.cases[index].case_ref = f"CR-{number:07d}"
        self.cases.sort(key=lambda case: case.case_ref)

    # ---- supervision ---------------------------------------------------------------------
    def supervisor_on(self, team: TeamBuild, member: StaffMember, day: date) -> str:
        """Whoever managed the team that day: the previous manager, or the head in the gap."""
        if member.role == "team_manager":
            return member.manager_id
        if team.manager.start_date <= day:
            return team.manager.staff_id
        previous = team.previous_manager
        if previous and previous.end_date and day <= previous.end_date:
            return previous.staff_id
        return next(h.staff_id for h in self.heads if h.team == team.service.name)

    def supervision_dates(self, member: StaffMember) -> list[date]:
        """About six months of sessions; ASYE workers at the ASYE frequency, others 3–5 weekly."""
        rng, today = self.rng, self.today
        last_day = min(today, member.end_date) if member.end_date else today
        window_start = max(self.days_ago(HISTORY_DAYS), member.start_date + timedelta(days=5))
        dates: list[date] = []
        if member.asye_start is not None:
            asye_start = member.asye_start
            day = max(asye_start + timedelta(days=rng.randint(2, 5)), window_start)
            while day <= last_day:
                dates.append(day)
                age = (day - asye_start).days
                interval = 7 if age < 42 else 14 if age < 182 else 28
                # Never later than the frequency, so whoever is on time stays on time.
                day += timedelta(days=interval - rng.randint(0, 2))
        else:
            day = window_start + timedelta(days=rng.randint(0, 14))
            while day <= last_day:
                dates.append(day)
                day += timedelta(days=rng.randint(21, 33))
        if member.end_date is not None:
            return dates
        if member.staff_id in self.supervision_overdue:
            gap = rng.randint(20, 30) if member.asye_start else rng.randint(32, 70)
            dates = [d for d in dates if d <= self.days_ago(gap)]
            if not dates and self.days_ago(gap) >= member.start_date:
                dates = [self.days_ago(gap)]
        elif not dates or (today - dates[-1]).days > 27:
            on_time = max(member.start_date, self.days_ago(rng.randint(0, 10)))
            if not dates or on_time > dates[-1]:
                dates.append(on_time)
        return dates

    def build_supervisions(self) -> list[dict[str, str]]:
        rng = self.rng
        rows: list[dict[str, str]] = []
        for team in self.teams:
            people = [team.manager] + ([team.previous_manager] if team.previous_manager else [])
            people += team.practitioners + team.leavers
            for member in people:
                qualified = member.asye_start is None
                settled = (self.today - member.start_date).days >= 100  # has a history to miss
                if (member.end_date is None and qualified and settled
                        and member.staff_id not in self.demo_ids() and rng.random() < 0.12):
                    self.supervision_overdue.add(member.staff_id)
                for day in self.supervision_dates(member):
                    in_asye = not qualified and self.is_protected_on(member, day)
                    kind = ("reflective" if in_asye or rng.random() < 0.2 else "formal")
                    rows.append({"staff_id": member.staff_id, "date": day.isoformat(),
                                 "supervisor_id": self.supervisor_on(team, member, day),
                                 "kind": kind})
        return rows

    def demo_ids(self) -> set[str]:
        return {member.staff_id for member in self.demo.values()}

    def is_protected_on(self, member: StaffMember, day: date) -> bool:
        if member.asye_start is None:
            return False
        end = member.asye_end or member.asye_start + timedelta(days=ASYE_DAYS)
        return member.asye_start <= day < end

    # ---- actions -------------------------------------------------------------------------
    def due_and_done(self, due: str) -> tuple[date, str, date | None]:
        """Due date, status and completion date for an action in the given state today."""
        rng = self.rng
        if due == "done":
            due_date = self.days_ago(rng.randint(20, 200))
            late = rng.random() < 0.3
            completed = (due_date + timedelta(days=rng.randint(1, 14)) if late
                         else due_date - timedelta(days=rng.randint(0, 30)))
            return due_date, "done", min(completed, self.today)
        if due == "overdue":
            return self.days_ago(rng.randint(3, 90)), rng.choice(("open", "in_progress")), None
        if due == "soon":
            return self.today + timedelta(days=rng.randint(1, 28)), "in_progress", None
        return self.today + timedelta(days=rng.randint(35, 180)), "open", None

    def owner(self, spec: str) -> StaffMember:
        if spec == "demo_tm":
            return self.demo["team_manager"]
        kind, index = spec.split(":")
        if kind == "head":
            return self.heads[int(index)]
        return self.rng.choice([team.manager for team in self.teams_of(int(index))])

    def build_actions(self) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = []
        for planned in OFSTED_ACTIONS:
            due_date, status, completed = self.due_and_done(planned.due)
            rows.append({
                "plan": PLAN_OFSTED, "ref": planned.ref, "action": planned.action,
                "owner_id": self.owner(planned.owner).staff_id, "due_date": _iso(due_date),
                "area": planned.area, "agency": planned.agency, "measure": planned.measure,
                "status": status, "completed_date": _iso(completed),
                "evidence": planned.evidence if status == "done" else "",
            })
        team_of = {team.name: team for team in self.teams}
        open_allocated = [c for c in self.cases if c.end_date is None and c.allocated_worker_id]
        for number, (area, case_type, text, measure, due, evidence) in enumerate(
            AUDIT_ACTIONS, start=1
        ):
            if case_type == "ALL":
                owner, action = self.heads[0], text
            else:
                pool = [c for c in open_allocated if c.case_type == case_type]
                if case_type == "CP":
                    with_co = [c for c in pool if c.co_worker_id]
                    pool = with_co if "co-working" in text and with_co else pool
                case = self.rng.choice(pool) if pool else self.rng.choice(open_allocated)
                owner, action = team_of[case.team].manager, text.format(ref=case.case_ref)
            due_date, status, completed = self.due_and_done(due)
            rows.append({
                "plan": PLAN_AUDIT, "ref": f"CFA-{number:02d}", "action": action,
                "owner_id": owner.staff_id, "due_date": _iso(due_date), "area": area,
                "agency": CSC, "measure": measure, "status": status,
                "completed_date": _iso(completed), "evidence": evidence if status == "done" else "",
            })
        return rows

    def team_rows(self) -> list[dict[str, str]]:
        return [
            {"team": team.name, "service": team.service.name,
             "manager_id": team.manager.staff_id,
             "establishment_fte": f"{team.establishment_fte:.1f}",
             "digest_channel": team.service.digest_channel, "teams_channel": ""}
            for team in self.teams
        ]


def _write_csv(path: Path, header: Sequence[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate_council(
    out_dir: Path, today: date, seed: int = 7, scale: float = 1.0
) -> dict[str, int]:
    """Write the five CSVs; return row counts per kind.

    `today` is the date the council is seen from (nothing reads the clock), `seed` makes the
    files reproducible, and `scale` multiplies the number of teams (8 per service at 1.0, at least
    one), so workers keep realistic caseloads at any size. Returns ``{"teams": n, "staff": n,
    "cases": n, "supervisions": n, "actions": n}`` (cases include those closed in the past year).
    """
    if scale <= 0:
        raise ValueError(f"scale must be above 0, not {scale}")
    builder = _CouncilBuilder(today, seed, scale)
    builder.build_staff()
    builder.build_cases()
    builder.assign_case_refs()
    supervision_rows = builder.build_supervisions()
    action_rows = builder.build_actions()
    rows_by_kind: dict[str, list[dict[str, str]]] = {
        "teams": builder.team_rows(),
        "staff": [member.row() for member in builder.staff],
        "cases": [case.row() for case in builder.cases],
        "supervisions": supervision_rows,
        "actions": action_rows,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for kind, rows in rows_by_kind.items():
        _write_csv(out_dir / f"{kind}.csv", HEADERS[kind], rows)
    return {kind: len(rows) for kind, rows in rows_by_kind.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: the one place the clock is read, when --today is not given."""
    parser = argparse.ArgumentParser(
        prog="python -m demo.generate",
        description=f"Write the synthetic {COUNCIL_NAME} as the five import CSV files.",
    )
    parser.add_argument("out_dir", type=Path, help="folder to write the CSV files into")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the date the data is seen from, YYYY-MM-DD (default: today)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size: 1.0 is a county (24 teams); teams scale with it")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    counts = generate_council(args.out_dir, args.today or date.today(), args.seed, args.scale)
    for kind, count in counts.items():
        print(f"{kind}.csv: {count} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
