"""Slash commands (/caseload, /protected, /actions, /supervision, /staffing) and the same
words in a DM.

Each slash command is acknowledged at once with an empty ack (Slack wants an answer within 3 s);
the question is answered afterwards by a lazy listener that posts to the command's response_url.
Answers are ephemeral (only the asker sees them) except answers that list nobody asked in a
direct message; refusals and errors are always ephemeral. Messages sent to the bot in its DM are
answered in that DM, which only the asker and the bot can see.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from handlers.transport import PooledWebhookClient
from queries.results import Invalid, Refusal, ReportRequested, Unavailable, unwrapped
from render.slack import Message

if TYPE_CHECKING:
    from handlers.slack.front import SlackFrontEnd

log = logging.getLogger(__name__)

SLASH_COMMANDS = ("/caseload", "/protected", "/actions", "/supervision", "/staffing",
                  "/remind")
RESPONSE_URL_TIMEOUT_SECONDS = 15
#: Slack redelivers an event it thinks we missed; these ids make a redelivery a no-op.
SEEN_EVENT_IDS = 2_000
#: Stateless (each request keeps its own RetryState), so one list serves every reply.
REPLY_RETRY_HANDLERS = [RateLimitErrorRetryHandler(max_retry_count=2),
                        ConnectionErrorRetryHandler(max_retry_count=2)]


def in_direct_message(channel_id: str | None, channel_name: str | None) -> bool:
    return channel_name == "directmessage" or (channel_id or "").startswith("D")


def response_type(answer: object, in_dm: bool) -> str:
    """"in_channel" only for an answer that lists nobody, asked in a DM; otherwise ephemeral."""
    if not in_dm or getattr(answer, "lists_people", True):
        return "ephemeral"
    if isinstance(unwrapped(answer), (Refusal, Invalid, Unavailable)):
        return "ephemeral"
    return "in_channel"


def reply(
    response_url: str, message: Message, *, response_type: str = "ephemeral",
    replace_original: bool = False,
) -> bool:
    """Post to a response_url (what Bolt's `respond` does), with the same retries as the Web API
    client; a failure is logged, never raised, so one lost reply cannot stop the listener.

    The client only holds the URL: its TLS context and kept-alive connection are the process's
    shared ones (handlers/transport.py), so a reply costs no handshake once one is open."""
    if not response_url:
        return False
    webhook = PooledWebhookClient(response_url, timeout=RESPONSE_URL_TIMEOUT_SECONDS,
                                  retry_handlers=REPLY_RETRY_HANDLERS)
    body: dict[str, Any] = {**message, "response_type": response_type,
                            "replace_original": replace_original}
    try:
        response = webhook.send_dict(body)
    except Exception as error:
        log.error("posting a reply to Slack failed: %s", type(error).__name__)
        return False
    if response.status_code >= 300:
        log.error("Slack refused a reply: HTTP %s", response.status_code)
        return False
    return True


def post_message(client: WebClient, channel: str, message: Message,
                 thread_ts: str | None = None) -> bool:
    """chat.postMessage, logged rather than raised when Slack is down after its retries."""
    try:
        client.chat_postMessage(channel=channel, text=message["text"], blocks=message["blocks"],
                                thread_ts=thread_ts, unfurl_links=False, unfurl_media=False)
        return True
    except Exception as error:
        log.error("chat.postMessage failed: %s", type(error).__name__)
        return False


class SeenEvents:
    """A small, thread-safe memory of event ids already answered."""

    def __init__(self, size: int = SEEN_EVENT_IDS) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        with self._lock:
            if event_id in self._ids:
                return False
            self._ids[event_id] = None
            while len(self._ids) > self.size:
                self._ids.popitem(last=False)
            return True


def acknowledge(ack: Ack) -> None:
    """Within Slack's 3 seconds, whatever happens next: the answer follows via response_url."""
    ack()


def register(app: App, front: SlackFrontEnd) -> None:
    """The four slash commands, and the same words as direct messages to the bot."""
    from handlers.slack.interactivity import stamp_origin

    def answer_command(body: dict[str, Any]) -> None:
        """Lazy: runs after the ack. identity → ask() → render → reply."""
        verb = str(body.get("command") or "").lstrip("/")
        text = str(body.get("text") or "")
        outcome = front.ask(str(body.get("user_id") or ""), text, verb=verb)
        message = stamp_origin(front.render(outcome.answer), f"/{verb} {text}".strip())
        in_dm = in_direct_message(body.get("channel_id"), body.get("channel_name"))
        reply(str(body.get("response_url") or ""), message,
              response_type=response_type(outcome.answer, in_dm))
        if isinstance(outcome.answer, ReportRequested):
            send_report(str(body.get("user_id") or ""), outcome.answer,
                        str(body.get("response_url") or ""))

    def send_report(user_id: str, request: ReportRequested, response_url: str) -> None:
        """`/staffing report`: the PDF into the asker's DM, after the answer said it is coming."""
        from jobs.report_delivery import send_report_to_slack_user

        try:
            send_report_to_slack_user(front.engine, front.settings, app.client, user_id,
                                      service_id=request.service_id, as_of=request.as_of,
                                      today=request.as_of, months=request.months)
        except Exception as error:  # noqa: BLE001 - the asker is told; the bot keeps serving
            log.error("sending a performance report failed: %s", type(error).__name__,
                      exc_info=True)
            reply(response_url, front.render(Unavailable()))

    def acknowledge_event(ack: Ack) -> None:
        """Events are acked at once and answered by a lazy listener, like the commands."""
        ack()

    for command in SLASH_COMMANDS:
        app.command(command)(ack=acknowledge, lazy=[answer_command])

    seen = SeenEvents()

    def answer_direct_message(event: dict[str, Any], body: dict[str, Any],
                              client: WebClient) -> None:
        """`caseload team X`, `help` … typed to the bot in its DM, answered in the DM."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # edits, joins, the bot's own posts: not questions
        text = event.get("text")
        user_id = event.get("user")
        if not isinstance(text, str) or not user_id or not seen.first_time(body.get("event_id")):
            return
        outcome = front.ask(str(user_id), text)
        message = stamp_origin(front.render(outcome.answer), text.strip())
        post_message(client, str(event.get("channel")), message, event.get("thread_ts"))

    app.event("message")(ack=acknowledge_event, lazy=[answer_direct_message])


__all__ = ["SLASH_COMMANDS", "in_direct_message", "post_message", "register", "reply",
           "response_type"]
