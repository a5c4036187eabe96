"""SPEC section 8, "Only its own workspace": a correctly signed Slack request from a workspace
other than the bot's (auth.test's team id, or SLACK_TEAM_ID) is refused before any listener runs —
commands, interactivity and events, over HTTP and over Socket Mode."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from sqlalchemy.engine import Engine

import handlers.server as server
from handlers.slack.app import build_app, shutdown_app
from handlers.slack.workspace import WorkspaceMismatch
from tests.builders import Council
from tests.fakes.slack_api import RESPONSE_URL_METHOD, FakeSlackApi
from tests.fakes.slack_socket_mode import FakeSocketMode
from tests.handlers.slack.harness import (
    SETTLE_SECONDS,
    TODAY,
    ServedSlack,
    answer_text,
    audit_entries,
    served_slack,
    slack_settings,
    web_api_calls,
)

OTHER_WORKSPACE = "T0OTHER"  # the fake's auth.test says the bot's is T0TEST


def assert_no_listener_ran(slack: ServedSlack, engine: Engine) -> None:
    time.sleep(SETTLE_SECONDS)
    assert audit_entries(engine) == []
    assert web_api_calls(slack.fake) == []


def test_a_signed_command_from_another_workspace_is_refused(slack: ServedSlack,
                                                            engine: Engine) -> None:
    fields, _path = slack.command_body("UTM1", "/caseload")
    response = slack.post_form({**fields, "team_id": OTHER_WORKSPACE})
    assert response.status_code == 403
    assert_no_listener_ran(slack, engine)


def test_signed_interactions_and_events_from_another_workspace_are_refused(
        slack: ServedSlack, engine: Engine) -> None:
    button = {"type": "block_actions", "user": {"id": "UTM1", "team_id": OTHER_WORKSPACE},
              "team": {"id": OTHER_WORKSPACE}, "trigger_id": "trigger.9",
              "actions": [{"action_id": "action_done", "value": "A1", "block_id": "b"}]}
    assert slack.send_interaction(button).status_code == 403
    envelope = {"type": "event_callback", "team_id": OTHER_WORKSPACE, "api_app_id": "A0CASELOAD",
                "event_id": "Ev0OTHER", "event_time": 1,
                "event": {"type": "message", "channel_type": "im", "channel": "D0OTHER",
                          "user": "UTM1", "text": "caseload", "ts": "1.0"}}
    assert slack.post(json.dumps(envelope).encode(), "application/json").status_code == 403
    assert_no_listener_ran(slack, engine)


def test_a_person_from_another_workspace_in_a_shared_channel_is_refused(
        slack: ServedSlack, engine: Engine) -> None:
    envelope = {"type": "event_callback", "team_id": "T0TEST", "api_app_id": "A0CASELOAD",
                "is_ext_shared_channel": True, "event_id": "Ev0SHARED", "event_time": 1,
                "event": {"type": "message", "channel_type": "im", "channel": "D0SHARED",
                          "user": "UTM1", "user_team": OTHER_WORKSPACE, "text": "caseload",
                          "ts": "1.0"}}
    assert slack.post(json.dumps(envelope).encode(), "application/json").status_code == 403
    assert_no_listener_ran(slack, engine)


def test_slack_team_id_names_the_workspace_and_requests_from_it_are_answered(
        engine: Engine, fake_slack: FakeSlackApi, council: Council) -> None:
    with served_slack(engine, fake_slack, slack_team_id="T0TEST") as slack:
        assert "Caseload — Assessment North" in answer_text(slack.ask("UTM1", "/caseload"))
        fields, _path = slack.command_body("UTM1", "/caseload")
        assert slack.post_form({**fields, "team_id": OTHER_WORKSPACE}).status_code == 403


def test_a_slack_team_id_the_bot_token_does_not_belong_to_stops_start_up(
        engine: Engine, fake_slack: FakeSlackApi) -> None:
    with pytest.raises(WorkspaceMismatch, match="SLACK_TEAM_ID"):
        build_app(slack_settings(fake_slack, slack_team_id="T0ELSEWHERE"), engine)


def test_socket_mode_refuses_another_workspace_too(engine: Engine, fake_slack: FakeSlackApi,
                                                   council: Council) -> None:
    settings = slack_settings(fake_slack, slack_app_token="xapp-test", slack_signing_secret="")
    web = server.build_asgi_app(settings, engine, today=lambda: TODAY, teams=False)
    with FakeSocketMode() as socket_mode:
        fake_slack.socket_mode_url = socket_mode.url
        runner = server.SocketModeRunner(web.state.slack_app, "xapp-test")
        runner.start()
        try:
            socket_mode.wait_connected(timeout=15)
            slack_side = ServedSlack("", fake_slack, httpx.Client())
            refused, refused_path = slack_side.command_body("UTM1", "/caseload")
            answered, answered_path = slack_side.command_body("UTM1", "/caseload")
            slack_side.http.close()
            # Refused: not acked (Bolt acks only a 200), so Slack reports a failure to the sender.
            socket_mode.send_envelope("slash_commands", {**refused, "team_id": OTHER_WORKSPACE},
                                      "envelope-other")
            socket_mode.send_envelope("slash_commands", answered, "envelope-own")
            fake_slack.wait_for(RESPONSE_URL_METHOD,
                                where=lambda call: call.path.endswith(answered_path))
            time.sleep(SETTLE_SECONDS)
            assert "envelope-other" not in [ack.get("envelope_id") for ack in socket_mode.acks]
            assert not [call for call in fake_slack.calls_to(RESPONSE_URL_METHOD)
                        if call.path.endswith(refused_path)]
            assert len(audit_entries(engine)) == 1  # only the bot's own workspace was answered
        finally:
            runner.close()
            shutdown_app(web.state.slack_app)
