"""The fake Slack Web API's own promises, since other suites (digests) rely on it too."""

from __future__ import annotations

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.fakes.slack_api import RESPONSE_URL_METHOD, UPLOAD_METHOD, FakeSlackApi


@pytest.fixture
def fake() -> FakeSlackApi:
    with FakeSlackApi() as server:
        yield server


def test_url_ends_with_api_and_calls_are_recorded_with_their_bodies(fake: FakeSlackApi) -> None:
    assert fake.url.endswith("/api/")
    client = WebClient(token="xoxb-fake", base_url=fake.url)
    client.chat_postMessage(channel="C1", text="hello", blocks=[{"type": "divider"}])
    call = fake.calls_to("chat.postMessage")[0]
    assert (call.body["channel"], call.body["blocks"]) == ("C1", [{"type": "divider"}])
    assert call.headers["authorization"] == "Bearer xoxb-fake"


def test_fail_next_answers_429_with_retry_after_then_recovers(fake: FakeSlackApi) -> None:
    fake.fail_next("chat.postMessage", 429, times=1, retry_after=1)
    client = WebClient(token="x", base_url=fake.url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    attempts = fake.calls_to("chat.postMessage", ok_only=False)
    assert [call.status for call in attempts] == [429, 200]


def test_fail_next_with_a_server_error_surfaces_to_the_client(fake: FakeSlackApi) -> None:
    fake.fail_next("views.publish", 500, times=2)
    client = WebClient(token="x", base_url=fake.url, retry_handlers=[])
    for _ in range(2):
        with pytest.raises(SlackApiError):
            client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["ok"]


def test_users_info_answers_for_added_users_only(fake: FakeSlackApi) -> None:
    fake.add_user("U1", email="jo@council.example")
    client = WebClient(token="x", base_url=fake.url)
    assert client.users_info(user="U1")["user"]["profile"]["email"] == "jo@council.example"
    with pytest.raises(SlackApiError):
        client.users_info(user="U2")


def test_external_uploads_are_accepted_and_recorded(fake: FakeSlackApi) -> None:
    client = WebClient(token="x", base_url=fake.url)
    client.files_upload_v2(channel="C1", content=b"\x89PNG chart", filename="chart.png",
                           title="Caseload per FTE")
    assert fake.calls_to("files.getUploadURLExternal")
    assert b"\x89PNG chart" in fake.calls_to(UPLOAD_METHOD)[0].raw
    completed = fake.calls_to("files.completeUploadExternal")[0]
    assert completed.body["files"][0]["title"] == "Caseload per FTE"


def test_response_urls_are_accepted_and_recorded(fake: FakeSlackApi) -> None:
    httpx.post(fake.response_url("commands/7"), json={"text": "hi"})
    call = fake.wait_for(RESPONSE_URL_METHOD, where=lambda c: c.path.endswith("commands/7"))[0]
    assert call.body == {"text": "hi"}


def test_respond_with_overrides_a_method(fake: FakeSlackApi) -> None:
    fake.respond_with("conversations.open", {"ok": True, "channel": {"id": "D0FIXED"}})
    client = WebClient(token="x", base_url=fake.url)
    assert client.conversations_open(users="U1")["channel"]["id"] == "D0FIXED"


def test_posted_messages_come_back_in_history_with_their_metadata(fake: FakeSlackApi) -> None:
    client = WebClient(token="x", base_url=fake.url)
    marker = {"event_type": "caseload_digest_delivery", "event_payload": {"delivery_id": 7}}
    first = client.chat_postMessage(channel="#digests", text="one", metadata=marker)
    client.chat_postMessage(channel="#digests", text="two")
    assert first["channel"].startswith("C") and first["channel"] != "#digests"
    history = client.conversations_history(channel=first["channel"], include_all_metadata=True)
    assert [message["text"] for message in history["messages"]] == ["two", "one"]
    assert history["messages"][1]["metadata"] == marker
    plain = client.conversations_history(channel=first["channel"])
    assert all("metadata" not in message for message in plain["messages"])
    since = client.conversations_history(channel=first["channel"], oldest=first["ts"])
    assert [message["text"] for message in since["messages"]] == ["two"]
    listed = client.conversations_list()["channels"]
    assert {"id": first["channel"], "name": "digests", "is_archived": False} in listed


def test_a_dm_channel_is_the_same_each_time_it_is_opened(fake: FakeSlackApi) -> None:
    client = WebClient(token="x", base_url=fake.url)
    opened = {client.conversations_open(users=user)["channel"]["id"]
              for user in ("U1", "U1", "U2")}
    assert len(opened) == 2
