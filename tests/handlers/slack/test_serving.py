"""Serving (issue 3, item 1): HTTP at /slack/events under uvicorn, or Socket Mode when
SLACK_APP_TOKEN is set; the Web API at SLACK_API_URL with retry handlers; /healthz; `serve`
says what is on and where, and never logs a token."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from sqlalchemy.engine import Engine

import handlers.server as server
from commands.grammar import VERBS
from config import ChatSettingsError, Settings
from handlers.slack.app import SlackTokenRefused, build_app, shutdown_app
from handlers.slack.commands import SLASH_COMMANDS
from tests.builders import Council
from tests.fakes.slack_api import RESPONSE_URL_METHOD, FakeSlackApi
from tests.fakes.slack_socket_mode import FakeSocketMode
from tests.handlers.slack.harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    TODAY,
    ServedSlack,
    answer_text,
    served_slack,
    slack_settings,
    uvicorn_serving,
)

APP_TOKEN = "xapp-test-app-token"
MANIFEST = Path(__file__).resolve().parents[3] / "manifest.json"


@pytest.fixture
def test_client() -> Iterator[Any]:
    """Serve the web app for settings, over real HTTP; a client with base_url set."""
    with ExitStack() as stack:

        def make(settings: Settings, engine: Engine) -> httpx.Client:
            web = server.build_asgi_app(settings, engine, teams=False)
            base_url = stack.enter_context(uvicorn_serving(web))
            return stack.enter_context(httpx.Client(base_url=base_url, timeout=10))

        yield make


def test_web_api_client_uses_slack_api_url_with_retry_handlers(engine: Engine,
                                                               fake_slack: FakeSlackApi) -> None:
    settings = slack_settings(fake_slack, slack_api_url=fake_slack.url.rstrip("/"))
    app = build_app(settings, engine)
    try:
        assert app.client.base_url == fake_slack.url  # the trailing slash restored
        kinds = {type(handler) for handler in app.client.retry_handlers}
        assert {RateLimitErrorRetryHandler, ConnectionErrorRetryHandler} <= kinds
        assert fake_slack.calls_to("auth.test")  # the token was checked against SLACK_API_URL
    finally:
        shutdown_app(app)


def test_a_bot_token_slack_refuses_stops_start_up_clearly(engine: Engine,
                                                         fake_slack: FakeSlackApi) -> None:
    fake_slack.respond_with("auth.test", {"ok": False, "error": "invalid_auth"})
    with pytest.raises(SlackTokenRefused, match="invalid_auth") as refused:
        build_app(slack_settings(fake_slack), engine)
    assert BOT_TOKEN not in str(refused.value)


def test_healthz_answers_with_what_is_on(engine: Engine, fake_slack: FakeSlackApi,
                                         test_client: Any) -> None:
    health = test_client(slack_settings(fake_slack), engine).get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "store": "ok", "slack": "http", "teams": "off"}


def test_socket_mode_serves_no_http_slack_route(engine: Engine, fake_slack: FakeSlackApi,
                                                test_client: Any) -> None:
    client = test_client(slack_settings(fake_slack, slack_app_token=APP_TOKEN), engine)
    assert client.post("/slack/events", content=b"{}").status_code == 404
    assert client.get("/healthz").json()["slack"] == "socket_mode"


def test_http_mode_without_a_signing_secret_is_not_served(engine: Engine,
                                                          fake_slack: FakeSlackApi,
                                                          test_client: Any) -> None:
    client = test_client(slack_settings(fake_slack, slack_signing_secret=""), engine)
    assert client.post("/slack/events", content=b"{}").status_code == 404
    assert client.get("/healthz").json()["slack"] == "off"


def test_slack_unreachable_at_start_still_serves_and_recovers(
    engine: Engine, fake_slack: FakeSlackApi, council: Council,
) -> None:
    fake_slack.fail_next("auth.test", 500, times=1)
    with served_slack(engine, fake_slack) as slack:
        assert "Caseload — Assessment North" in answer_text(slack.ask("UTM1", "/caseload"))


def test_socket_mode_answers_commands_and_direct_messages(
    engine: Engine, fake_slack: FakeSlackApi, council: Council,
) -> None:
    settings = slack_settings(fake_slack, slack_app_token=APP_TOKEN, slack_signing_secret="")
    web = server.build_asgi_app(settings, engine, today=lambda: TODAY, teams=False)
    with FakeSocketMode() as socket_mode:
        fake_slack.socket_mode_url = socket_mode.url
        fake_slack.fail_next("apps.connections.open", 500, times=1)  # Slack down at first
        runner = server.SocketModeRunner(web.state.slack_app, APP_TOKEN)
        runner.start()
        try:
            socket_mode.wait_connected(timeout=15)
            assert fake_slack.calls_to("apps.connections.open")[-1].headers[
                "authorization"] == f"Bearer {APP_TOKEN}"
            slack_side = ServedSlack("", fake_slack, httpx.Client())
            command, path = slack_side.command_body("UTM1", "/caseload", "team Assessment North")
            slack_side.http.close()
            socket_mode.send_envelope("slash_commands", command, "envelope-1")
            assert socket_mode.wait_for_ack("envelope-1")["envelope_id"] == "envelope-1"
            answer = fake_slack.wait_for(RESPONSE_URL_METHOD,
                                         where=lambda call: call.path.endswith(path))[0]
            assert "Caseload — Assessment North" in answer_text(answer)

            socket_mode.send_envelope("events_api", {
                "type": "event_callback", "team_id": "T0TEST", "api_app_id": "A0CASELOAD",
                "event_id": "Ev0SOCKET", "event_time": 1,
                "event": {"type": "message", "channel_type": "im", "channel": "D0SOCKET",
                          "user": "USW1", "text": "caseload", "ts": "1.0"},
            }, "envelope-2")
            posted = fake_slack.wait_for("chat.postMessage",
                                         where=lambda call: call.body["channel"] == "D0SOCKET")
            assert "Your caseload" in answer_text(posted[0])
        finally:
            runner.close()
            shutdown_app(web.state.slack_app)


def run_serve(monkeypatch: pytest.MonkeyPatch, engine: Engine, settings: Settings,
              **options: Any) -> dict[str, Any]:
    """serve() with uvicorn.run, the engine and the scheduler stubbed: what it would run."""
    ran: dict[str, Any] = {"scheduler": None, "socket_mode": False}

    def fake_run(web: Any, **kwargs: Any) -> None:
        ran.update(web=web, **kwargs)

    class Scheduler:
        stopped = False

        def shutdown(self) -> None:
            Scheduler.stopped = True

    def fake_start_scheduler(settings_: Settings, engine_: Engine) -> Scheduler:
        ran["scheduler"] = (settings_, engine_)
        return Scheduler()

    class FakeRunner:
        def __init__(self, _app: Any, token: str) -> None:
            ran["socket_mode_token"] = token

        def start(self) -> None:
            ran["socket_mode"] = True

        def close(self) -> None:
            ran["socket_mode_closed"] = True

    import jobs.scheduler
    import models.store
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setattr(models.store, "get_engine", lambda: engine)
    monkeypatch.setattr(jobs.scheduler, "start_scheduler", fake_start_scheduler)
    monkeypatch.setattr(server, "SocketModeRunner", FakeRunner)
    server.serve(settings, **options)
    web = ran["web"]
    for stop in web.state.on_shutdown:
        stop()
    if web.state.slack_app is not None:
        shutdown_app(web.state.slack_app)
    ran["scheduler_stopped"] = Scheduler.stopped
    return ran


def test_serve_over_http_on_port_with_the_scheduler(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, fake_slack: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    ran = run_serve(monkeypatch, engine, slack_settings(fake_slack), run_scheduler=True,
                    port=None)
    assert (ran["host"], ran["port"]) == ("0.0.0.0", 3000)
    assert ran["socket_mode"] is False and ran["scheduler"] is not None
    assert ran["scheduler_stopped"] is True
    assert "Slack: HTTP at http://0.0.0.0:3000/slack/events" in caplog.text
    assert "Teams: off" in caplog.text
    assert BOT_TOKEN not in caplog.text and SIGNING_SECRET not in caplog.text


def test_serve_with_no_chat_credentials_offers_teams_local_mode_only(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    ran = run_serve(monkeypatch, engine, Settings(), run_scheduler=False, port=None)
    assert ran["web"].state.slack_app is None and ran["web"].state.teams_mounted
    assert "Teams: anonymous local mode at /api/messages" in caplog.text


def test_serve_uses_socket_mode_when_an_app_token_is_set(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, fake_slack: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    settings = slack_settings(fake_slack, slack_app_token=APP_TOKEN, port=8080)
    ran = run_serve(monkeypatch, engine, settings, run_scheduler=False, port=None)
    assert ran["socket_mode"] is True and ran["socket_mode_token"] == APP_TOKEN
    assert ran["socket_mode_closed"] is True
    assert ran["port"] == 8080  # Teams and /healthz still over HTTP
    assert ran["scheduler"] is None
    assert "Slack: Socket Mode" in caplog.text and "Scheduler: off" in caplog.text
    assert APP_TOKEN not in caplog.text and BOT_TOKEN not in caplog.text


def test_serve_port_option_wins(monkeypatch: pytest.MonkeyPatch, engine: Engine,
                                fake_slack: FakeSlackApi) -> None:
    ran = run_serve(monkeypatch, engine, slack_settings(fake_slack), run_scheduler=False,
                    port=4555)
    assert ran["port"] == 4555


def test_manifest_declares_every_command_scope_and_event() -> None:
    manifest = json.loads(MANIFEST.read_text())
    commands = {command["command"] for command in manifest["features"]["slash_commands"]}
    assert commands == set(SLASH_COMMANDS) == {f"/{verb}" for verb in VERBS if verb != "help"}
    assert all(command["usage_hint"] and command["should_escape"]
               for command in manifest["features"]["slash_commands"])
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:history", "im:write", "users:read",
            "users:read.email", "files:write", "channels:read", "groups:read"} <= scopes
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_home_opened",
                                                                   "message.im"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]
    assert manifest["features"]["bot_user"]["display_name"] == "Caseload bot"


@pytest.mark.parametrize(("given", "named"), [
    ({"slack_bot_token": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
    ({"slack_signing_secret": SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
    ({"slack_app_token": APP_TOKEN}, "SLACK_BOT_TOKEN"),
    ({"slack_team_id": "T0TEST"}, "SLACK_BOT_TOKEN"),
    ({"teams_tenant_id": "tenant-1"}, "TEAMS_APP_ID"),
], ids=["token without secret", "secret without token", "app token without bot token",
        "team id alone", "tenant without app id"])
def test_an_incomplete_chat_setting_stops_serve_naming_it_never_anonymous_teams(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, given: dict[str, str], named: str,
) -> None:
    with pytest.raises(ChatSettingsError, match=named) as refused:
        run_serve(monkeypatch, engine, Settings(**given), run_scheduler=False)
    for value in given.values():
        assert value not in str(refused.value)


def test_a_slack_setting_keeps_teams_anonymous_mode_off(engine: Engine,
                                                        fake_slack: FakeSlackApi) -> None:
    web = server.build_asgi_app(slack_settings(fake_slack), engine)  # Teams not excluded
    with uvicorn_serving(web) as base_url:
        assert httpx.post(f"{base_url}/api/messages", json={}, timeout=10).status_code == 404
    assert web.state.teams_mounted is False
    shutdown_app(web.state.slack_app)


def test_anonymous_mode_listens_on_loopback_and_takes_no_proxy_headers(
    monkeypatch: pytest.MonkeyPatch, engine: Engine,
) -> None:
    ran = run_serve(monkeypatch, engine, Settings(), run_scheduler=False)
    assert ran["host"] == "127.0.0.1" and ran["proxy_headers"] is False


def test_host_wins_over_the_default(monkeypatch: pytest.MonkeyPatch, engine: Engine,
                                    fake_slack: FakeSlackApi,
                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    ran = run_serve(monkeypatch, engine, slack_settings(fake_slack, host="10.1.2.3"),
                    run_scheduler=False)
    assert ran["host"] == "10.1.2.3" and ran["proxy_headers"] is True
    assert "Slack: HTTP at http://10.1.2.3:3000/slack/events" in caplog.text
