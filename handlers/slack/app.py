"""The Bolt app, wired: one Web API client, one front end object (handlers/slack/front.py), and
every listener module registered. Nothing here answers a question; it only puts the parts together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from handlers.log_safety import keep_secrets_out_of_logs
from handlers.slack.front import SlackFrontEnd
from handlers.slack.identity import SlackIdentities
from handlers.slack.workspace import OwnWorkspace
from handlers.transport import PooledWebClient, use_pooled_client

log = logging.getLogger(__name__)

#: Listener threads: acks and the slower lazy answers share this pool (Bolt's design), so it is
#: sized well above the handful of answers that may wait on a slow store at once.
LISTENER_THREADS = 32
WEB_API_TIMEOUT_SECONDS = 15
WEB_API_RETRIES = 2
#: Bolt copies this logger's level into every listener logger it makes.
BOLT_LOGGER = "slack_bolt.caseload"


class ClientGivenNotice(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN from the environment and warns at every start that the
    client we hand it (the one with our base URL and retries) wins: true, expected, and noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("As you gave `client` as well")


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    """The Web API client, with retries for rate limits (honouring Retry-After) and dropped
    connections, so a busy or briefly unreachable Slack does not lose an answer; sent over the
    process's shared TLS context and kept-alive connections (handlers/transport.py)."""
    return PooledWebClient(
        token=token if token is not None else (settings.slack_bot_token or None),
        base_url=settings.slack_api_base_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=WEB_API_RETRIES),
            ConnectionErrorRetryHandler(max_retry_count=WEB_API_RETRIES),
        ],
    )


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

    keep_secrets_out_of_logs()
    web_client = client or make_web_client(settings)
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slack")
    app = bolt_app(settings, web_client, executor)
    workspace = OwnWorkspace(web_client, settings.slack_team_id)
    workspace.learn_at_start()  # a SLACK_TEAM_ID the token disagrees with stops start-up here
    app.use(use_pooled_client)  # listeners' Web API calls over the shared connections
    app.use(workspace)  # after Bolt's signature check; before any listener, in both modes
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


__all__ = ["SlackFrontEnd", "SlackTokenRefused", "build_app", "make_web_client", "shutdown_app"]
