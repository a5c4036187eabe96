"""Speaking first in Teams: the weekly digests, to a service's channel and its head's 1:1 chat.

A bot can only post where it has been added, so each post continues a stored conversation
reference (handlers.teams.conversations): the service's `teams_channel` (a channel's name or its
conversation id) and the head of service's 1:1 chat, found by their Entra object id
(`teams_user_id`). Destinations are named like Slack's: ``teams-channel:<name or id>`` and
``teams-dm:<teams_user_id>``.

`TeamsPoster` is the Teams implementation of jobs.delivery.Poster, so the digests go through the
same exactly-once Delivery record as Slack's: claimed before posting, marked sent after, retried
from the chart if only the chart failed.

Across a crash: the card's activity id is recorded the moment the connector returns it, before
the charts, so a process that dies during the charts leaves a retry that continues the card's
thread with the charts instead of posting the card again. What Teams cannot do is what Slack's
history does for the last gap (died after the connector accepted the card, before its id was
written — one UPDATE): the Bot Connector gives a bot no way to read a conversation's messages
back, so there is nothing to look in, and such a retry posts the card again. Hence no
`find_posted` here; the window is kept to that one write.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.fastapi import CloudAdapter
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings
from handlers.teams import conversations
from handlers.teams.bot import card_activity
from handlers.teams.conversations import CHANNEL, AmbiguousChannel
from handlers.teams.sdk import TeamsAuth, connection_manager, teams_auth
from jobs.destinations import service_destinations
from models import ConversationRef, Staff, Team
from render.teams import TeamsMessage, image_card, render_digest_teams, text_card

if TYPE_CHECKING:
    from jobs.delivery import InFlight

log = logging.getLogger("handlers.teams")

DM = "teams-dm:"
CHANNEL_PREFIX = "teams-channel:"


class DestinationUnknown(LookupError):
    """No stored conversation for the destination: the bot was never added there."""


@lru_cache(maxsize=4)
def outgoing(settings: Settings) -> tuple[TeamsAuth, CloudAdapter]:
    """The identity and adapter for proactive posts (one per settings, so MSAL caches tokens)."""
    auth = teams_auth(settings)
    return auth, CloudAdapter(connection_manager=connection_manager(auth))


def conversation_for(engine: Engine, destination: str) -> ConversationRef:
    """The stored conversation a destination string names."""
    if destination.startswith(DM):
        user_id = destination.removeprefix(DM).strip()
        found = conversations.personal_for(engine, user_id)
        if found is None:
            raise DestinationUnknown(
                f"no 1:1 Teams chat is stored for user {user_id}: they need to open the caseload "
                "bot in Teams once (or have it pre-installed by a Teams app setup policy)")
        return found
    if destination.startswith(CHANNEL_PREFIX):
        name = destination.removeprefix(CHANNEL_PREFIX).strip()
        try:
            found = conversations.channel_for(engine, name)
        except AmbiguousChannel as ambiguous:
            raise DestinationUnknown(str(ambiguous)) from None
        if found is None:
            raise DestinationUnknown(
                f"the caseload bot has not been added to a Teams channel or chat called "
                f"'{name}': add it to that team (or set teams_channel to the conversation id)")
        return found
    raise ValueError(f"'{destination}' is not a Teams destination ({DM}… or {CHANNEL_PREFIX}…)")


async def post_messages(settings: Settings, engine: Engine, destination: str,
                        messages: Sequence[TeamsMessage], *, thread_of: str | None = None
                        ) -> list[str]:
    """Continue the destination's conversation and post the messages in order; their ids.

    `thread_of`: the id of an earlier message in a channel, to post under it as replies."""
    row = await asyncio.to_thread(conversation_for, engine, destination)
    reference = conversations.stored_reference(row)
    if thread_of and row.conversation_type == CHANNEL:
        reference.conversation = reference.conversation.model_copy(
            update={"id": f"{row.conversation_id};messageid={thread_of}"})
    continuation = reference.get_continuation_activity()
    auth, adapter = outgoing(settings)
    sent: list[str] = []
    failure: BaseException | None = None

    async def speak(context: TurnContext) -> None:
        # Posted with the turn's connector client to /v3/conversations/{id}/activities: a new
        # message, not a reply to the continuation event's made-up id (which send_activity adds).
        nonlocal failure
        try:  # caught here: the adapter would otherwise hand it to on_turn_error and swallow it
            connector = context.services.get(ConnectorClientBase)
            for message in messages:
                activity: Activity = card_activity(message).apply_conversation_reference(reference)
                response = await connector.conversations.send_to_conversation(
                    reference.conversation.id, activity)
                sent.append(response.id or "")
        except BaseException as error:  # noqa: BLE001
            failure = error

    await adapter.continue_conversation_with_claims(auth.outgoing_identity(), continuation, speak)
    if failure is not None:
        raise failure
    return sent


def post_to_teams(settings: Settings, engine: Engine, destination: str, text: str,
                  card: dict | None = None) -> str:
    """Post one message (the card, else the text as a card) to a stored Teams conversation;
    returns the posted message's id. For the scheduler's threads: runs its own event loop."""
    message = TeamsMessage(card=card, text=text) if card is not None else text_card(text)
    return asyncio.run(post_messages(settings, engine, destination, [message]))[0]


def chart_messages(digest: object, settings: Settings, now: datetime | None = None
                   ) -> list[TeamsMessage]:
    """The digest's charts as image cards linking to the bot's signed chart addresses; none
    (and a warning) when the bot has no HTTPS PUBLIC_BASE_URL for Teams to fetch them from."""
    from handlers.teams.charts import chart_url
    from render.charts import charts_for

    head = digest.header  # type: ignore[attr-defined]
    found = []
    for chart in charts_for(digest):  # type: ignore[arg-type]
        url = chart_url(settings, head.kind, head.service_id, head.as_of,
                        now or datetime.now(timezone.utc))
        if url is None:
            log.warning("chart %s left out: set PUBLIC_BASE_URL (https://…) so Teams can "
                        "fetch charts from the bot", chart.filename)
            continue
        found.append(image_card(url, chart.title, chart.alt_text))
    return found


def compact_png(png: bytes, scale: float = 1.0) -> bytes:
    """The chart in a 64-colour palette (flat-coloured bars lose nothing and shrink a lot),
    scaled down by `scale`."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        picture = image.convert("RGB")
        if scale < 1.0:
            picture = picture.resize((max(1, round(picture.width * scale)),
                                      max(1, round(picture.height * scale))),
                                     Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        picture.quantize(colors=64).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


class TeamsPoster:
    """The Teams implementation of jobs.delivery.Poster (see that module)."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        from models.store import engine_for

        self.settings = settings
        self.engine = engine or engine_for(settings.database_url)

    def handles(self, destination: str) -> bool:
        return destination.startswith((DM, CHANNEL_PREFIX))

    def destinations(self, session: Session, service_ids: list[int], as_of: date
                     ) -> dict[int, list[str]]:
        """Heads of service in post with a Teams user id, and the teams' Teams channels."""
        return service_destinations(
            session, service_ids, as_of, user_id_column=Staff.teams_user_id,
            channel_column=Team.teams_channel, dm_prefix=DM, channel_prefix=CHANNEL_PREFIX,
            platform="Teams")

    def post(self, destination: str, digest: object, message_ref: str | None = None,
             in_flight: InFlight | None = None) -> str:
        """The digest card (named in a 1:1 chat, figures only in a channel), its activity id
        recorded at once, then its charts under it; `message_ref` (an earlier attempt's card)
        means post the charts only."""
        from jobs.delivery import PostFailed

        charts = chart_messages(digest, self.settings)
        if message_ref is None:
            card = render_digest_teams(digest, named=destination.startswith(DM))
            message_ref = asyncio.run(post_messages(self.settings, self.engine, destination,
                                                    [card]))[0]
            if in_flight is not None:
                in_flight.record(message_ref)  # before the charts: a crash there loses nothing
        if charts:
            try:
                asyncio.run(post_messages(self.settings, self.engine, destination, charts,
                                          thread_of=message_ref))
            except Exception as failure:  # noqa: BLE001 - the card is out: retry the charts only
                raise PostFailed(f"chart post failed: {type(failure).__name__} "
                                 f"{getattr(failure, 'status', '')}".strip(),
                                 message_ref) from failure
        return message_ref


__all__ = ["CHANNEL_PREFIX", "DM", "DestinationUnknown", "TeamsPoster", "conversation_for",
           "post_messages", "post_to_teams"]
