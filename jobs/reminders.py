"""The daily reminders (SPEC section 10): who gets what today, delivered exactly once.

When. REMIND_CRON (default weekdays 08:30, BOT_TIMEZONE) names the reminder days and the
default time; a day that is a weekend or an England and Wales bank holiday has no reminders,
whatever the cron says (queries.calendar). A person who chose `/remind at HH:MM` gets theirs at
the first check at or after that time; `/remind off` stops them.

How, simply: one function, `run_reminders`, sends to everyone whose time has come today and
who has not had today's. The scheduler calls it at REMIND_CRON (so the default time is on the
minute) and every REMIND_CHECK_MINUTES (15) from then until REMIND_LATEST (so chosen times,
failed sends and a run missed while the bot was down are picked up). `bot.py remind` calls it
by hand, for everyone due that day whatever their time.

Exactly once per person and day: each DM is a jobs.delivery record keyed ("reminder", the
person's service, the day, their DM destination), claimed before posting, so restarts, a second
scheduler and a manual run never send twice. Someone with nothing due gets no message, and is
recorded as done for the day (message_ref "nothing due") so the quarter-hourly check does not
rebuild their reminder all day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from jobs.delivery import (
    DeliveryKey,
    claim,
    deliver,
    mark_sent,
    sent_destinations,
    utc_now,
)
from jobs.notes import (
    NoteHeader,
    NoteMessage,
    NotePoster,
    PacedSender,
    destination_for,
)
from jobs.schedule import clock_time, reminder_default_time, reminder_trigger
from models import ReminderPreference, Service, Staff, Team
from queries.caseload import in_post_on
from queries.reminders import Reminder, build_reminders
from render.notes import note_for

log = logging.getLogger(__name__)

REMINDER = "reminder"
NOTHING_DUE = "nothing due"
#: A scheduled reminder sent this long after the person's time is recorded as late.
LATE_AFTER = timedelta(minutes=5)
#: Automatic retries of one person's reminder on one day (a manual run always retries).
MAX_ATTEMPTS = 5

#: What "now" is for the scheduled job; a test may set a fixed instant (today is passed in,
#: never read inside a rule).
CLOCK: Callable[[], datetime] = utc_now


def default_time(day: date, settings: Settings) -> datetime | None:
    """When REMIND_CRON fires on `day`, or None on a day without reminders (jobs.schedule)."""
    return reminder_default_time(day, settings)


@dataclass(frozen=True)
class Recipient:
    staff: Staff
    service_id: int
    poster: NotePoster | None
    destination: str | None
    due_at: datetime | None  # their time today (local), None for a manual run


@dataclass
class ReminderRun:
    """What one run did, for the CLI and the log."""

    day: date
    note: str = ""  # why nothing was attempted
    sent: list[str] = field(default_factory=list)
    nothing_due: int = 0
    failed: list[str] = field(default_factory=list)
    elsewhere: int = 0  # already sent, or being sent by another process
    unreachable: int = 0  # something due, but no chat account on a configured platform

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        if self.note:
            return [f"Reminders for {self.day.isoformat()}: {self.note}"]
        lines = [f"Reminders for {self.day.isoformat()}: {len(self.sent)} sent, "
                 f"{self.nothing_due} with nothing due, {self.elsewhere} already sent, "
                 f"{len(self.failed)} failed, {self.unreachable} with no chat account."]
        lines.extend(f"  failed: {line}" for line in self.failed)
        return lines


def recipients(
    session: Session, engine: Engine, day: date, settings: Settings, posters: list[NotePoster],
    now: datetime | None,
) -> list[Recipient]:
    """People in post with reminders on, whose time has come (all of them when `now` is None),
    who have not had today's: three statements."""
    base = default_time(day, settings)
    zone = ZoneInfo(settings.bot_timezone)
    fallback_service = session.exec(select(Service.id).order_by(Service.id)).first()
    rows = session.exec(
        select(Staff, Team.service_id, ReminderPreference)
        .outerjoin(Team, Team.id == Staff.team_id)
        .outerjoin(ReminderPreference, ReminderPreference.staff_id == Staff.id)
        .where(in_post_on(day), or_(ReminderPreference.enabled.is_(None),  # type: ignore[union-attr]
                                    ReminderPreference.enabled.is_(True)))  # type: ignore[union-attr]
        .order_by(Staff.id)
    ).all()
    found: list[Recipient] = []
    for staff, team_service, preference in rows:
        service_id = staff.service_id or team_service or fallback_service
        if service_id is None:
            continue
        due_at = base
        if preference is not None and preference.at_time:
            due_at = datetime.combine(day, clock_time(preference.at_time), tzinfo=zone)
        if now is not None and (due_at is None or due_at > now.astimezone(zone)):
            continue
        reach = destination_for(staff, posters)
        found.append(Recipient(staff, service_id, *(reach or (None, None)), due_at))
    done = sent_destinations(engine, REMINDER, day.isoformat(),
                             {recipient.service_id for recipient in found})
    return [recipient for recipient in found
            if (recipient.service_id, recipient.destination) not in done]


def record_nothing_due(engine: Engine, recipient: Recipient, day: date, now: datetime) -> None:
    """Mark the person done for the day without a message (see the module docstring)."""
    key = DeliveryKey(REMINDER, recipient.service_id, day.isoformat(),
                      recipient.destination)  # type: ignore[arg-type]
    held = claim(engine, key, now=now, late=False)
    if held is not None:
        mark_sent(engine, held, now=now, message_ref=NOTHING_DUE)


def run_reminders(
    engine: Engine, settings: Settings, day: date, posters: list[NotePoster], *,
    now: datetime | None = None, pace: PacedSender | None = None,
    clock: Callable[[], datetime] = utc_now, max_attempts: int | None = None,
) -> ReminderRun:
    """Send `day`'s reminders to everyone due (see the module docstring); `now` None is a manual
    run: everyone, whatever their chosen time. Built in one short session, sent after it."""
    run = ReminderRun(day)
    if default_time(day, settings) is None:
        run.note = "not a reminder day (a weekend, a bank holiday, or not in REMIND_CRON)"
        return run
    pace = pace or PacedSender(settings.remind_sends_per_second)
    with Session(engine, expire_on_commit=False) as session:
        due = [recipient for recipient in recipients(session, engine, day, settings, posters, now)
               if recipient.destination is not None or not posters]
        reminders = {reminder.staff_pk: reminder for reminder in build_reminders(
            session, day, settings, [recipient.staff.id for recipient in due])}  # type: ignore[misc]
    for recipient in due:
        reminder = reminders.get(recipient.staff.id)  # type: ignore[arg-type]
        if reminder is None or reminder.empty:
            if recipient.destination:
                record_nothing_due(engine, recipient, day, clock())
            run.nothing_due += 1
            continue
        if recipient.poster is None:
            run.unreachable += 1
            continue
        late = (now is not None and recipient.due_at is not None
                and now - recipient.due_at > LATE_AFTER)
        pace.wait()
        outcome = deliver(engine, message_for(reminder, recipient), recipient.destination,  # type: ignore[arg-type]
                          recipient.poster, late=late, clock=clock, max_attempts=max_attempts)
        if outcome.status == "sent":
            run.sent.append(recipient.staff.staff_id)
        elif outcome.failed:
            run.failed.append(f"{recipient.staff.staff_id} → {recipient.destination}: "
                              f"{outcome.error}")
        else:
            run.elsewhere += 1
    level = logging.INFO if run.sent or run.failed else logging.DEBUG
    for line in run.lines():
        log.log(level, "%s", line)
    return run


def message_for(reminder: Reminder, recipient: Recipient) -> NoteMessage:
    return NoteMessage(NoteHeader(REMINDER, recipient.service_id, reminder.day.isoformat(),
                                  recipient.staff.staff_id), note_for(reminder))


def preview(engine: Engine, settings: Settings, day: date) -> list[tuple[str, str]]:
    """(staff id, message text) of everyone with something due on `day` and reminders on: what
    `bot.py remind --dry-run` prints. Nothing is posted or recorded."""
    if default_time(day, settings) is None:
        return []
    with Session(engine) as session:
        due = recipients(session, engine, day, settings, [], None)
        wanted = {recipient.staff.id for recipient in due}
        built = build_reminders(session, day, settings, wanted)  # type: ignore[arg-type]
    return [(reminder.staff_id, note_for(reminder).text()) for reminder in built
            if not reminder.empty]


def run_scheduled_reminders() -> None:
    """The scheduler's job (referenced by name from the job store): the REMIND_CRON run and the
    quarter-hourly check alike. Nothing after REMIND_LATEST: a reminder at night helps no one."""
    from jobs.scheduler import runtime
    from jobs.notes import note_posters

    settings, engine = runtime()
    if not settings.remind_enabled:
        return
    now = CLOCK()
    local = now.astimezone(ZoneInfo(settings.bot_timezone))
    if local.time() > clock_time(settings.remind_latest):
        return
    posters = note_posters(settings, engine)
    if not posters:
        return
    run_reminders(engine, settings, local.date(), posters, now=now, clock=CLOCK,
                  max_attempts=MAX_ATTEMPTS)


__all__ = ["CLOCK", "NOTHING_DUE", "REMINDER", "ReminderRun", "clock_time", "default_time",
           "preview", "recipients", "reminder_trigger", "run_reminders",
           "run_scheduled_reminders"]
