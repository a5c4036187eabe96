"""POST /api/messages: where Teams (through the Azure Bot Service) delivers activities to the bot.

Mounted on the same ASGI app as /slack/events, so `python bot.py serve` answers both on one port.
With TEAMS_APP_ID (and its password and tenant) set, the request's Bot Framework token is checked
by the SDK's JWT validation first: a request without a valid one gets 401 and no handler runs.
With none set, the endpoint runs in anonymous local mode (Agents Playground, tests) and says so;
that mode answers only requests from this machine whose replies go back to this machine.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from microsoft_agents.hosting.fastapi import jwt_authorization_decorator, start_agent_process
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from config import Settings
from handlers.teams.bot import TeamsBot, Today
from handlers.teams.charts import mount_charts

log = logging.getLogger("handlers.teams")

MESSAGES_PATH = "/api/messages"
ANONYMOUS_NOISE = "microsoft_agents.hosting.core.connector.client.user_token_client"
LOCAL_ONLY = {"error": "Teams is in anonymous local mode: requests from this machine only."}
REFUSED = {"error": "Invalid token or authentication failed."}


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


async def outside_local_mode(request: Request) -> Response | None:
    """Anonymous mode checks no token, so it answers this machine only: the caller (after any
    trusted proxy's X-Forwarded-For) and the serviceUrl the answer would go to must both be
    loopback. Otherwise anyone who could reach the port could ask as anyone, or change actions."""
    caller = request.client.host if request.client else None
    try:
        body = await request.json()
    except ValueError:
        body = None  # the SDK answers malformed JSON with 400
    service_url = body.get("serviceUrl") if isinstance(body, dict) else None
    replies_stay_here = not service_url or is_loopback(urlsplit(str(service_url)).hostname)
    if is_loopback(caller) and replies_stay_here:
        return None
    log.warning("Teams request refused: anonymous local mode answers this machine only "
                "(caller %s)", caller)
    return JSONResponse(LOCAL_ONLY, status_code=403)


def mount_teams(app: Any, settings: Settings, engine: Engine, *, today: Today = None,
                path: str = MESSAGES_PATH) -> TeamsBot:
    """Add POST `path` (default /api/messages) to a Starlette/FastAPI app; returns the bot."""
    bot = TeamsBot(settings, engine, today=today)
    auth = bot.auth

    # The SDK's JWT check reads its configuration from the app's state.
    app.state.agent_configuration = auth.configuration

    @jwt_authorization_decorator
    async def check_token(request: Request) -> None:
        return None  # reached only with a valid token; the claims are on request.state

    async def messages(request: Request) -> Response:
        if auth.anonymous:
            refused = await outside_local_mode(request)
            if refused is not None:
                return refused
        else:
            try:
                refused = await check_token(request)
            except Exception as error:  # noqa: BLE001  (a malformed token is a refusal, not a 500)
                log.warning("Teams request refused: %s", type(error).__name__)
                refused = JSONResponse(REFUSED, status_code=401)
            if refused is not None:
                return refused
        response = await start_agent_process(request, bot.application, bot.adapter)
        return response if response is not None else Response(status_code=202)

    app.add_route(path, messages, methods=["POST"])
    mount_charts(app, settings, engine)
    app.state.teams_bot = bot
    if auth.anonymous:
        # Without an app id the SDK warns on every turn that its token client has none.
        logging.getLogger(ANONYMOUS_NOISE).setLevel(logging.ERROR)
        log.warning("Teams endpoint in anonymous local mode at %s: no Bot Framework token is "
                    "checked and none is sent, so only requests from this machine are answered "
                    "(Agents Playground and tests; set TEAMS_APP_ID, TEAMS_APP_PASSWORD and "
                    "TEAMS_TENANT_ID for Teams).", path)
    else:
        log.info("Teams endpoint at %s: Bot Framework tokens are checked for app %s", path,
                 auth.app_id)
    return bot


__all__ = ["MESSAGES_PATH", "mount_teams"]
