"""Digests to Slack: the head of service by DM, and each distinct digest channel of the service.

Destinations are named ``slack-dm:<Slack user id>`` and ``slack-channel:<channel>`` (a channel id,
or a name as the teams import gave it). The message goes out with chat.postMessage; the charts
follow into its thread with files_upload_v2 (files.getUploadURLExternal, the upload, then
files.completeUploadExternal with ``thread_ts``), addressed by the channel id Slack returned, so
a channel given by name works too.

The WebClient retries rate limits (429, honouring Retry-After), server errors (500, 503) and
dropped connections itself, so one slow minute at Slack does not fail a digest; what still fails
is recorded by jobs.delivery and retried on the next run.
"""

from __future__ import annotations

import logging
import random
from datetime import date

from slack_sdk import WebClient
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
from jobs.delivery import PostFailed, safe_error
from jobs.digest_results import Digest
from jobs.destinations import service_destinations
from models import Staff, Team
from render.charts import charts_for
from render.digest_slack import render_digest_slack

log = logging.getLogger(__name__)

DM = "slack-dm:"
CHANNEL = "slack-channel:"


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

    def post(self, destination: str, digest: Digest, message_ref: str | None = None) -> str:
        """Post the digest (named in a DM, figures only in a channel), then its charts."""
        direct = destination.startswith(DM)
        target = destination.removeprefix(DM).removeprefix(CHANNEL)
        if message_ref is None:
            channel = self.open_dm(target) if direct else target
            message = render_digest_slack(digest, named=direct)
            response = self.client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks,
                unfurl_links=False, unfurl_media=False,
            )
            message_ref = f"{response['channel']}:{response['ts']}"
        channel_id, _, thread_ts = message_ref.partition(":")
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

    def open_dm(self, user_id: str) -> str:
        """The DM channel with a user (conversations.open is idempotent: same channel each time)."""
        response = self.client.conversations_open(users=user_id)
        return response["channel"]["id"]


__all__ = ["CHANNEL", "DM", "SlackPoster", "slack_client"]
