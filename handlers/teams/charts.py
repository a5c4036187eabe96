"""Digest charts for Teams, served by the bot itself at short-lived signed HTTPS addresses.

Teams draws an Adaptive Card's image from its URL. A ``data:`` URI puts the whole PNG in the
message (Teams refuses messages over about 28 KB, and some clients do not draw them at all), so
the card links to ``GET /teams/charts/KIND/SERVICE/DATE.png?expires=…&sig=…`` on the bot's web
app instead. The signature is an HMAC-SHA256, under ``CHART_LINK_SECRET``, of the chart's kind,
service, date and expiry; a link is good for ``CHART_LINK_HOURS`` and is refused after that or
if any part of it was changed.

Nothing is stored: the route rebuilds the digest for that service and date from the database and
draws its chart again, so any replica behind the load balancer can answer, and a chart holds the
figures a channel may see (team names and numbers: never a person or a case).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from config import Settings

log = logging.getLogger("handlers.teams")

CHARTS_PATH = "/teams/charts/{kind}/{service_id:int}/{as_of}.png"
CHART_KINDS = ("staffing", "supervision")
REFUSED = {"error": "This chart link is not valid or has expired."}


def link_key(settings: Settings) -> bytes:
    """CHART_LINK_SECRET; without one, a key derived from the Teams app password (the same on
    every replica, and never the password itself)."""
    if settings.chart_link_secret:
        return settings.chart_link_secret.encode()
    return hmac.new(settings.teams_app_password.encode(), b"caseload-bot chart links",
                    hashlib.sha256).digest()


def signature(settings: Settings, kind: str, service_id: int, as_of: date, expires: int) -> str:
    message = f"{kind}\n{service_id}\n{as_of.isoformat()}\n{expires}".encode()
    digest = hmac.new(link_key(settings), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def charts_served(settings: Settings) -> bool:
    """Chart links need an HTTPS address Teams can reach, and a key to sign them with."""
    return settings.public_base_url.lower().startswith("https://") and bool(
        settings.chart_link_secret or settings.teams_app_password)


def chart_url(settings: Settings, kind: str, service_id: int, as_of: date, now: datetime
              ) -> str | None:
    """The signed address of a digest's chart, good for CHART_LINK_HOURS from `now`; None when
    charts cannot be served (no HTTPS PUBLIC_BASE_URL or no key)."""
    if not charts_served(settings):
        return None
    expires = int((now + timedelta(hours=settings.chart_link_hours)).timestamp())
    query = urlencode({"expires": expires,
                       "sig": signature(settings, kind, service_id, as_of, expires)})
    base = settings.public_base_url.rstrip("/")
    return f"{base}/teams/charts/{kind}/{service_id}/{as_of.isoformat()}.png?{query}"


def link_valid(settings: Settings, kind: str, service_id: int, as_of: date, expires: str,
               sig: str, now: datetime) -> bool:
    if not expires.isdigit() or int(expires) < now.timestamp():
        return False
    expected = signature(settings, kind, service_id, as_of, int(expires))
    return hmac.compare_digest(expected, sig)


def chart_png(engine: Engine, settings: Settings, kind: str, service_id: int, as_of: date
              ) -> bytes | None:
    """The digest's chart, drawn again from the store (None if the service or chart is gone)."""
    from handlers.teams.proactive import compact_png
    from jobs.digests import build_digest
    from models import Service
    from render.charts import charts_for

    with Session(engine) as session:
        service = session.get(Service, service_id)
        if service is None:
            return None
        charts = charts_for(build_digest(session, kind, service, as_of, settings))
    return compact_png(charts[0].png) if charts else None


def mount_charts(app: Any, settings: Settings, engine: Engine,
                 now: Any = lambda: datetime.now(timezone.utc)) -> None:
    """GET /teams/charts/…: a signed, unexpired link gets its chart; anything else 403."""

    async def chart(request: Request) -> Response:
        params = request.path_params
        kind, service_id = str(params["kind"]), int(params["service_id"])
        try:
            as_of = date.fromisoformat(str(params["as_of"]))
        except ValueError:
            return JSONResponse(REFUSED, status_code=403)
        if kind not in CHART_KINDS or not link_valid(
                settings, kind, service_id, as_of, request.query_params.get("expires", ""),
                request.query_params.get("sig", ""), now()):
            log.warning("Chart link refused: %s for service %s", kind, service_id)
            return JSONResponse(REFUSED, status_code=403)
        from starlette.concurrency import run_in_threadpool

        png = await run_in_threadpool(chart_png, engine, settings, kind, service_id, as_of)
        if png is None:
            return JSONResponse({"error": "No such chart."}, status_code=404)
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=3600"})

    app.add_route(CHARTS_PATH, chart, methods=["GET"])


__all__ = ["CHARTS_PATH", "chart_url", "charts_served", "link_valid", "mount_charts"]
