"""Serving: one ASGI app under uvicorn for Slack's HTTP events, Teams and /healthz, and Socket Mode
alongside it when SLACK_APP_TOKEN is set (councils often have no public endpoint).

Bolt's own development server is never used. A Slack request's signature is checked over its raw
bytes before Bolt sees it (handlers/slack/inbound.py), so a bad or stale signature gets 401
before any listener runs, and Bolt never logs its body. The Bolt dispatch is a
blocking call, so it runs in a worker thread and never stalls the event loop that acks everyone
else's requests.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timezone
from typing import Any

from fastapi import FastAPI
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from config import Settings, check_chat_settings
from handlers.body_limit import BoundedBody
from handlers.log_safety import keep_secrets_out_of_logs
from handlers.slack.inbound import signed_by_slack, slack_payload
from handlers.transport import close_shared_transport, close_teams_connections
from models.store import store_deadline
from queries import audit_spool

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def slack_over_http(settings: Settings) -> bool:
    """HTTP events need the signing secret: without it no request could be verified."""
    return bool(settings.slack_bot_token and settings.slack_signing_secret
                and not settings.slack_app_token)


def slack_handler(slack_app: App, settings: Settings) -> Callable[[Request], Any]:
    """POST /slack/events: the signature checked here, over the raw bytes, before Bolt sees the
    request (Bolt would log the body of a badly signed one); a signed body Bolt could not read
    (not UTF-8, `payload=not-json`, a JSON array) is a 400, not Bolt's 500; then Bolt, in a
    worker thread."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()  # already bounded by BoundedBody
        if not signed_by_slack(body, request.headers, settings.slack_signing_secret,
                               settings.slack_request_max_age_seconds):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        if slack_payload(body, request.headers.get("content-type")) is None:
            return JSONResponse({"error": "malformed request"}, status_code=400)
        bolt_response = await run_in_threadpool(slack_app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    return slack_events


def store_reachable(engine: Engine, timeout_seconds: float) -> bool:
    """Whether the store would answer a question now, within `timeout_seconds`.

    PostgreSQL: a connection and a statement. SQLite: the write lock as well (BEGIN IMMEDIATE,
    then ROLLBACK), because every answer writes its audit entry, and in WAL mode a reader never
    notices that someone holds the lock. When the store answers, audit entries kept while it
    did not are written (queries.audit_spool)."""
    try:
        with store_deadline(timeout_seconds), engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                connection.exec_driver_sql("ROLLBACK")
            else:
                connection.execute(text("SELECT 1"))
    except Exception:
        return False
    with store_deadline(timeout_seconds):
        audit_spool.flush(engine)
    return True


def mount_teams(web: FastAPI, settings: Settings, engine: Engine,
                today: Callable[[], date] | None = None) -> bool:
    """Teams' /api/messages, when the Teams front end provides `handlers.teams.mount_teams`."""
    try:
        import handlers.teams as teams
    except ImportError:
        return False
    mount = getattr(teams, "mount_teams", None)
    if mount is None:
        return False
    mount(web, settings, engine, today=today)
    return True


def build_asgi_app(
    settings: Settings, engine: Engine, *, today: Callable[[], date] | None = None,
    slack_client: WebClient | None = None, teams: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The web app: POST /slack/events (HTTP mode), GET /healthz, and Teams when present.

    In Socket Mode the Bolt app is built too (on `app.state.slack_app`) but no HTTP route is
    mounted for it: every Slack request then arrives over the socket. /api/messages is mounted
    when a Teams setting is given, or in Teams' anonymous local mode when no chat setting of any
    kind is (so a Slack deployment never exposes the unauthenticated endpoint); `teams=False`
    leaves it out whatever the settings. `clock` is what "now" is for report links' expiry (a
    test passes its own instead of waiting days)."""
    from handlers.slack.app import build_app, shutdown_app

    keep_secrets_out_of_logs()
    slack_app = (build_app(settings, engine, today=today, client=slack_client)
                 if settings.slack_enabled else None)

    @asynccontextmanager
    async def lifespan(web: FastAPI) -> AsyncIterator[None]:
        yield
        for stop in reversed(web.state.on_shutdown):  # e.g. Socket Mode: no new requests first
            await asyncio.to_thread(stop)
        if slack_app is not None:  # then let answers under way finish
            await asyncio.to_thread(shutdown_app, slack_app)
        close_shared_transport()  # and only then close the kept-alive connections they used
        await close_teams_connections()

    web = FastAPI(title="caseload bot", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    web.state.slack_app = slack_app
    web.state.teams_mounted = False
    web.state.on_shutdown = []  # callables run at shutdown, before the Slack listeners stop
    web.add_middleware(BoundedBody, max_bytes=settings.max_request_body_bytes)

    async def healthz() -> JSONResponse:
        """200 when the store answers; 503 while it is unreachable or locked (SPEC section 8),
        so a load balancer or monitor sees the outage from the status alone."""
        timeout = settings.health_store_timeout_seconds
        try:  # the store deadline bounds the check; wait_for is the backstop
            reachable = await asyncio.wait_for(
                run_in_threadpool(store_reachable, engine, timeout), timeout + 1)
        except TimeoutError:
            reachable = False
        return JSONResponse(status_code=200 if reachable else 503, content={
            "status": "ok" if reachable else "unavailable",
            "store": "ok" if reachable else "unreachable",
            "slack": ("socket_mode" if slack_app is not None and settings.slack_app_token
                      else "http" if slack_app is not None and slack_over_http(settings)
                      else "off"),
            "teams": "on" if web.state.teams_mounted else "off",
        })

    async def report_pdf(token: str) -> Response:
        """A performance report behind a short-lived link (reports.links): Teams' `/staffing
        report`. Unknown and expired links get the same plain 404."""
        from reports.links import open_report_link

        now = clock() if clock is not None else datetime.now(timezone.utc)
        found = await run_in_threadpool(open_report_link, engine, token, now)
        if found is None:
            return Response("This report link has expired. Ask the bot again: /staffing report",
                            status_code=404, media_type="text/plain")
        filename, pdf = found
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    web.add_api_route(HEALTH_PATH, healthz, methods=["GET"])
    web.add_api_route("/reports/{token}", report_pdf, methods=["GET"])
    if slack_app is not None and slack_over_http(settings):
        web.add_api_route(SLACK_EVENTS_PATH, slack_handler(slack_app, settings),
                          methods=["POST"])
    teams_wanted = bool(settings.teams_settings_given) or settings.teams_anonymous
    web.state.teams_mounted = teams and teams_wanted and mount_teams(web, settings, engine, today)
    return web


# --- The process ------------------------------------------------------------------------------


class SocketModeRunner:
    """Socket Mode in its own threads, connecting (and reconnecting) until it is up, so a Slack
    outage at start delays Slack but never stops Teams, /healthz or the scheduler."""

    def __init__(self, slack_app: App, app_token: str) -> None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        self.handler = SocketModeHandler(slack_app, app_token)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._connect, name="slack-socket-mode",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _connect(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                self.handler.connect()
                log.info("Slack: Socket Mode connected")
                return
            except Exception as error:
                log.warning("Slack: Socket Mode could not connect (%s); retrying in %.0fs",
                            type(error).__name__, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 60.0)

    def close(self) -> None:
        self._stop.set()
        try:
            self.handler.close()
        except Exception as error:
            log.warning("Slack: closing Socket Mode failed: %s", type(error).__name__)
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def start_scheduler_if_available(settings: Settings, engine: Engine) -> Any:
    try:
        from jobs.scheduler import start_scheduler
    except ImportError as error:
        log.warning("Scheduler: not started — jobs.scheduler.start_scheduler is not available "
                    "(%s); digests will not be posted by this process", error)
        return None
    scheduler = start_scheduler(settings, engine)
    log.info("Scheduler: on (digests %s, %s)", settings.digest_cron, settings.bot_timezone)
    return scheduler


def stop_scheduler(scheduler: Any) -> None:
    shutdown = getattr(scheduler, "shutdown", None)
    if callable(shutdown):
        try:
            shutdown()
        except Exception as error:
            log.warning("Scheduler: shutdown failed: %s", type(error).__name__)


def describe_front_ends(settings: Settings, web: FastAPI, port: int) -> list[str]:
    """What is on and where — never a token."""
    lines = []
    host = settings.listen_host
    if web.state.slack_app is None:
        lines.append("Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN)")
    elif settings.slack_app_token:
        lines.append(f"Slack: Socket Mode (Web API {settings.slack_api_url})")
    elif slack_over_http(settings):
        lines.append(f"Slack: HTTP at http://{host}:{port}{SLACK_EVENTS_PATH} "
                     f"(Web API {settings.slack_api_url})")
    if not web.state.teams_mounted:
        lines.append("Teams: off (set TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID)")
    elif not settings.teams_anonymous:
        lines.append("Teams: on at /api/messages")
    else:
        lines.append("Teams: anonymous local mode at /api/messages (Agents Playground; this "
                     "machine only)")
    lines.append(f"Health: http://{host}:{port}{HEALTH_PATH}")
    return lines


def serve(settings: Settings, *, run_scheduler: bool, port: int | None = None) -> None:
    """`python bot.py serve`: check the chat settings, migrate, then serve until stopped
    (SIGINT/SIGTERM via uvicorn).

    A half-configured Slack or Teams stops start-up naming the missing setting (ChatSettingsError)
    instead of quietly falling back to Teams' anonymous mode. That mode, when no chat setting is
    given at all, listens on 127.0.0.1 unless HOST says otherwise, and takes no proxy headers:
    uvicorn would otherwise put a trusted proxy's X-Forwarded-For where the peer address goes."""
    import uvicorn

    from models.migrate import upgrade_store
    from models.store import get_engine

    keep_secrets_out_of_logs()
    check_chat_settings(settings)
    upgrade_store(settings)  # as the tables' owner when MIGRATION_DATABASE_URL says so
    engine = get_engine()
    web = build_asgi_app(settings, engine)
    listen_port = port or settings.port
    if web.state.slack_app is not None and settings.slack_app_token:
        socket_mode = SocketModeRunner(web.state.slack_app, settings.slack_app_token)
        web.state.on_shutdown.append(socket_mode.close)
        socket_mode.start()
    if run_scheduler:
        scheduler = start_scheduler_if_available(settings, engine)
        if scheduler is not None:
            web.state.on_shutdown.append(lambda: stop_scheduler(scheduler))
    else:
        log.info("Scheduler: off (--no-scheduler)")
    for line in describe_front_ends(settings, web, listen_port):
        log.info(line)
    uvicorn.run(web, host=settings.listen_host, port=listen_port, log_level="info",
                proxy_headers=not settings.teams_anonymous, server_header=False)


__all__ = ["build_asgi_app", "mount_teams", "serve"]
