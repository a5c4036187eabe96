"""The Bolt app: one Web API client, one front end object, and every listener module registered.

Listeners are thin (identity → ask() → render → reply) and share `SlackFrontEnd`, which holds the
store, the settings, the clock and the identity cache. Access rules, wording and audit all live in
`queries.answer.ask`, the same door the console and Teams use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from sqlalchemy.engine import Engine

from config import Settings, local_today
from handlers.slack.identity import SlackIdentities
from queries.answer import Outcome, ask
from queries.results import Unavailable
from render.slack import Message, render_slack

log = logging.getLogger(__name__)

#: Listener threads: acks and the slower lazy answers share this pool (Bolt's design), so it is
#: sized well above the handful of answers that may wait on a slow store at once.
LISTENER_THREADS = 32
WEB_API_TIMEOUT_SECONDS = 15
WEB_API_RETRIES = 2
#: Loggers that print request headers or bodies (the bot token) at DEBUG: never below INFO.
TOKEN_BEARING_LOGGERS = ("slack_sdk", "slack_bolt", "httpx", "httpcore", "urllib3")
#: Bolt copies this logger's level into every listener logger it makes.
BOLT_LOGGER = "slack_bolt.caseload"


class ClientGivenNotice(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN from the environment and warns at every start that the
    client we hand it (the one with our base URL and retries) wins: true, expected, and noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("As you gave `client` as well")


def keep_tokens_out_of_logs() -> None:
    """slack_sdk logs request headers, bearer token included, at DEBUG: hold those at INFO
    whatever the root level, so turning on debug logging can never leak a token."""
    for name in (*TOKEN_BEARING_LOGGERS, BOLT_LOGGER):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    """The Web API client, with retries for rate limits (honouring Retry-After) and dropped
    connections, so a busy or briefly unreachable Slack does not lose an answer."""
    return WebClient(
        token=token if token is not None else (settings.slack_bot_token or None),
        base_url=settings.slack_api_base_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=WEB_API_RETRIES),
            ConnectionErrorRetryHandler(max_retry_count=WEB_API_RETRIES),
        ],
    )


@dataclass
class SlackFrontEnd:
    """What every listener needs, and the one way they all ask a question."""

    engine: Engine
    settings: Settings
    today: Callable[[], date]
    identities: SlackIdentities

    def ask(self, user_id: str, text: str, verb: str | None = None) -> Outcome:
        """Ask as this Slack user. Never raises: any fault becomes the plain 'try again' answer."""
        try:
            today = self.today()
            identity = self.identities.identity_for(user_id, today)
            # NUL cannot be stored in a PostgreSQL text column (the audit log): never a word.
            return ask(self.engine, identity, text.replace("\x00", " "), verb=verb, today=today,
                       settings=self.settings)
        except Exception as error:  # the request itself (body, headers) is never logged
            log.error("answering a Slack %s failed: %s", verb or "message", type(error).__name__,
                      exc_info=True)
            return Outcome(Unavailable(), None, "")

    def render(self, answer: object, limit: int | None = None, offset: int = 0) -> Message:
        """Block Kit for an answer (a page of `max_rows_in_chat` rows from `offset`); a
        rendering fault still gives the user the plain message."""
        rows = self.settings.max_rows_in_chat if limit is None else limit
        try:
            return render_slack(answer, limit=rows, offset=offset)
        except Exception as error:
            log.error("rendering a %s for Slack failed: %s", type(answer).__name__,
                      type(error).__name__, exc_info=True)
            return render_slack(Unavailable())


class SlackTokenRefused(RuntimeError):
    """Slack answered auth.test and said no: a configuration error, so start-up stops."""


def token_refused(error: BaseException) -> str | None:
    """Slack's error code when it answered and refused the token (not when it was unreachable)."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, SlackApiError) and cause.response.status_code == 200:
        return str(cause.response.get("error") or "refused")
    return None


def bolt_app(settings: Settings, client: WebClient, executor: ThreadPoolExecutor) -> App:
    """The Bolt App. A token Slack refuses stops start-up with a clear message; if Slack cannot
    be reached at start, the token is checked on first use instead, so the process still starts
    and recovers by itself."""
    bolt_logger = logging.getLogger(BOLT_LOGGER)
    if not any(isinstance(known, ClientGivenNotice) for known in bolt_logger.filters):
        bolt_logger.addFilter(ClientGivenNotice())
    options = dict(
        client=client,
        signing_secret=settings.slack_signing_secret,
        # Acks are sent as soon as the ack listener returns (no polling for the ack: Bolt's
        # threaded runner would add ~10 ms a request); the answering work is always lazy.
        process_before_response=True,
        listener_executor=executor,
        name="caseload-bot",
        logger=bolt_logger,
    )
    try:
        return App(**options)  # type: ignore[arg-type]
    except Exception as error:
        refused = token_refused(error) if isinstance(error, BoltError) else None
        if refused is not None:
            raise SlackTokenRefused(
                f"Slack refused SLACK_BOT_TOKEN ({refused}): check the bot token of the app "
                "installed in your workspace") from None
        log.warning("Slack auth.test failed at start (%s); checking the token on first request",
                    type(error).__name__)
        return App(token_verification_enabled=False, **options)  # type: ignore[arg-type]


def build_app(
    settings: Settings, engine: Engine, *, today: Callable[[], date] | None = None,
    client: WebClient | None = None,
) -> App:
    """The Slack front end, ready for the HTTP adapter or Socket Mode."""
    from handlers.slack import commands, home, interactivity

    keep_tokens_out_of_logs()
    web_client = client or make_web_client(settings)
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slack")
    app = bolt_app(settings, web_client, executor)
    front = SlackFrontEnd(
        engine=engine,
        settings=settings,
        today=today or (lambda: local_today(settings)),
        identities=SlackIdentities(engine, web_client),
    )

    @app.error
    def log_listener_error(error: Exception) -> None:
        """Bolt's last resort: log the fault only (never the body or headers, which hold ids)."""
        log.error("Slack listener failed: %s", type(error).__name__, exc_info=error)

    commands.register(app, front)
    interactivity.register(app, front)
    home.register(app, front)
    return app


def shutdown_app(app: App) -> None:
    """Let answers already under way finish, then stop the listener threads."""
    app.listener_runner.listener_executor.shutdown(wait=True)  # type: ignore[attr-defined]


__all__ = ["SlackFrontEnd", "SlackTokenRefused", "build_app",
           "keep_tokens_out_of_logs", "make_web_client", "shutdown_app"]
