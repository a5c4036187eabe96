"""Breach alerts after each import (SPEC section 10): a breach that has newly arisen goes to the
manager at once, once per breach episode.

The walk: `send_alerts_after_import` runs every detector in `DETECTORS` over the store as the
import left it, compares what they find with the open `AlertEpisode`s (models.reminders), opens
an episode for each breach not already open (and alerts its people), and clears each open
episode no detector found this time. A breach that clears and comes back opens a new episode,
so it is alerted again; one that persists across imports is alerted once.

Who hears: the manager of the team the breach is in (Team.manager_id); for a case unallocated
too long, the service's head of service as well. Each alert is a DM through jobs.delivery keyed
("alert", service, "episode-<id>", DM), so two imports finishing together, or a retry, send it
once. It names the case reference or the worker, says what to do, and carries a button that
runs the command showing the detail (Slack button / Teams Action.Submit, render.notes).

Detectors are small functions (session, today, settings) → list[Breach], computed by the same
query functions `/caseload`, `/protected` and `/staffing agency` use; to add one, write it beside
the others and put it in `DETECTORS`. Each passes over the whole council, so none holds every
open case at once: the over-cap check takes a few teams at a time and streams their cases.

Call this after every import that commits: `bot.py import` does; the folder import and the
nightly ingest must too (see the module's callers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, cast, literal
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from config import Settings
from jobs.delivery import deliver
from jobs.notes import NoteHeader, NoteMessage, NotePoster, PacedSender, destination_for
from models import AlertEpisode, Case, CaseAllocation, Delivery, Staff, Team
from queries.calendar import working_days_between
from queries.results import count_of
from queries.caseload import (
    in_post_on,
    stream_open_cases,
    team_workers,
    without_lead,
    worker_loads,
)
from queries.id_sets import one_of
from queries.protection import nqsws_in_teams, protection_statuses
from render.notes import Button, Note, Section

log = logging.getLogger(__name__)

ALERT = "alert"


@dataclass(frozen=True)
class Breach:
    """One breach as a detector sees it today."""

    kind: str  # one of ALERT_TITLES
    subject: str  # the case reference or the worker's staff id (the episode's key)
    team_id: int  # whose manager hears of it
    what: str  # what is wrong, naming the case reference or the worker
    to_do: str  # what the manager should do
    command: str  # the command that shows the detail (the alert's button)
    to_head_of_service: bool = False


Detector = Callable[[Session, date, Settings], list[Breach]]

ALERT_TITLES = {
    "nqsw_cp_lead": "NQSW made lead on a CP case",
    "over_cap": "Worker over their caseload cap",
    "unallocated": "Case unallocated too long",
    "agency_rules": "Agency worker outside the agency rules",
}


def all_team_ids(session: Session) -> list[int]:
    return list(session.exec(select(Team.id).order_by(Team.id)).all())  # type: ignore[arg-type]


#: Teams the over-cap check takes at a time: their workers are held, their cases streamed past.
ALERT_TEAMS_PER_PASS = 100


def nqsw_leading_cp(session: Session, today: date, settings: Settings) -> list[Breach]:
    """An NQSW in the protected year who leads a CP case (queries.protection's rule)."""
    nqsws = nqsws_in_teams(session, all_team_ids(session), today, settings)
    team_of = {staff.staff_id: staff.team_id for staff, _team in nqsws}
    found = []
    for status in protection_statuses(session, nqsws, today, settings):
        for case_ref in status.cp_lead_cases:
            found.append(Breach(
                "nqsw_cp_lead", f"{status.staff_id}/{case_ref}", team_of[status.staff_id],  # type: ignore[arg-type]
                f"{status.name} ({status.staff_id}) is in their protected year and is lead "
                f"worker on CP case {case_ref}.",
                f"Reallocate {case_ref} to an experienced worker; {status.name} may co-work it.",
                f"protected {status.staff_id}"))
    return found


def worker_over_cap(session: Session, today: date, settings: Settings) -> list[Breach]:
    """A worker leading more open cases than their cap (the protected cap for an NQSW).

    The whole council, after every import: a few teams at a time, their workers' cases
    streamed through the caseload's own rules (worker_loads), so memory stays flat however
    many cases the council holds."""
    teams = all_team_ids(session)
    found = []
    for start in range(0, len(teams), ALERT_TEAMS_PER_PASS):
        workers = team_workers(session, teams[start:start + ALERT_TEAMS_PER_PASS], today)
        if not workers:
            continue
        cases = stream_open_cases(
            session, today, one_of(Case.allocated_worker_id, [worker.id for worker in workers]))
        team_of = {worker.staff_id: worker.team_id for worker in workers}
        found.extend(
            Breach("over_cap", load.staff_id, team_of[load.staff_id],  # type: ignore[arg-type]
                   f"{load.name} ({load.staff_id}) leads {load.total} open cases against a cap "
                   f"of {load.cap:g}{' (NQSW protected cap)' if load.is_nqsw else ''}.",
                   "Agree which cases move, and check /caseload capacity for who can take them.",
                   f"caseload {load.staff_id}")
            for load in worker_loads(workers, cases, today, settings) if load.total > load.cap
        )
    return found


def unallocated_since(session: Session, case_ids: list[int]) -> dict[int, object]:
    """When each case last had a lead: the end of its latest lead spell (None if never led)."""
    if not case_ids:
        return {}
    rows = session.exec(
        select(CaseAllocation.case_id, CaseAllocation.to_date, Staff.end_date)
        .join(Staff, Staff.id == CaseAllocation.worker_id)
        .where(CaseAllocation.case_id.in_(case_ids), CaseAllocation.role == "lead")  # type: ignore[attr-defined]
    ).all()
    found: dict[int, object] = {}
    for case_id, to_date, left in rows:
        ended = to_date or left
        if ended is not None and (found.get(case_id) is None or ended > found[case_id]):  # type: ignore[operator]
            found[case_id] = ended
    return found


def case_unallocated_too_long(session: Session, today: date, settings: Settings
                              ) -> list[Breach]:
    """An open case with no lead (or a lead who has left) for more than UNALLOCATED_ALERT_DAYS
    working days: counted from its last lead's end, or from the case start if it never had one."""
    rows = session.exec(
        select(Case.id, Case.case_ref, Case.case_type, Case.team_id, Case.start_date)
        .where(without_lead(today), Case.start_date <= today,
               (Case.end_date.is_(None)) | (Case.end_date > today))  # type: ignore[union-attr, operator]
    ).all()
    ended = unallocated_since(session, [row[0] for row in rows])
    found = []
    for case_id, case_ref, case_type, team_id, start in rows:
        since = max(start, ended.get(case_id) or start)  # type: ignore[type-var]
        days = working_days_between(since, today)
        if days > settings.unallocated_alert_days:
            found.append(Breach(
                "unallocated", case_ref, team_id,
                f"{case_type} case {case_ref} has had no allocated social worker for {days} "
                f"working days (since {since.isoformat()}).",
                "Allocate it to a social worker today: /caseload capacity shows who can take it.",
                "caseload unallocated", to_head_of_service=True))
    return found


def agency_worker_outside_rules(session: Session, today: date, settings: Settings
                                ) -> list[Breach]:
    """An agency worker in post outside the DfE agency rules with no recorded exception (SPEC
    section 4), by the same check `/staffing agency` and the staffing digest make."""
    from queries.agency_rules import check_agency_worker
    from queries.workforce import agency_facts

    found = []
    for staff in session.exec(
        select(Staff).where(Staff.agency.is_(True), Staff.team_id.is_not(None),  # type: ignore[attr-defined,union-attr]
                            in_post_on(today))
    ).all():
        check = check_agency_worker(agency_facts(staff), settings)
        if check.outside_rules:
            found.append(Breach(
                "agency_rules", staff.staff_id, staff.team_id,  # type: ignore[arg-type]
                f"{staff.name} ({staff.staff_id}), an agency worker: {'; '.join(check.breaches)}.",
                "Record an approved exception (agency_exception_approved_by) or end the "
                "engagement.", "staffing agency"))
    return found


DETECTORS: list[Detector] = [
    nqsw_leading_cp,
    worker_over_cap,
    case_unallocated_too_long,
    agency_worker_outside_rules,
]


@dataclass
class AlertRun:
    opened: list[str] = field(default_factory=list)  # "kind subject"
    cleared: int = 0
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"Breach alerts: {len(self.opened)} new, {self.cleared} cleared; "
                f"{count_of(self.sent, 'message')} sent, {len(self.failed)} failed, "
                f"{count_of(len(self.unreachable), 'recipient')} with no chat account.")


def update_episodes(engine: Engine, breaches: Sequence[Breach], today: date
                    ) -> tuple[list[tuple[AlertEpisode, Breach]], int]:
    """Open an episode for each breach not already open; clear each open one not found. The
    unique index on open episodes makes a concurrent opener lose, and not alert twice."""
    current = {(breach.kind, breach.subject): breach for breach in breaches}
    opened: list[tuple[AlertEpisode, Breach]] = []
    with Session(engine, expire_on_commit=False) as session:
        open_now = session.exec(select(AlertEpisode)
                                .where(AlertEpisode.cleared_on.is_(None))).all()  # type: ignore[union-attr]
        known = {(episode.kind, episode.subject) for episode in open_now}
        cleared = 0
        for episode in open_now:
            if (episode.kind, episode.subject) not in current:
                episode.cleared_on = today
                session.add(episode)
                cleared += 1
        session.commit()
        service_of = dict(session.exec(select(Team.id, Team.service_id)).all())
    for key, breach in current.items():
        if key in known:
            continue
        with Session(engine, expire_on_commit=False) as session:
            episode = AlertEpisode(kind=breach.kind, subject=breach.subject[:100],
                                   service_id=service_of.get(breach.team_id), opened_on=today,
                                   detail=breach.what[:500])
            session.add(episode)
            try:
                session.commit()
            except IntegrityError:  # another import opened it a moment ago: theirs to alert
                session.rollback()
                continue
            opened.append((episode, breach))
    return opened, cleared


def recipients_for(session: Session, breach: Breach, today: date) -> list[Staff]:
    """The team's manager; and for an unallocated case the service's heads of service too."""
    team = session.get(Team, breach.team_id)
    if team is None:
        return []
    people: list[Staff] = []
    if team.manager_id is not None:
        manager = session.get(Staff, team.manager_id)
        if manager is not None and manager.in_post_on(today):
            people.append(manager)
    if breach.to_head_of_service:
        people.extend(session.exec(select(Staff).where(
            Staff.role == "head_of_service", Staff.service_id == team.service_id,
            in_post_on(today)).order_by(Staff.id)).all())
    return list({person.id: person for person in people}.values())


def alert_note(breach: Breach) -> Note:
    return Note(title=ALERT_TITLES.get(breach.kind, "Breach"),
                sections=(Section("What", (breach.what,)), Section("What to do", (breach.to_do,))),
                buttons=(Button("See the detail", breach.command),),
                footer="Sent once when this breach arises; again only if it clears and returns.")


def send_alerts_after_import(
    engine: Engine, settings: Settings, today: date, posters: list[NotePoster] | None = None, *,
    detectors: Sequence[Detector] | None = None, pace: PacedSender | None = None,
) -> AlertRun:
    """Find new breaches, record their episodes, and alert the people who must act. Call it
    after every committed import (never after a dry run): `bot.py import`, `import DIR`, the
    nightly ingest. `posters` None: the platforms configured (jobs.notes.note_posters)."""
    from jobs.notes import note_posters

    posters = note_posters(settings, engine) if posters is None else posters
    pace = pace or PacedSender(settings.remind_sends_per_second)
    with Session(engine) as session:
        breaches = [breach for detector in (detectors if detectors is not None else DETECTORS)
                    for breach in detector(session, today, settings)]
    opened, cleared = update_episodes(engine, breaches, today)
    run = AlertRun(opened=[f"{breach.kind} {breach.subject}" for _episode, breach in opened],
                   cleared=cleared)
    for episode, breach in opened:
        with Session(engine, expire_on_commit=False) as session:
            people = recipients_for(session, breach, today)
        for person in people:
            reach = destination_for(person, posters)
            if reach is None:
                run.unreachable.append(person.staff_id)
                continue
            poster, destination = reach
            send_alert(engine, run, episode, breach, person.staff_id, destination, poster, pace,
                       late=False, label=f"{person.staff_id} → {destination}")
    retry_failed(engine, breaches, posters, pace, run,
                 skip={episode.id for episode, _breach in opened})  # type: ignore[misc]
    if opened or cleared or run.sent or run.failed:
        log.info("%s", run.summary())
    return run


def retry_failed(engine: Engine, breaches: Sequence[Breach], posters: list[NotePoster],
                 pace: PacedSender, run: AlertRun, skip: set[int]) -> None:
    """An alert whose send failed (Slack down) is sent on the next import while its breach is
    still open and still found (not again in the run that just tried); one statement."""
    current = {(breach.kind, breach.subject): breach for breach in breaches}
    with Session(engine, expire_on_commit=False) as session:
        failed = session.exec(
            select(Delivery.destination, AlertEpisode)
            .join(AlertEpisode, Delivery.period == literal("episode-", String)
                  + cast(AlertEpisode.id, String))
            .where(Delivery.digest == ALERT, Delivery.status == "failed",
                   AlertEpisode.cleared_on.is_(None))  # type: ignore[union-attr]
        ).all()
    for destination, episode in failed:
        breach = current.get((episode.kind, episode.subject))
        poster = next((poster for poster in posters if poster.handles(destination)), None)
        if breach is None or poster is None or episode.id in skip:
            continue
        send_alert(engine, run, episode, breach, episode.subject, destination, poster, pace,
                   late=True, label=destination)


def send_alert(engine: Engine, run: AlertRun, episode: AlertEpisode, breach: Breach, who: str,
               destination: str, poster: NotePoster, pace: PacedSender, *, late: bool,
               label: str) -> None:
    """One alert through the delivery record (keyed by the episode and the destination, so a
    retry or a second import never sends it twice), paced, counted in the run."""
    message = NoteMessage(NoteHeader(ALERT, episode.service_id or 0,  # type: ignore[arg-type]
                                     f"episode-{episode.id}", who), alert_note(breach))
    pace.wait()
    outcome = deliver(engine, message, destination, poster, late=late)  # type: ignore[arg-type]
    if outcome.status == "sent":
        run.sent += 1
    elif outcome.failed:
        run.failed.append(f"{label}: {outcome.error}")


def alerts_after_load(engine: Engine, settings: Settings, today: date) -> AlertRun | None:
    """Breach alerts after a load has committed, from any importer (the CLI, a folder, the
    nightly job). The data is in, so a failure here is logged and never undoes or fails the
    load: None, and the breaches are found again after the next load."""
    try:
        return send_alerts_after_import(engine, settings, today)
    except Exception:  # noqa: BLE001 - never fail a committed load
        log.exception("breach alerts after an import failed")
        return None


__all__ = ["ALERT", "AlertRun", "alerts_after_load", "Breach", "DETECTORS", "Detector", "agency_worker_outside_rules",
           "case_unallocated_too_long", "nqsw_leading_cp", "send_alerts_after_import",
           "update_episodes", "worker_over_cap"]
