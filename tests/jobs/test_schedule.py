"""When digests fire: Monday 08:00 Europe/London across both clock changes (SPEC section 7).

Uses the real APScheduler CronTrigger built from DIGEST_CRON; nothing about time is mocked.
In 2026 the clocks go forward on Sunday 29 March and back on Sunday 25 October.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from jobs.schedule import digest_trigger, last_fire_time, local_day, parse_digest_cron

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc


def fires_between(trigger, start: datetime, end: datetime) -> list[datetime]:  # type: ignore[no-untyped-def]
    fires, fire = [], trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return fires


def test_default_is_monday_0800_london(settings) -> None:
    trigger = digest_trigger(settings)
    assert settings.digest_cron == "mon 08:00"
    first = trigger.get_next_fire_time(None, datetime(2026, 11, 18, 12, tzinfo=UTC))
    assert first == datetime(2026, 11, 23, 8, 0, tzinfo=LONDON)


@pytest.mark.parametrize("cron", ["mon 08:00", "0 8 * * 1", "0 8 * * mon"])
def test_the_week_of_the_march_change_fires_once_at_0800_bst(settings, cron: str) -> None:
    trigger = digest_trigger(replace(settings, digest_cron=cron))
    # Sunday 29 March 2026 01:00 GMT the clocks go forward: Monday 30 March is in BST (UTC+1).
    fires = fires_between(trigger, datetime(2026, 3, 28, tzinfo=UTC),
                          datetime(2026, 4, 4, tzinfo=UTC))
    assert len(fires) == 1
    assert fires[0].astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 3, 30, 8, 0)
    assert fires[0].astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    # And the Monday before, still GMT: 08:00 UTC.
    before = fires_between(trigger, datetime(2026, 3, 21, tzinfo=UTC),
                           datetime(2026, 3, 28, tzinfo=UTC))
    assert [fire.astimezone(UTC) for fire in before] == [datetime(2026, 3, 23, 8, 0, tzinfo=UTC)]


@pytest.mark.parametrize("cron", ["mon 08:00", "0 8 * * 1"])
def test_the_week_of_the_october_change_fires_once_at_0800_gmt(settings, cron: str) -> None:
    trigger = digest_trigger(replace(settings, digest_cron=cron))
    # Sunday 25 October 2026 02:00 BST the clocks go back: Monday 26 October is GMT (UTC+0).
    fires = fires_between(trigger, datetime(2026, 10, 24, tzinfo=UTC),
                          datetime(2026, 10, 31, tzinfo=UTC))
    assert [fire.astimezone(UTC) for fire in fires] == [datetime(2026, 10, 26, 8, 0, tzinfo=UTC)]
    before = fires_between(trigger, datetime(2026, 10, 17, tzinfo=UTC),
                           datetime(2026, 10, 24, tzinfo=UTC))
    assert [fire.astimezone(UTC) for fire in before] == [datetime(2026, 10, 19, 7, 0, tzinfo=UTC)]


def test_a_whole_year_fires_every_monday_at_0800_local(settings) -> None:
    trigger = digest_trigger(settings)
    fires = fires_between(trigger, datetime(2026, 1, 1, tzinfo=UTC),
                          datetime(2027, 1, 1, tzinfo=UTC))
    assert len(fires) == 52  # 5 Jan … 28 Dec 2026
    for fire in fires:
        local = fire.astimezone(LONDON)
        assert (local.weekday(), local.hour, local.minute) == (0, 8, 0)


def test_crontab_weekday_numbers_are_crontabs_not_apschedulers(settings) -> None:
    # APScheduler 3 counts 0 as Monday; crontab counts 0 (and 7) as Sunday.
    zone = ZoneInfo(settings.bot_timezone)
    start = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday
    sunday = parse_digest_cron("30 7 * * 0", zone).get_next_fire_time(None, start)
    assert sunday.astimezone(zone).strftime("%a %H:%M") == "Sun 07:30"
    also_sunday = parse_digest_cron("30 7 * * 7", zone).get_next_fire_time(None, start)
    assert also_sunday == sunday
    weekdays = parse_digest_cron("0 9 * * 1-5", zone)
    days = {fire.astimezone(zone).strftime("%a")
            for fire in fires_between(weekdays, start, start + timedelta(days=7))}
    assert days == {"Mon", "Tue", "Wed", "Thu", "Fri"}


@pytest.mark.parametrize("text", ["monday at eight", "mon 25:00", "1 2 3", "0 8 * * 9", ""])
def test_an_unreadable_digest_cron_says_what_to_write(settings, text: str) -> None:
    with pytest.raises(ValueError, match="mon 08:00"):
        parse_digest_cron(text, ZoneInfo(settings.bot_timezone))


def test_the_scheduled_time_is_found_from_the_trigger_however_late_the_run(settings) -> None:
    trigger = digest_trigger(settings)
    monday_0800 = datetime(2026, 11, 23, 8, 0, tzinfo=LONDON)
    for late_by in (timedelta(0), timedelta(seconds=3), timedelta(hours=11, minutes=59)):
        assert last_fire_time(trigger, monday_0800 + late_by, timedelta(hours=12, minutes=1)) \
            == monday_0800
    assert last_fire_time(trigger, monday_0800 + timedelta(hours=13),
                          timedelta(hours=12, minutes=1)) is None
    assert last_fire_time(trigger, monday_0800 - timedelta(seconds=1), timedelta(hours=12)) is None


def test_the_digest_date_is_the_councils_date(settings) -> None:
    # 23:30 UTC on Sunday 31 May is 00:30 BST on Monday 1 June.
    monday = local_day(datetime(2026, 5, 31, 23, 30, tzinfo=UTC), settings)
    assert monday.isoformat() == "2026-06-01"
