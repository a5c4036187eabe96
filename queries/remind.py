"""`/remind`: a person's own daily reminders — see them, switch them off or on, move them.

Only ever the asker's own setting: there is no form that names someone else, so no one can
switch off another person's reminders. A change is written with the answer and audited with it
(queries.answer.ask), outcome "changed".
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from commands import Command
from config import Settings
from jobs.schedule import clock_time, next_reminder, reminder_default_time
from models import ReminderPreference
from queries.access import Asker
from queries.results import Refusal, ReminderSettings


def preference_of(session: Session, staff_pk: int) -> ReminderPreference | None:
    return session.exec(select(ReminderPreference)
                        .where(ReminderPreference.staff_id == staff_pk)).first()


def default_time_text(now: datetime, settings: Settings) -> str:
    """The council's REMIND_CRON time ("08:30"), read from its next reminder day."""
    found = next_reminder(now, None, settings)
    return found.strftime("%H:%M") if found else "—"


def state(preference: ReminderPreference | None, now: datetime, settings: Settings,
          changed: str = "") -> ReminderSettings:
    enabled = preference is None or preference.enabled
    own = preference.at_time if preference is not None else None
    return ReminderSettings(
        enabled=enabled,
        at_time=own or default_time_text(now, settings),
        own_time=own is not None,
        next_time=next_reminder(now, own, settings) if enabled else None,
        changed=changed,
    )


def within_working_hours(at_time: str, settings: Settings) -> bool:
    return clock_time(settings.remind_earliest) <= clock_time(at_time) <= clock_time(
        settings.remind_latest)


def remind(session: Session, asker: Asker, command: Command, now: datetime, settings: Settings
           ) -> ReminderSettings | Refusal:
    """Show, or change and show, the asker's reminder setting."""
    preference = preference_of(session, asker.id)
    if command.scope == "show":
        return state(preference, now, settings)
    if command.scope == "at" and not within_working_hours(command.at_time or "", settings):
        return Refusal(
            reason=f"{command.at_time} is outside working hours: reminders can come between "
                   f"{settings.remind_earliest} and {settings.remind_latest}.",
            hint=f"e.g. /remind at {settings.remind_earliest}")
    if preference is None:
        preference = ReminderPreference(staff_id=asker.id, updated_at=now)
    if command.scope == "off":
        preference.enabled = False
    elif command.scope == "on":
        preference.enabled = True
    elif command.scope == "at":
        preference.enabled = True
        preference.at_time = command.at_time
    preference.updated_at = now
    session.add(preference)
    session.flush()
    return state(preference, now, settings, changed=command.scope)


__all__ = ["remind", "reminder_default_time"]
