"""POST /api/messages: where Teams (through the Azure Bot Service) delivers activities to the bot.

Mounted on the same ASGI app as /slack/events, so `python bot.py serve` answers both on one port.
With TEAMS_APP_ID (and its password and tenant) set, the request's Bot Framework token is checked
by the SDK's JWT validation first: a request without a valid one gets 401 and no handler runs.
With none set, the endpoint runs in anonymous local mode (Agents Playground, tests) and says so;
that mode (only when no chat setting of any kind is given) answers only requests whose socket
peer is this machine, with no proxy's forwarding header, and whose replies go back to it.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.fastapi import jwt_authorization_decorator, start_agent_process
from pydantic import ValidationError
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
#: Headers a proxy adds: a request that carries one came through a proxy, so not from this
#: machine's own client, whatever address the header names.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip",
                      "x-client-ip", "true-client-ip")
REFUSED = {"error": "Invalid token or authentication failed."}
MALFORMED = {"error": "The request body is not a Bot Framework activity."}


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def socket_peer(request: Request) -> str | None:
    """The address of the socket's other end, or None when a forwarding header is present.

    uvicorn's proxy-headers middleware replaces the peer address with X-Forwarded-For's when the
    peer is a trusted proxy (and with FORWARDED_ALLOW_IPS='*' every peer is trusted, so anyone
    could name 127.0.0.1). It only does so when the header is there: without any forwarding
    header, `request.client` is the socket's own peer address."""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return None
    return request.client.host if request.client else None


def from_this_machine(request: Request) -> bool:
    """Anonymous mode checks no token, so it answers this machine only: the socket's peer (never
    a forwarded header) must be loopback. Otherwise anyone who could reach the port could ask as
    anyone, or change actions."""
    caller = socket_peer(request)
    if is_loopback(caller):
        return True
    log.warning("Teams request refused: anonymous local mode answers this machine only "
                "(peer %s)", caller or "behind a proxy")
    return False


def replies_stay_here(activity: dict[str, Any]) -> bool:
    """In anonymous mode the answer must go back to this machine too (its serviceUrl)."""
    service_url = activity.get("serviceUrl")
    if not service_url or is_loopback(urlsplit(str(service_url)).hostname):
        return True
    log.warning("Teams request refused: anonymous local mode sends no answer off this machine")
    return False


async def activity_in(request: Request) -> dict[str, Any] | None:
    """The request's activity: a JSON object the SDK's Activity model accepts, or None.

    The SDK answers undecodable JSON with 400, but a JSON array or an object of the wrong shape
    reached its model validation unguarded and became a 500 with a traceback. Nothing of a
    refused body is logged."""
    try:
        parsed = json.loads((await request.body()).decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError too
        return None
    if not isinstance(parsed, dict):
        return None
    try:
        Activity.model_validate(parsed)
    except ValidationError:
        return None
    return parsed


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
            if not from_this_machine(request):
                return JSONResponse(LOCAL_ONLY, status_code=403)
        else:
            try:
                refused = await check_token(request)
            except Exception as error:  # noqa: BLE001  (a malformed token is a refusal, not a 500)
                log.warning("Teams request refused: %s", type(error).__name__)
                refused = JSONResponse(REFUSED, status_code=401)
            if refused is not None:
                return refused
        activity = await activity_in(request)
        if activity is None:
            log.info("Teams request refused: the body is not an activity")
            return JSONResponse(MALFORMED, status_code=400)
        if auth.anonymous and not replies_stay_here(activity):
            return JSONResponse(LOCAL_ONLY, status_code=403)
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
