"""Digests to Slack: the head of service by DM, and each distinct digest channel of the service.

Destinations are named ``slack-dm:<Slack user id>`` and ``slack-channel:<channel>`` (a channel id,
or a name as the teams import gave it). The message goes out with chat.postMessage; the charts
follow into its thread: as Slack's data visualisation block (a bar chart Slack draws itself)
where the workspace takes it, else as the PNG with files_upload_v2 (files.getUploadURLExternal,
the upload, then files.completeUploadExternal with ``thread_ts``), addressed by the channel id
Slack returned, so a channel given by name works too.

Exactly once across a crash (jobs.delivery, point 4): chat.postMessage carries the delivery's
key as message metadata, and the message's ``channel:ts`` is recorded the moment Slack returns
it, before the charts. A retry with nothing recorded reads the destination's history
(conversations.history with ``include_all_metadata``, from the first claim) for a message with
that key, and finishes it instead of posting again. A channel given by name is looked up with
conversations.list first, since history is read by channel id (scopes channels:history,
groups:history, im:history; channels:read, groups:read).

The WebClient retries rate limits (429, honouring Retry-After), server errors (500, 503) and
dropped connections itself, so one slow minute at Slack does not fail a digest; what still fails
is recorded by jobs.delivery and retried on the next run.
"""

from __future__ import annotations

import logging
import random
import re
from datetime import date, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from sqlmodel import Session

from config import Settings
from handlers.transport import PooledWebClient
from jobs.delivery import InFlight, PostFailed, safe_error
from jobs.digest_results import Digest
from jobs.destinations import service_destinations
from models import Staff, Team
from render.charts import charts_for
from render.digest_slack import chart_message, render_digest_slack

log = logging.getLogger(__name__)

DM = "slack-dm:"
CHANNEL = "slack-channel:"
#: A conversation id as Slack writes them (C… public, G… private, D… direct message).
CONVERSATION_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
#: Slack's recommended largest page for conversations.history and conversations.list.
SLACK_PAGE_SIZE = 200
#: Slack's answers meaning "you may not read this history" (not "try later").
HISTORY_REFUSALS = frozenset({"missing_scope", "not_in_channel", "channel_not_found",
                              "not_allowed_token_type"})
#: What Slack answers for a block it does not know (a workspace, or a plan, without it).
BLOCK_REFUSALS = frozenset({"invalid_blocks", "invalid_blocks_format", "unsupported_block_type",
                            "block_type_not_supported", "invalid_arguments"})


class _Jitter(Jitter):
    """Random jitter of up to ``spread`` seconds (slack_sdk's own adds up to a whole second)."""

    def __init__(self, spread: float) -> None:
        self.spread = spread

    def recalculate(self, duration: float) -> float:
        return duration + random.random() * self.spread


def slack_client(settings: Settings, backoff_s: float = 0.5) -> WebClient:
    """A Web API client that rides out 429s, 5xx and dropped connections by itself.

    A 429 waits for Slack's Retry-After; a 5xx or a dropped connection backs off exponentially
    from ``backoff_s`` (with jitter). Tests pass a small ``backoff_s`` to stay fast.
    """
    backoff = BackoffRetryIntervalCalculator(backoff_factor=backoff_s, jitter=_Jitter(backoff_s))
    return PooledWebClient(  # the process's shared TLS context and connections
        token=settings.slack_bot_token,
        base_url=settings.slack_api_base_url,
        timeout=30,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
        ],
    )


class SlackPoster:
    """The Slack implementation of jobs.delivery.Poster."""

    def __init__(self, settings: Settings, client: WebClient | None = None) -> None:
        self.client = client or slack_client(settings)
        self.history_limit = settings.digest_history_max_messages
        self.history_margin = timedelta(minutes=settings.digest_history_margin_minutes)
        #: Set when this workspace answers the data visualisation block with an error.
        self.chart_blocks_refused = not settings.slack_chart_blocks

    def handles(self, destination: str) -> bool:
        return destination.startswith((DM, CHANNEL))

    def destinations(
        self, session: Session, service_ids: list[int], as_of: date
    ) -> dict[int, list[str]]:
        """Heads of service in post (by DM) and the teams' digest channels: two statements."""
        return service_destinations(
            session, service_ids, as_of, user_id_column=Staff.slack_user_id,
            channel_column=Team.digest_channel, dm_prefix=DM, channel_prefix=CHANNEL,
            platform="Slack")

    def post(self, destination: str, digest: Digest, message_ref: str | None = None,
             in_flight: InFlight | None = None) -> str:
        """Post the digest (named in a DM, figures only in a channel), record it at once, then
        its charts."""
        direct = destination.startswith(DM)
        target = destination.removeprefix(DM).removeprefix(CHANNEL)
        if message_ref is None:
            channel = self.open_dm(target) if direct else target
            message = render_digest_slack(digest, named=direct)
            response = self.client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks,
                unfurl_links=False, unfurl_media=False,
                metadata=in_flight.metadata() if in_flight is not None else None,
            )
            message_ref = f"{response['channel']}:{response['ts']}"
            if in_flight is not None:
                in_flight.record(message_ref)  # before the charts: a crash there loses nothing
        channel_id, _, thread_ts = message_ref.partition(":")
        if self.post_chart_block(digest, channel_id, thread_ts, message_ref):
            return message_ref
        charts = charts_for(digest)
        if charts:
            try:
                self.client.files_upload_v2(
                    file_uploads=[{"file": chart.png, "filename": chart.filename,
                                   "title": chart.title, "alt_txt": chart.alt_text}
                                  for chart in charts],
                    channel=channel_id, thread_ts=thread_ts,
                )
            except Exception as failure:  # noqa: BLE001 - recorded, and retried from the thread
                raise PostFailed(f"chart upload failed: {safe_error(failure)}",
                                 message_ref) from failure
        return message_ref

    def find_posted(self, destination: str, in_flight: InFlight) -> str | None:
        """``channel:ts`` of this delivery's message if an earlier attempt posted it: the
        destination's messages since the first claim, newest first, with their metadata."""
        target = destination.removeprefix(DM).removeprefix(CHANNEL)
        channel = (self.open_dm(target) if destination.startswith(DM)
                   else self.channel_id(target))
        if channel is None:
            log.warning("digest retry: no channel called %s to look in; posting again", target)
            return None
        oldest = (in_flight.since - self.history_margin).timestamp()
        read, cursor = 0, None
        while read < self.history_limit:
            try:
                page = self.client.conversations_history(
                    channel=channel, oldest=f"{max(oldest, 0):.6f}", include_all_metadata=True,
                    limit=min(SLACK_PAGE_SIZE, self.history_limit - read), cursor=cursor)
            except SlackApiError as refused:
                code = refused.response.get("error")
                if code not in HISTORY_REFUSALS:
                    raise  # Slack is unwell: fail now, retry on the next run
                # An app installed before the history scopes: posting again risks a duplicate,
                # not posting would lose the digest; say so, and post.
                log.warning("digest retry: cannot read %s's history (%s): reinstall the app "
                            "with the manifest's history scopes; posting again", target, code)
                return None
            messages = page.get("messages") or []
            read += len(messages)
            for message in messages:
                if in_flight.is_mine(message.get("metadata")):
                    return f"{channel}:{message['ts']}"
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor or not messages:
                break
        return None

    def channel_id(self, channel: str) -> str | None:
        """A channel's id: as given if it is one, else found by name (conversations.list)."""
        if CONVERSATION_ID.match(channel):
            return channel
        name = channel.lstrip("#").lower()
        cursor = None
        while True:
            page = self.client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True,
                limit=SLACK_PAGE_SIZE,
                cursor=cursor)
            for found in page.get("channels") or []:
                if str(found.get("name", "")).lower() == name:
                    return str(found["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    def post_chart_block(self, digest: Digest, channel_id: str, thread_ts: str,
                         message_ref: str) -> bool:
        """The chart as Slack's data visualisation block, into the digest's thread. False (and
        the PNG is uploaded instead) when the digest's chart does not fit the block, or this
        workspace refused the block once (remembered for the process)."""
        chart = chart_message(digest)
        if chart is None or self.chart_blocks_refused:
            return False
        try:
            self.client.chat_postMessage(channel=channel_id, thread_ts=thread_ts,
                                         text=chart.text, blocks=chart.blocks)
            return True
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code in BLOCK_REFUSALS:
                log.warning("Slack refused the chart block (%s): sending the picture instead",
                            code)
                self.chart_blocks_refused = True
                return False
            raise PostFailed(f"chart post failed: {safe_error(error)}", message_ref) from error
        except Exception as failure:  # noqa: BLE001 - recorded, and retried from the thread
            raise PostFailed(f"chart post failed: {safe_error(failure)}",
                             message_ref) from failure

    def open_dm(self, user_id: str) -> str:
        """The DM channel with a user (conversations.open is idempotent: same channel each time)."""
        response = self.client.conversations_open(users=user_id)
        return response["channel"]["id"]


__all__ = ["CHANNEL", "DM", "SlackPoster", "slack_client"]
