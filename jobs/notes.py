"""Direct messages the bot sends first (reminders and alerts), through jobs.delivery.

jobs.delivery was written for digests: `deliver` reads a digest's header (kind, service, period)
to key its exactly-once record, and asks a Poster to post it. A `NoteMessage` carries the same
header — kind "reminder" or "alert", the recipient's service, the period (the day, or the
breach episode) — and a Note (render.notes) to draw, so reminders and alerts get the digests'
claim-post-mark rules unchanged, on Slack and Teams alike.

Destinations are the digests' DM names: ``slack-dm:<Slack user id>`` and
``teams-dm:<Teams user id>``. One DM per person: Slack when they have a Slack id and Slack is
configured, else Teams.

`PacedSender` spreads the sends: at most REMIND_SENDS_PER_SECOND messages a second across the
run (Slack's chat.postMessage sustains about one a second), so a council of a few thousand staff
is sent to over the hour after 08:30 rather than tripping Slack's rate limit. A 429 that still
happens is waited out and retried by the WebClient (slack_sdk's RateLimitErrorRetryHandler,
honouring Retry-After); one that outlasts the retries is recorded as failed and retried by the
next quarter-hourly check.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings
from models import Staff
from render.notes import Note, note_slack, note_teams

SLACK_DM = "slack-dm:"
TEAMS_DM = "teams-dm:"


@dataclass(frozen=True)
class NoteHeader:
    """What jobs.delivery reads from a message's header to key its exactly-once record."""

    kind: str  # "reminder" or "alert"
    service_id: int
    period: str  # the day (reminders) or "episode-<id>" (alerts)
    service: str  # who it is for, in the log (a staff id, never a child)


@dataclass(frozen=True)
class NoteMessage:
    header: NoteHeader
    note: Note


class SlackNotes:
    """Posts a Note to a person's Slack DM: chat.postMessage with their user id as the channel
    (Slack delivers it to the app's DM with them; no conversations.open needed)."""

    def __init__(self, settings: Settings, client: Any = None) -> None:
        from jobs.slack_poster import slack_client

        self.client = client or slack_client(settings)

    def destination_for(self, staff: Staff) -> str | None:
        return f"{SLACK_DM}{staff.slack_user_id}" if staff.slack_user_id else None

    def handles(self, destination: str) -> bool:
        return destination.startswith(SLACK_DM)

    def destinations(self, session: Session, service_ids: list[int], as_of: date
                     ) -> dict[int, list[str]]:
        return {}  # notes go to people, chosen by the job (destination_for), not to services

    def post(self, destination: str, message: NoteMessage, message_ref: str | None = None
             ) -> str:
        if message_ref:  # an earlier attempt got it out: nothing follows a note
            return message_ref
        text, blocks = note_slack(message.note)
        response = self.client.chat_postMessage(
            channel=destination.removeprefix(SLACK_DM), text=text, blocks=blocks,
            unfurl_links=False, unfurl_media=False)
        return f"{response['channel']}:{response['ts']}"


class TeamsNotes:
    """Posts a Note as an Adaptive Card to a person's stored 1:1 Teams chat."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

    def destination_for(self, staff: Staff) -> str | None:
        return f"{TEAMS_DM}{staff.teams_user_id}" if staff.teams_user_id else None

    def handles(self, destination: str) -> bool:
        return destination.startswith(TEAMS_DM)

    def destinations(self, session: Session, service_ids: list[int], as_of: date
                     ) -> dict[int, list[str]]:
        return {}

    def post(self, destination: str, message: NoteMessage, message_ref: str | None = None
             ) -> str:
        if message_ref:
            return message_ref
        from handlers.teams.proactive import post_messages

        return asyncio.run(post_messages(self.settings, self.engine, destination,
                                         [note_teams(message.note)]))[0]


NotePoster = SlackNotes | TeamsNotes


def note_posters(settings: Settings, engine: Engine) -> list[NotePoster]:
    """Slack first, then Teams: the platforms configured, as jobs.posters decides for digests."""
    found: list[NotePoster] = []
    if settings.slack_bot_token:
        found.append(SlackNotes(settings))
    if settings.teams_enabled:
        found.append(TeamsNotes(settings, engine))
    return found


def destination_for(staff: Staff, posters: list[NotePoster]) -> tuple[NotePoster, str] | None:
    """The one DM a person gets: the first platform that can reach them."""
    for poster in posters:
        destination = poster.destination_for(staff)
        if destination:
            return poster, destination
    return None


class PacedSender:
    """At most `per_second` sends a second, across threads; 0 or less: no pause.

    `sleep` and `clock` are injectable so a test can count the pauses instead of waiting.
    """

    def __init__(self, per_second: float, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.sleep = sleep
        self.clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next send slot."""
        if not self.interval:
            return
        with self._lock:
            now = self.clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self.sleep(slot - now)


__all__ = ["NoteHeader", "NoteMessage", "NotePoster", "PacedSender", "SLACK_DM", "SlackNotes",
           "TEAMS_DM", "TeamsNotes", "destination_for", "note_posters"]
