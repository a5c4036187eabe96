"""Who may see what (SPEC section 2), decided here so every front end obeys the same rules.

A refusal is a result, not an exception: the caller renders and audits it like any answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from commands import PersonRef
from models import Service, Staff, Team
from queries.results import Refusal

NOT_REGISTERED = Refusal(
    reason="Sorry, I don't know who you are yet, so I can't show you any caseload information.",
    hint=(
        "Ask your team manager or the caseload bot administrator to add your chat account "
        "(or the e-mail address your chat account uses) to your staff record."
    ),
)


@dataclass(frozen=True)
class Identity:
    """What a front end knows about the person asking, before we know who they are."""

    front_end: str
    slack_user_id: str | None = None
    teams_user_id: str | None = None
    email: str | None = None
    staff_id: str | None = None

    @property
    def label(self) -> str:
        """How the audit log names an asker we could not match (never a token)."""
        return (
            self.staff_id or self.slack_user_id or self.teams_user_id or self.email or "unknown"
        )


@dataclass(frozen=True)
class Asker:
    id: int
    staff_id: str
    name: str
    role: str  # access role: practitioner, team_manager, head_of_service, admin
    team_id: int | None
    service_id: int | None
    managed_team_ids: frozenset[int]

    @property
    def is_manager(self) -> bool:
        return self.role in {"team_manager", "head_of_service", "admin"}


def find_staff(session: Session, identity: Identity, today: date) -> Staff | None:
    """Match a chat user to one staff record: platform id first, then e-mail, then staff id."""
    conditions = []
    if identity.slack_user_id:
        conditions.append(Staff.slack_user_id == identity.slack_user_id)
    if identity.teams_user_id:
        conditions.append(Staff.teams_user_id == identity.teams_user_id)
    if identity.email:
        conditions.append(func.lower(Staff.email) == identity.email.strip().lower())
    if identity.staff_id:
        conditions.append(Staff.staff_id == identity.staff_id.strip())
        conditions.append(func.lower(Staff.email) == identity.staff_id.strip().lower())
    if not conditions:
        return None
    candidates = session.exec(select(Staff).where(or_(*conditions))).all()
    in_post = [s for s in candidates if s.end_date is None or s.end_date >= today]
    for matches in (
        [s for s in in_post if identity.slack_user_id and s.slack_user_id == identity.slack_user_id],
        [s for s in in_post if identity.teams_user_id and s.teams_user_id == identity.teams_user_id],
        in_post,
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            return None  # ambiguous: refuse rather than guess who is asking
    return None


def asker_for(session: Session, staff: Staff) -> Asker:
    """The asker's scope: which teams they manage (a head of service: every team in the service)."""
    if staff.access_role == "head_of_service" and staff.service_id is not None:
        team_filter = Team.service_id == staff.service_id
    elif staff.access_role == "admin":
        team_filter = True  # type: ignore[assignment]
    else:
        team_filter = Team.manager_id == staff.id
    managed = session.exec(select(Team.id).where(team_filter)).all()
    return Asker(
        id=staff.id,  # type: ignore[arg-type]
        staff_id=staff.staff_id,
        name=staff.name,
        role=staff.access_role,
        team_id=staff.team_id,
        service_id=staff.service_id,
        managed_team_ids=frozenset(managed) if staff.access_role != "practitioner" else frozenset(),
    )


def resolve_asker(session: Session, identity: Identity, today: date) -> Asker | None:
    staff = find_staff(session, identity, today)
    return asker_for(session, staff) if staff else None


def can_see(asker: Asker, staff: Staff) -> bool:
    """Own records always; a manager's teams and direct reports; a head's service; admin all."""
    if asker.role == "admin" or staff.id == asker.id:
        return True
    if asker.role == "practitioner":
        return False
    if staff.manager_id == asker.id:
        return True
    if staff.team_id is not None and staff.team_id in asker.managed_team_ids:
        return True
    return asker.role == "head_of_service" and staff.service_id == asker.service_id


def may_manage(asker: Asker, staff: Staff) -> bool:
    """Line manager or manager of their team: the people who may log supervision for them."""
    if staff.id == asker.id:
        return False
    return staff.manager_id == asker.id or (
        asker.role == "team_manager" and staff.team_id in asker.managed_team_ids
    )


def find_person(session: Session, person: PersonRef) -> list[Staff]:
    """Every staff record the reference could mean (more than one means ask again)."""
    value = person.value.strip()
    if person.kind == "slack_user":
        condition = Staff.slack_user_id == value
    elif person.kind == "teams_user":
        condition = or_(Staff.teams_user_id == value, func.lower(Staff.name) == value.lower())
    elif person.kind == "email":
        condition = func.lower(Staff.email) == value.lower()
    elif person.kind == "staff_id":
        condition = or_(func.lower(Staff.staff_id) == value.lower(),
                        func.lower(Staff.email) == value.lower())
    else:
        lowered = value.lower().lstrip("@")
        condition = or_(
            func.lower(Staff.name) == lowered.replace(".", " ").replace("_", " "),
            func.lower(Staff.staff_id) == lowered,
            func.lower(Staff.email).startswith(lowered + "@"),
        )
    return list(session.exec(select(Staff).where(condition)).all())


def resolve_person(session: Session, asker: Asker, person: PersonRef) -> Staff | Refusal:
    """The named person, if the asker may see them; otherwise a refusal that says why."""
    matches = find_person(session, person)
    if not matches:
        return Refusal(
            reason=f"I couldn't find anyone called '{person.value}'.",
            hint="Name them as an @mention, their staff id (e.g. SW0042) or their work e-mail.",
        )
    visible = [staff for staff in matches if can_see(asker, staff)]
    if not visible:
        return Refusal(
            reason=f"You can't see {matches[0].name}'s records: they are outside your teams.",
            hint="Managers see their own teams; heads of service see their service.",
        )
    if len(visible) > 1:
        ids = ", ".join(staff.staff_id for staff in visible[:5])
        return Refusal(
            reason=f"'{person.value}' matches more than one person ({ids}).",
            hint="Use their staff id or e-mail instead.",
        )
    return visible[0]


def resolve_team(session: Session, asker: Asker, team_name: str) -> Team | Refusal:
    team = session.exec(
        select(Team).where(func.lower(Team.name) == " ".join(team_name.split()).lower())
    ).first()
    if team is None:
        names = session.exec(select(Team.name).where(Team.id.in_(visible_team_ids(asker) or [-1]))  # type: ignore[union-attr]
                             if asker.role != "admin" else select(Team.name)).all()
        listing = ", ".join(sorted(names)[:12])
        return Refusal(
            reason=f"There is no team called '{team_name}'.",
            hint=f"Your teams: {listing}." if listing else "Check the team's name with your manager.",
        )
    if asker.role != "admin" and team.id not in asker.managed_team_ids:
        return Refusal(
            reason=f"You can't see team {team.name}: it is not one of your teams.",
            hint="Managers see the teams they manage; heads of service see their service.",
        )
    return team


def visible_team_ids(asker: Asker) -> frozenset[int]:
    return asker.managed_team_ids


def service_name(session: Session, service_id: int | None) -> str | None:
    if service_id is None:
        return None
    service = session.get(Service, service_id)
    return service.name if service else None
