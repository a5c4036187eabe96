"""Who may see what (SPEC section 2), decided here so every front end obeys the same rules.

A refusal is a result, not an exception: the caller renders and audits it like any answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, false, func, or_
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from commands import PersonRef
from models import ImportRun, Staff, Team
from models.organisation import ACCESS_ROLE_BY_JOB_ROLE
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


#: A member of staff as the rules read them: a `Staff`, or a Core row with the staff columns by
#: name (the asker and a named person are read as rows: no ORM object on the answer's path).
StaffFacts = Any


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
    staff: StaffFacts = field(default=None, compare=False, repr=False)
    #: When the store's data was last loaded (UTC), read in the same statement as the asker so
    #: every answer can say how fresh it is at no extra round trip; None before any load.
    data_loaded_at: datetime | None = field(default=None, compare=False)

    @property
    def is_manager(self) -> bool:
        return self.role in {"team_manager", "head_of_service", "admin"}


def identity_values(identity: Identity) -> dict[str, str]:
    """The ids an identity carries, as they are matched: an e-mail or staff id stripped and
    lowered (the unique indexes on lower(email) and lower(staff_id)); only those given."""
    given = {"slack": identity.slack_user_id, "teams": identity.teams_user_id,
             "email": identity.email, "staff_id": identity.staff_id}
    values = {name: value for name, value in given.items() if value}
    for name in ("email", "staff_id"):
        if name in values:
            values[name] = values[name].strip().lower()
    return values


def identity_matches(ids: dict[str, Any]) -> list:  # type: ignore[type-arg]
    """SQL conditions that could match the asker, from `identity_values` or bound parameters
    named like them: platform id, e-mail, or staff id (a staff id in any case, or an e-mail)."""
    conditions = []
    if "slack" in ids:
        conditions.append(Staff.slack_user_id == ids["slack"])
    if "teams" in ids:
        conditions.append(Staff.teams_user_id == ids["teams"])
    if "email" in ids:
        conditions.append(func.lower(Staff.email) == ids["email"])
    if "staff_id" in ids:
        conditions.append(func.lower(Staff.staff_id) == ids["staff_id"])
        conditions.append(func.lower(Staff.email) == ids["staff_id"])
    return conditions


def identity_conditions(identity: Identity) -> list:  # type: ignore[type-arg]
    """SQL conditions that could match the asker: platform id, e-mail, or staff id."""
    return identity_matches(identity_values(identity))


def choose_staff(candidates: list[StaffFacts], identity: Identity, today: date
                 ) -> StaffFacts | None:
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


_staff = Staff.__table__  # type: ignore[attr-defined]
_team = Team.__table__  # type: ignore[attr-defined]
_managed = _team.alias("managed_team")
_own = _team.alias("own_team")
#: The latest accepted load, as a column of the asker's statement.
LAST_LOAD = (select(func.max(ImportRun.at)).where(ImportRun.refused == false())
             .scalar_subquery().label("data_loaded_at"))
#: Lower than any key: an admin manages every team.
_EVERY_KEY = -(2 ** 31)
#: The teams a member of staff manages, by their job role. Each arm compares a team column with
#: a value of the staff row (NULL for the other roles), so PostgreSQL looks the teams up in the
#: team indexes; `role = 'admin' OR …` made it read every team in the store for every asker.
_MANAGES = or_(
    _managed.c.manager_id == case((_staff.c.role == "team_manager", _staff.c.id)),
    _managed.c.service_id == case((_staff.c.role == "head_of_service", _staff.c.service_id)),
    _managed.c.id >= case((_staff.c.role == "admin", _EVERY_KEY)),
)
#: The asker's statement without its identity conditions: the staff columns by name, then the
#: managed team (`managed_id`, `managed_name`), the own team's name and the last load.
_ASKER = (
    core_select(_staff, _managed.c.id.label("managed_id"), _managed.c.name.label("managed_name"),
           _own.c.name.label("own_team"), LAST_LOAD)
    .select_from(_staff.outerjoin(_own, _own.c.id == _staff.c.team_id)
                 .outerjoin(_managed, _MANAGES))
)
#: The kinds of id an identity carries → the asker's statement for them, built on first use.
_ASKER_BY_KINDS: dict[tuple[str, ...], Any] = {}


def _asker_statement(identity: Identity) -> tuple[Any, dict[str, str]]:
    """The asker's statement for the kinds of id this identity carries (built once per kind,
    with bound parameters named as `identity_values` names them), and its parameters."""
    values = identity_values(identity)
    kinds = tuple(values)
    statement = _ASKER_BY_KINDS.get(kinds)
    if statement is None and values:
        bound = {name: bindparam(name) for name in kinds}
        statement = _ASKER_BY_KINDS[kinds] = _ASKER.where(or_(*identity_matches(bound)))
    return statement, values


def resolve_asker(session: Session, identity: Identity, today: date) -> Asker | None:
    """The asker and the teams they manage, in one statement (it starts every answer).

    A team manager manages the teams naming them as manager; a head of service every team in
    their service; an admin every team. Practitioners manage none, whatever the data says.
    The statement is built once (per kind of id) and read as Core rows: the asker's `staff` is
    a row with the staff columns by name.
    """
    statement, parameters = _asker_statement(identity)
    if statement is None:
        return None
    rows = session.connection().execute(statement, parameters).all()
    candidates = list({row.id: row for row in rows}.values())
    loaded_at = rows[0].data_loaded_at if rows else None
    staff = choose_staff(candidates, identity, today)  # type: ignore[arg-type]
    if staff is None:
        return None
    teams = {row.managed_id: row.managed_name for row in rows
             if row.id == staff.id and row.managed_id is not None}
    access_role = ACCESS_ROLE_BY_JOB_ROLE.get(staff.role, "practitioner")
    return Asker(
        id=staff.id,  # type: ignore[arg-type]
        staff_id=staff.staff_id,
        name=staff.name,
        role=access_role,
        team_id=staff.team_id,
        service_id=staff.service_id,
        managed_team_ids=frozenset(teams) if access_role != "practitioner" else frozenset(),
        managed_team_names=tuple(sorted(teams.values()))
        if access_role != "practitioner" else (),
        team_name=staff.own_team or "",
        staff=staff,
        data_loaded_at=loaded_at,
    )


def can_see(asker: Asker, staff: StaffFacts) -> bool:
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


def may_manage(asker: Asker, staff: StaffFacts) -> bool:
    """Line manager or manager of their team: the people who may log supervision for them."""
    if staff.id == asker.id:
        return False
    return staff.manager_id == asker.id or (
        asker.role == "team_manager" and staff.team_id in asker.managed_team_ids
    )


@dataclass(frozen=True)
class Person:
    """A named member of staff with their team's name (loaded together: one statement)."""

    staff: StaffFacts
    team: str


#: A named person's statement without its condition: the staff columns by name and their own
#: team's name (`own_team`).
_PERSON = core_select(_staff, _own.c.name.label("own_team")).select_from(
    _staff.outerjoin(_own, _own.c.id == _staff.c.team_id))
_VALUE, _LOWERED = bindparam("value"), bindparam("lowered")
#: The statement for each kind of reference but a plain name, built once.
_PERSON_BY_KIND = {
    "slack_user": _PERSON.where(Staff.slack_user_id == _VALUE),
    "teams_user": _PERSON.where(or_(Staff.teams_user_id == _VALUE,
                                    func.lower(Staff.name) == bindparam("full_name"))),
    "email": _PERSON.where(func.lower(Staff.email) == _LOWERED),
    "staff_id": _PERSON.where(or_(func.lower(Staff.staff_id) == _LOWERED,
                                  func.lower(Staff.email) == _LOWERED)),
}


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
    parameters: dict[str, str] = {"value": value, "lowered": value.lower()}
    if person.kind == "teams_user":
        parameters["full_name"] = (person.label or value).strip().lower()
    statement = _PERSON_BY_KIND.get(person.kind)
    if statement is None:  # a plain name: as many LIKEs as it has words
        lowered = value.lower().lstrip("@")
        words = name_words(value)
        statement = _PERSON.where(or_(
            and_(*(func.lower(Staff.name).like(_like_word(word), escape="\\")
                   for word in words)) if words else False,
            func.lower(Staff.staff_id) == lowered,
            func.lower(Staff.email).startswith(lowered + "@"),
        ))
    rows = session.connection().execute(statement, parameters).all()
    found = [Person(row, row.own_team or "") for row in rows]
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
