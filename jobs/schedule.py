"""When digests are due: DIGEST_CRON as an APScheduler CronTrigger in BOT_TIMEZONE.

Two spellings are accepted:
- the friendly one of the default, ``"mon 08:00"`` (days, then a 24-hour time; days may be a
  list or range, ``"mon,thu 07:30"``, ``"mon-fri 08:00"``; a time alone means every day);
- a standard 5-field crontab, ``"0 8 * * 1"``. Its day-of-week numbers are crontab's (0 or 7 is
  Sunday, 1 Monday), not APScheduler 3's (0 is Monday), so they are translated to day names.

The trigger carries the zone (Europe/London by default), so 08:00 stays 08:00 local across the
clock changes: 07:00 UTC in summer, 08:00 UTC in winter.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from config import Settings

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering, 0 = Sunday
_FRIENDLY = re.compile(r"^(?:(?P<days>[a-z][a-z,\-]*)\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})$")


def _crontab_days(field: str) -> str:
    """Crontab day-of-week numbers (0/7 Sunday) as APScheduler day names; names pass through."""
    if field in ("*", "?") or re.search(r"[a-z]", field, re.IGNORECASE):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first_text, last_text = span.split("-", 1)
            first, last = int(first_text), int(last_text)
        else:
            first = last = int(span)
            if step_text:
                last = 7
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last):
            raise ValueError(f"day of week '{part}' is not 0-7")
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(DAY_NAMES[day] for day in sorted(days))


def parse_digest_cron(text: str, zone: ZoneInfo, setting: str = "DIGEST_CRON") -> CronTrigger:
    """DIGEST_CRON (or another schedule `setting`, such as IMPORT_CRON) as a trigger; ValueError
    with the accepted forms when it cannot be read."""
    spec = " ".join(text.strip().lower().split())
    try:
        fields = spec.split(" ")
        if len(fields) == 5:
            minute, hour, day, month, weekday = fields
            return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                               day_of_week=_crontab_days(weekday), timezone=zone)
        if match := _FRIENDLY.match(spec):
            hour, minute = int(match["hour"]), int(match["minute"])
            if hour > 23 or minute > 59:
                raise ValueError(f"{hour:02d}:{minute:02d} is not a time of day")
            return CronTrigger(day_of_week=match["days"] or "*", hour=hour, minute=minute,
                               timezone=zone)
    except ValueError as bad:
        raise ValueError(f"{setting}={text!r} cannot be read ({bad}). Use e.g. 'mon 08:00' or "
                         f"a crontab such as '0 8 * * 1'.") from None
    raise ValueError(f"{setting}={text!r} cannot be read. Use e.g. 'mon 08:00' or a crontab "
                     f"such as '0 8 * * 1'.")


def digest_trigger(settings: Settings) -> CronTrigger:
    return parse_digest_cron(settings.digest_cron, ZoneInfo(settings.bot_timezone))


def last_fire_time(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The latest time the trigger fired at or before ``now``, looking back ``lookback`` at most.

    The job function learns its scheduled time this way (APScheduler 3 does not pass it in): a
    run within the misfire grace of its fire time finds that fire time, however late it runs.
    """
    fire = trigger.get_next_fire_time(None, now - lookback)
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire)
    return latest


def local_day(moment: datetime, settings: Settings) -> date:
    """The council's date at that moment (the digest of a Monday 00:30 BST run is Monday's)."""
    return moment.astimezone(ZoneInfo(settings.bot_timezone)).date()


def reminder_trigger(settings: Settings) -> CronTrigger:
    """REMIND_CRON, read as DIGEST_CRON is ("mon-fri 08:30", or a 5-field crontab)."""
    try:
        return parse_digest_cron(settings.remind_cron, ZoneInfo(settings.bot_timezone))
    except ValueError as bad:
        raise ValueError(str(bad).replace("DIGEST_CRON", "REMIND_CRON")) from None


def clock_time(text: str) -> time:
    """"HH:MM" as a time; ValueError when it is not one."""
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes))


def reminder_default_time(day: date, settings: Settings) -> datetime | None:
    """When REMIND_CRON fires on `day` (local), or None: not a reminder day by the cron, or a
    weekend or an England and Wales bank holiday (never a reminder day, whatever the cron)."""
    from queries.calendar import is_working_day

    if not is_working_day(day):
        return None
    zone = ZoneInfo(settings.bot_timezone)
    fire = reminder_trigger(settings).get_next_fire_time(
        None, datetime.combine(day, time(0), tzinfo=zone))
    if fire is None or fire.astimezone(zone).date() != day:
        return None
    return fire.astimezone(zone)


def next_reminder(now: datetime, at_time: str | None, settings: Settings) -> datetime | None:
    """The next reminder after `now` for someone on their own time (or the default): the first
    reminder day from today whose time is still to come; None if none within four weeks."""
    zone = ZoneInfo(settings.bot_timezone)
    local = now.astimezone(zone)
    for offset in range(28):
        day = local.date() + timedelta(days=offset)
        default = reminder_default_time(day, settings)
        if default is None:
            continue
        when = datetime.combine(day, clock_time(at_time), tzinfo=zone) if at_time else default
        if when > local:
            return when
    return None


__all__ = ["clock_time", "digest_trigger", "last_fire_time", "local_day", "next_reminder",
           "parse_digest_cron", "reminder_default_time", "reminder_trigger"]
