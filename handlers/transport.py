"""One way out to the chat services: a shared TLS context and a keep-alive connection pool.

Why: slack_sdk's WebClient and WebhookClient send every request with `urllib.request.urlopen`.
Given no `ssl=` context, urllib builds a new one for each connection (loading the whole CA
bundle: ~20 ms of CPU, measured in bench/), and it always sends `Connection: close`, so every
reply to a response_url and every Web API call also pays a TCP connect and a full TLS handshake.
Slack's response_urls and Web API live on a handful of hosts, so one pool of kept-alive
connections, made with one context, serves them all.

`PooledWebClient` and `PooledWebhookClient` are slack_sdk's own clients with only the last step
swapped: the request urllib would have opened goes through the shared urllib3 pool instead,
and comes back looking exactly as urlopen's answer would (an `HTTPError` for a non-2xx status, a
`URLError` for a connection fault). So slack_sdk's retry handlers (429 with Retry-After, 5xx,
dropped connections) work unchanged, and a kept-alive connection the server had already closed
is simply a dropped connection, retried by `ConnectionErrorRetryHandler`. The overridden methods
are private to slack_sdk (pinned in requirements.txt); tests/handlers/test_transport.py fails
if a new version stops calling them.

The context is `ssl.create_default_context()`: the system's trust store, or `SSL_CERT_FILE` /
`SSL_CERT_DIR` when set (how the benchmark and tests trust their throw-away CA). urllib3 logs
under "urllib3", which handlers/log_safety.py already scrubs (origin only, never a path: a
response_url is a capability).

Teams: the Agents SDK makes an aiohttp `ClientSession` (its own connection pool) for every turn
and closes it at the turn's end, so each reply to the connector paid a new connection and
handshake too. `PooledConnectorFactory` hands the SDK connector clients whose sessions share one
`TCPConnector` (per event loop) with the same TLS context; the session is still the SDK's, per
turn, with that turn's token in its headers, so nothing but the connections is shared.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import logging
import ssl
import threading
import weakref
from collections.abc import Mapping
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import aiohttp
import urllib3
from microsoft_agents.hosting.core import RestChannelServiceClientFactory
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient
from slack_sdk import WebClient
from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient, WebhookResponse

log = logging.getLogger(__name__)

#: Kept-alive connections per host: the Slack listener pool has 32 threads, so up to 32 replies
#: may be under way at once; beyond that a connection is opened for the request and dropped.
CONNECTIONS_PER_HOST = 32
#: Distinct hosts remembered (slack.com, hooks.slack.com, files.slack.com, Teams' serviceUrls).
HOSTS = 16


class SharedSSLContext(ssl.SSLContext):
    """`ssl.create_default_context()`'s settings, in a context that deep-copies to itself.

    Why: Bolt deep-copies each request, the Web API client in its context included, before
    handing it to a lazy listener; a plain SSLContext cannot be copied (TypeError), and a copy
    would defeat sharing it anyway. The context is never changed after it is made."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedSSLContext:
        return self


def default_context() -> SharedSSLContext:
    """What ssl.create_default_context() makes: hostname checked, certificates verified against
    the default trust store (SSL_CERT_FILE / SSL_CERT_DIR when set)."""
    context = SharedSSLContext(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname, CERT_REQUIRED
    context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    return context


class PooledResponse:
    """What `urlopen` returns, as far as slack_sdk reads it: status, headers, the body."""

    def __init__(self, url: str, status: int, headers: http.client.HTTPMessage, body: bytes
                 ) -> None:
        self.url = url
        self.status = status
        self.code = status
        self.headers = headers
        self._body = body

    def read(self) -> bytes:
        return self._body

    def getcode(self) -> int:
        return self.status


def _http_message(headers: Mapping[str, str]) -> http.client.HTTPMessage:
    """urllib3's headers as the email.message-style object urllib's callers expect."""
    message = http.client.HTTPMessage()
    for name, value in headers.items():
        message[name] = value
    return message


class SharedTransport:
    """One TLS context and one keep-alive pool for every outgoing request of this process."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.ssl_context = ssl_context or default_context()
        self.pool = urllib3.PoolManager(
            num_pools=HOSTS, maxsize=CONNECTIONS_PER_HOST, block=False,
            ssl_context=self.ssl_context,
            retries=False,  # slack_sdk's retry handlers decide, as they do over urllib
        )
        self.closed = False

    def open(self, request: Request, timeout: float | None) -> PooledResponse:
        """Send a urllib Request over the pool; raise as urlopen would (HTTPError, URLError)."""
        url = request.full_url
        try:
            response = self.pool.request(
                request.get_method(), url, body=request.data,  # type: ignore[arg-type]
                headers=dict(request.header_items()),
                timeout=urllib3.Timeout(total=timeout) if timeout else None,
                redirect=False, preload_content=True,
            )
        except urllib3.exceptions.HTTPError as error:
            # what urlopen raises for a refused, reset or timed-out connection (URLError), so
            # ConnectionErrorRetryHandler retries it; the reason names a host, never a path
            raise URLError(error) from error
        headers = _http_message(response.headers)
        body = response.data or b""
        if not 200 <= response.status < 300:
            raise HTTPError(url, response.status, response.reason or "", headers,
                            io.BytesIO(body))
        return PooledResponse(url, response.status, headers, body)

    def close(self) -> None:
        """Close every kept-alive connection (at shutdown); a later request opens new ones."""
        self.pool.clear()
        self.closed = True


_shared: SharedTransport | None = None
_shared_lock = threading.Lock()


def shared_transport() -> SharedTransport:
    """The process's transport, made on first use (after SSL_CERT_FILE is read, not at import)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SharedTransport()
        return _shared


def close_shared_transport() -> None:
    """At shutdown: close the kept-alive connections. Safe to call twice, or before first use."""
    global _shared
    with _shared_lock:
        transport, _shared = _shared, None
    if transport is not None:
        transport.close()


class PooledWebClient(WebClient):
    """slack_sdk's WebClient, sending through the shared transport (file uploads, which slack_sdk
    sends by its own urlopen, at least share the TLS context)."""

    def __init__(self, *args: Any, transport: SharedTransport | None = None, **kwargs: Any
                 ) -> None:
        self.transport = transport or shared_transport()
        kwargs.setdefault("ssl", self.transport.ssl_context)
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo: dict[int, Any]) -> PooledWebClient:
        """Bolt deep-copies each request's context for lazy listeners; the client holds no
        per-request state worth copying, and its transport must stay the shared one."""
        return self

    @classmethod
    def like(cls, client: WebClient) -> PooledWebClient:
        """A pooled client with another client's settings (Bolt makes a plain one per request)."""
        return cls(token=client.token, base_url=client.base_url, timeout=client.timeout,
                   proxy=client.proxy, headers=client.headers,
                   team_id=client.default_params.get("team_id"),
                   logger=client.logger, retry_handlers=client.retry_handlers)

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None:  # a proxy: urllib's own way, which knows how to tunnel
            return super()._perform_urllib_http_request_internal(url, req)
        if not url.lower().startswith("http"):
            raise SlackRequestError(f"Invalid URL detected: {url}")
        response = self.transport.open(req, self.timeout)
        if response.headers.get_content_type() == "application/gzip":
            return {"status": response.code, "headers": response.headers,
                    "body": response.read()}
        charset = response.headers.get_content_charset() or "utf-8"
        return {"status": response.code, "headers": response.headers,
                "body": response.read().decode(charset)}


class PooledWebhookClient(WebhookClient):
    """slack_sdk's WebhookClient (a response_url reply), sending through the shared transport."""

    def __init__(self, url: str, *args: Any, transport: SharedTransport | None = None,
                 **kwargs: Any) -> None:
        self.transport = transport or shared_transport()
        kwargs.setdefault("ssl", self.transport.ssl_context)
        super().__init__(url, *args, **kwargs)

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        if self.proxy is not None:
            return super()._perform_http_request_internal(url, req)
        if not url.lower().startswith("http"):
            raise SlackRequestError(f"Invalid URL detected: {url}")
        response = self.transport.open(req, self.timeout)
        charset = response.headers.get_content_charset() or "utf-8"
        return WebhookResponse(url=url, status_code=response.status,
                               body=response.read().decode(charset),
                               headers=response.headers)  # type: ignore[arg-type]


class PooledConnectorFactory(RestChannelServiceClientFactory):
    """The SDK's connector client factory, with every session on one shared TCPConnector."""

    def __init__(self, connection_manager: Any, ssl_context: ssl.SSLContext | None = None
                 ) -> None:
        super().__init__(connection_manager)
        self.ssl_context = ssl_context or shared_transport().ssl_context
        self._connectors: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                                    aiohttp.TCPConnector] = (
            weakref.WeakKeyDictionary())
        _factories.add(self)

    def connector(self) -> aiohttp.TCPConnector:
        """This event loop's pool (an aiohttp connector belongs to one loop)."""
        loop = asyncio.get_running_loop()
        found = self._connectors.get(loop)
        if found is None or found.closed:
            found = aiohttp.TCPConnector(ssl=self.ssl_context, limit=CONNECTIONS_PER_HOST * HOSTS,
                                         limit_per_host=CONNECTIONS_PER_HOST)
            self._connectors[loop] = found
        return found

    async def create_connector_client(self, *args: Any, **kwargs: Any) -> ConnectorClientBase:
        made = await super().create_connector_client(*args, **kwargs)
        if type(made) is not TeamsConnectorClient:
            return made  # e.g. Copilot Studio's connector: left as the SDK makes it
        own = made.client  # a fresh session, nothing sent on it yet: swapped for a shared one
        session = aiohttp.ClientSession(base_url=own._base_url, headers=own.headers,
                                        connector=self.connector(), connector_owner=False)
        await own.close()
        return TeamsConnectorClient(str(own._base_url), "", session=session)

    async def close(self) -> None:
        """Close this loop's kept-alive connections (at shutdown, on the serving loop)."""
        found = self._connectors.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found.close()


_factories: weakref.WeakSet[PooledConnectorFactory] = weakref.WeakSet()


async def close_teams_connections() -> None:
    """At shutdown, on the serving loop: every pooled connector factory's connections."""
    for factory in list(_factories):
        await factory.close()


def use_pooled_client(context: Any, next: Any) -> None:  # noqa: A002 - Bolt's name
    """Bolt middleware: Bolt builds a plain WebClient for every request (urlopen: a new
    connection each call); listeners get a pooled one with the same settings instead."""
    client = context.get("client")
    if client is not None and not isinstance(client, PooledWebClient):
        context["client"] = PooledWebClient.like(client)
    next()


__all__ = ["PooledConnectorFactory", "PooledWebClient", "PooledWebhookClient", "SharedSSLContext",
           "SharedTransport", "close_shared_transport", "close_teams_connections",
           "shared_transport", "use_pooled_client"]
