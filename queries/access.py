"""Who may see what (SPEC section 2), decided here so every front end obeys the same rules.

A refusal is a result, not an exception: the caller renders and audits it like any answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from commands import PersonRef
from models import ImportRun, Staff, Team
from queries.results import Refusal

#: One wording for "there is no such person, team, plan or action" and "there is, but it is
#: outside your scope": a refusal must never tell the asker that something they may not see
#: exists, nor name it (SPEC section 2).
NOT_FOUND_OR_NOT_YOURS = "not found or not yours to see"


def not_found_or_not_yours(what: str, hint: str) -> Refusal:
    """The one refusal for a person, team, plan or action that is missing or out of scope;
    `what` is only ever what the asker typed, never a name from the store."""
    return Refusal(reason=f"I can't show you {what}: {NOT_FOUND_OR_NOT_YOURS}.", hint=hint)


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
    managed_team_names: tuple[str, ...] = ()
    team_name: str = ""
    staff: Staff | None = field(default=None, compare=False, repr=False)
    #: When the store's data was last loaded (UTC), read in the same statement as the asker so
    #: every answer can say how fresh it is at no extra round trip; None before any load.
    data_loaded_at: datetime | None = field(default=None, compare=False)

    @property
    def is_manager(self) -> bool:
        return self.role in {"team_manager", "head_of_service", "admin"}


def identity_conditions(identity: Identity) -> list:  # type: ignore[type-arg]
    """SQL conditions that could match the asker: platform id, e-mail, or staff id."""
    conditions = []
    if identity.slack_user_id:
        conditions.append(Staff.slack_user_id == identity.slack_user_id)
    if identity.teams_user_id:
        conditions.append(Staff.teams_user_id == identity.teams_user_id)
    if identity.email:
        conditions.append(func.lower(Staff.email) == identity.email.strip().lower())
    if identity.staff_id:  # a staff id in any case: the unique index on lower(staff_id)
        conditions.append(func.lower(Staff.staff_id) == identity.staff_id.strip().lower())
        conditions.append(func.lower(Staff.email) == identity.staff_id.strip().lower())
    return conditions


def choose_staff(candidates: list[Staff], identity: Identity, today: date) -> Staff | None:
    """One staff record in post: platform id first, then any other match; never a guess."""
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


def find_staff(session: Session, identity: Identity, today: date) -> Staff | None:
    """Match a chat user to one staff record: platform id first, then e-mail, then staff id."""
    conditions = identity_conditions(identity)
    if not conditions:
        return None
    return choose_staff(list(session.exec(select(Staff).where(or_(*conditions))).all()),
                        identity, today)


#: Built once: an alias costs more to build than the rest of the statement.
MANAGED_TEAM = aliased(Team, name="managed_team")
OWN_TEAM = aliased(Team, name="own_team")
#: The latest accepted load, as a column of the asker's statement.
LAST_LOAD = (select(func.max(ImportRun.at)).where(ImportRun.refused == false())
             .scalar_subquery().label("data_loaded_at"))


def resolve_asker(session: Session, identity: Identity, today: date) -> Asker | None:
    """The asker and the teams they manage, in one statement (it starts every answer).

    A team manager manages the teams naming them as manager; a head of service every team in
    their service; an admin every team. Practitioners manage none, whatever the data says.
    """
    conditions = identity_conditions(identity)
    if not conditions:
        return None
    managed, own = MANAGED_TEAM, OWN_TEAM
    rows = session.exec(
        select(Staff, managed.id, managed.name, own.name, LAST_LOAD)
        .outerjoin(own, own.id == Staff.team_id)
        .outerjoin(
            managed,
            or_(
                and_(Staff.role == "team_manager", managed.manager_id == Staff.id),
                and_(Staff.role == "head_of_service", managed.service_id == Staff.service_id),
                Staff.role == "admin",
            ),
        )
        .where(or_(*conditions))
    ).all()
    candidates = list({staff.id: staff for staff, *_rest in rows}.values())
    loaded_at = rows[0][4] if rows else None
    staff = choose_staff(candidates, identity, today)
    if staff is None:
        return None
    teams = {team_id: name for row_staff, team_id, name, _own, _loaded in rows
             if row_staff.id == staff.id and team_id is not None}
    own_team = next((own_name for row_staff, _id, _name, own_name, _loaded in rows
                     if row_staff.id == staff.id), None)
    return Asker(
        id=staff.id,  # type: ignore[arg-type]
        staff_id=staff.staff_id,
        name=staff.name,
        role=staff.access_role,
        team_id=staff.team_id,
        service_id=staff.service_id,
        managed_team_ids=frozenset(teams) if staff.access_role != "practitioner" else frozenset(),
        managed_team_names=tuple(sorted(teams.values()))
        if staff.access_role != "practitioner" else (),
        team_name=own_team or "",
        staff=staff,
        data_loaded_at=loaded_at,
    )


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


@dataclass(frozen=True)
class Person:
    """A named member of staff with their team's name (loaded together: one statement)."""

    staff: Staff
    team: str


def name_words(text: str) -> list[str]:
    """A name as comparable words: "Murphy, Imran", "imran.murphy" and "Imran  Murphy" all
    become ["imran", "murphy"] (order is compared separately, so "Surname, First" works)."""
    cleaned = text.lower().lstrip("@").replace(",", " ").replace(".", " ").replace("_", " ")
    return cleaned.split()


def name_fits(staff_name: str, asked: list[str]) -> bool:
    """Every word asked is one of the person's name words: "Murphy" fits Imran Murphy, so do
    "Imran", "Imran Murphy" and "Murphy Imran"; "Murph" does not (no guessing at names)."""
    words = name_words(staff_name.replace("-", " ")) + name_words(staff_name)
    return bool(asked) and all(word in words for word in asked)


def _like_word(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_person(session: Session, person: PersonRef) -> list[Person]:
    """Every staff record the reference could mean (more than one means ask again).

    A plain name matches people whose name holds every word of it, in any order (a full name,
    a surname, a first name, "Surname, First"), or whose staff id or e-mail starts with it
    ("imran.murphy"). A Teams mention matches its user id; failing that, the full name from
    its mention entity."""
    value = person.value.strip()
    words: list[str] = []
    if person.kind == "slack_user":
        condition = Staff.slack_user_id == value
    elif person.kind == "teams_user":
        full_name = (person.label or value).strip().lower()
        condition = or_(Staff.teams_user_id == value, func.lower(Staff.name) == full_name)
    elif person.kind == "email":
        condition = func.lower(Staff.email) == value.lower()
    elif person.kind == "staff_id":
        condition = or_(func.lower(Staff.staff_id) == value.lower(),
                        func.lower(Staff.email) == value.lower())
    else:
        lowered = value.lower().lstrip("@")
        words = name_words(value)
        condition = or_(
            and_(*(func.lower(Staff.name).like(_like_word(word), escape="\\")
                   for word in words)) if words else False,
            func.lower(Staff.staff_id) == lowered,
            func.lower(Staff.email).startswith(lowered + "@"),
        )
    rows = session.exec(
        select(Staff, Team.name).outerjoin(Team, Team.id == Staff.team_id).where(condition)
    ).all()
    found = [Person(staff, team or "") for staff, team in rows]
    if person.kind == "teams_user":
        by_id = [match for match in found if match.staff.teams_user_id == value]
        return by_id or found
    if person.kind == "name":
        lowered = value.lower().lstrip("@")
        exact = [match for match in found
                 if match.staff.staff_id.lower() == lowered
                 or match.staff.email.lower().startswith(lowered + "@")
                 or name_words(match.staff.name) == words]
        return exact or [match for match in found if name_fits(match.staff.name, words)]
    return found


def resolve_person(session: Session, asker: Asker, person: PersonRef) -> Person | Refusal:
    """The named person, if the asker may see them; otherwise the same refusal whether nobody
    has that name or somebody the asker may not see does."""
    visible = [match for match in find_person(session, person) if can_see(asker, match.staff)]
    if not visible:
        return not_found_or_not_yours(
            f"'{person.label or person.value}'",
            "Name them as an @mention, their staff id (e.g. SW0042) or their work e-mail. "
            "Managers see their own teams; heads of service see their service.")
    if len(visible) > 1:
        return Refusal(reason=f"'{person.label or person.value}' matches more than one person: "
                              f"{choices(visible)}.",
                       hint=f"Try: the staff id of the one you mean, e.g. "
                            f"{visible[0].staff.staff_id}.")
    return visible[0]


#: How many people a "which one do you mean?" answer lists.
MAX_CHOICES = 8


def choices(people: list[Person]) -> str:
    """"Imran Murphy (SW0042, Assessment North), Ian Murphy (SW0043, …)", for the asker to
    pick from: only people they may see are ever passed in."""
    shown = sorted(people, key=lambda match: (match.staff.name, match.staff.staff_id))
    listed = ", ".join(f"{match.staff.name} ({joined_id_team(match)})"
                       for match in shown[:MAX_CHOICES])
    more = len(people) - MAX_CHOICES
    return listed + (f" and {more} more" if more > 0 else "")


def joined_id_team(match: Person) -> str:
    return ", ".join(part for part in (match.staff.staff_id, match.team) if part)


def resolve_team(session: Session, asker: Asker, team_name: str) -> Team | Refusal:
    """The named team (case and spacing ignored), if it is one of the asker's teams; otherwise
    the same refusal whether there is no such team or it is someone else's.

    An admin's managed teams are every team, so the asker's team names answer "which teams do
    you mean?" without another statement.
    """
    team = session.exec(
        select(Team).where(func.lower(Team.name) == " ".join(team_name.split()).lower())
    ).first()
    if team is not None and (asker.role == "admin" or team.id in asker.managed_team_ids):
        return team
    listing = ", ".join(asker.managed_team_names[:12])
    more = len(asker.managed_team_names) - 12
    return not_found_or_not_yours(
        f"team '{' '.join(team_name.split())}'",
        f"Your teams: {listing}{f' and {more} more' if more > 0 else ''}." if listing
        else "Managers see the teams they manage; heads of service see their service.")
