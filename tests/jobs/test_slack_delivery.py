"""Digests through the Slack Web API (the recording server of tests/fakes/slack_api.py).

Safeguarding goes to Helen (UHS1) by DM and to #sg-digest (both its teams name it: one post);
Children in Care to UHS2 by DM and to #cic. Real slack_sdk WebClient, real HTTP, real retries.
"""

from __future__ import annotations

import json

from sqlmodel import Session, select

from jobs.runner import run_digests
from jobs.slack_poster import SlackPoster, slack_client
from models import Delivery
from tests.jobs.conftest import TEST_TOKEN
from tests.builders import COUNCIL_DAY as AS_OF, COUNCIL_WEEK as PERIOD

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def poster(settings) -> SlackPoster:  # type: ignore[no-untyped-def]
    return SlackPoster(settings, client=slack_client(settings, backoff_s=0.05))


def statuses(engine) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {row.destination: (row.status, row.attempts)
                for row in session.exec(select(Delivery)).all()}


def posts(slack) -> list[dict]:  # type: ignore[no-untyped-def]
    """The digests themselves (a chart block goes into a digest's thread)."""
    return [call.body for call in slack.calls_to("chat.postMessage")
            if not call.body.get("thread_ts")]


def chart_posts(slack) -> list[dict]:  # type: ignore[no-untyped-def]
    return [call.body for call in slack.calls_to("chat.postMessage")
            if call.body.get("thread_ts")]


def refuse_chart_blocks(slack) -> None:  # type: ignore[no-untyped-def]
    """A workspace without the data visualisation block: Slack answers invalid_blocks."""
    def answer(call):  # type: ignore[no-untyped-def]
        if "data_visualization" in json.dumps(call.body.get("blocks") or ""):
            return {"ok": False, "error": "invalid_blocks"}
        return slack._default_answer(call, {})
    slack.respond_with("chat.postMessage", answer)


def test_the_head_of_service_gets_a_dm_and_the_channel_gets_a_post(
    engine, council, slack, slack_settings
) -> None:
    report = run_digests(engine, slack_settings, "staffing", AS_OF, [poster(slack_settings)])
    assert report.ok
    opened = sorted(call.body["users"] for call in slack.calls_to("conversations.open"))
    assert opened == ["UHS1", "UHS2"]
    channels = sorted(body["channel"] for body in posts(slack))
    assert len(channels) == 4
    assert [channel for channel in channels if not channel.startswith("D")] == ["#cic",
                                                                                "#sg-digest"]
    assert statuses(engine) == {
        "slack-dm:UHS1": ("sent", 1), "slack-dm:UHS2": ("sent", 1),
        "slack-channel:#sg-digest": ("sent", 1), "slack-channel:#cic": ("sent", 1),
    }
    assert all(call.headers["authorization"] == f"Bearer {TEST_TOKEN}"
               for call in slack.calls_to("chat.postMessage"))


def test_the_dm_names_people_and_the_channel_shows_figures_only(
    engine, council, slack, slack_settings
) -> None:
    run_digests(engine, slack_settings, "staffing", AS_OF, [poster(slack_settings)])
    by_channel = {body["channel"]: json.dumps(body["blocks"], ensure_ascii=False)
                  for body in posts(slack)}
    dm_text = next(text for channel, text in by_channel.items()
                   if channel.startswith("D") and "Safeguarding" in text)
    channel_text = by_channel["#sg-digest"]
    for text in (dm_text, channel_text):
        assert "Weekly staffing digest — Safeguarding" in text
        assert "Caseload per FTE" in text and "18.8%" in text  # the vacancy rate
    assert "Sw1 Person" in dm_text and "U1-00" in dm_text  # over cap; the oldest unallocated
    assert "Sw1 Person" not in channel_text and "U1-00" not in channel_text
    assert "Nq1 Person" not in channel_text


def test_the_chart_is_slacks_own_bar_chart_block_in_the_digest_thread(
    engine, council, slack, slack_settings
) -> None:
    run_digests(engine, slack_settings, "staffing", AS_OF, [poster(slack_settings)])
    charts = chart_posts(slack)
    assert len(charts) == 4 and not slack.calls_to("files.getUploadURLExternal")
    with Session(engine) as session:
        message_refs = set(session.exec(select(Delivery.message_ref)).all())
    assert {f"{body['channel']}:{body['thread_ts']}" for body in charts} == message_refs
    [block] = charts[0]["blocks"]
    assert block["type"] == "data_visualization" and len(block["title"]) <= 50
    chart = block["chart"]
    assert chart["type"] == "bar" and 1 <= len(chart["series"]) <= 6
    labels = [point["label"] for point in chart["series"][0]["data"]]
    assert labels == chart["axis_config"]["categories"]
    assert all(len(label) <= 20 for label in labels)
    assert charts[0]["text"].startswith("Caseload per FTE by team:")  # the fallback text


def test_a_workspace_without_the_chart_block_gets_the_picture_and_is_not_asked_again(
    engine, council, slack, slack_settings
) -> None:
    refuse_chart_blocks(slack)
    assert run_digests(engine, slack_settings, "staffing", AS_OF, [poster(slack_settings)]).ok
    refused = [call for call in slack.calls_to("chat.postMessage", ok_only=False)
               if call.body.get("thread_ts")]
    assert len(refused) == 1  # tried once, then remembered
    assert len(slack.calls_to("files.completeUploadExternal")) == 4


def test_the_chart_is_uploaded_into_the_digest_thread(engine, council, slack, slack_settings
                                                       ) -> None:
    refuse_chart_blocks(slack)
    run_digests(engine, slack_settings, "staffing", AS_OF, [poster(slack_settings)])
    asked = slack.calls_to("files.getUploadURLExternal")
    uploads = slack.calls_to("upload")
    completed = slack.calls_to("files.completeUploadExternal")
    assert len(asked) == len(uploads) == len(completed) == 4
    assert all(call.body["filename"] == f"caseload-per-fte-{PERIOD}.png" for call in asked)
    assert all(call.raw.startswith(PNG_MAGIC) and len(call.raw) > 5000 for call in uploads)
    # Each upload is completed into the thread of a digest message: its channel and its ts,
    # as Slack answered chat.postMessage (read back from the delivery records).
    with Session(engine) as session:
        message_refs = set(session.exec(select(Delivery.message_ref)).all())
    threads = {f"{call.body['channel_id']}:{call.body['thread_ts']}" for call in completed}
    assert threads == message_refs and len(threads) == 4
    assert all(call.body["files"][0]["title"].startswith("Caseload per FTE by team")
               for call in completed)


def test_the_supervision_chart_goes_with_the_supervision_digest(
    engine, council, slack, slack_settings
) -> None:
    refuse_chart_blocks(slack)
    run_digests(engine, slack_settings, "supervision", AS_OF, [poster(slack_settings)])
    names = {call.body["filename"] for call in slack.calls_to("files.getUploadURLExternal")}
    assert names == {f"supervision-on-time-{PERIOD}.png"}
    run_digests(engine, slack_settings, "actions", AS_OF, [poster(slack_settings)])
    assert len(slack.calls_to("files.getUploadURLExternal")) == 4  # actions: a list, no chart


def test_a_429_then_success_posts_once(engine, council, slack, slack_settings) -> None:
    slack.fail_next("chat.postMessage", 429, times=1, retry_after=1)
    report = run_digests(engine, slack_settings, "actions", AS_OF, [poster(slack_settings)])
    assert report.ok
    assert len(slack.calls_to("chat.postMessage", ok_only=False)) == 5  # one refused, retried
    assert len(slack.calls_to("chat.postMessage")) == 4  # each destination once
    assert set(statuses(engine).values()) == {("sent", 1)}


def test_a_500_then_retry_posts_once(engine, council, slack, slack_settings) -> None:
    slack.fail_next("chat.postMessage", 500, times=1)
    slack.fail_next("conversations.open", 503, times=1)
    report = run_digests(engine, slack_settings, "actions", AS_OF, [poster(slack_settings)])
    assert report.ok
    assert len(slack.calls_to("chat.postMessage")) == 4
    assert set(statuses(engine).values()) == {("sent", 1)}


def test_a_destination_slack_keeps_failing_is_retried_on_the_next_run(
    engine, council, slack, slack_settings
) -> None:
    # The first destination (Children in Care's head, by DM) gets 500 three times: the client's
    # two retries are used up and the delivery fails; the others go out.
    slack.fail_next("chat.postMessage", 500, times=3)
    first = run_digests(engine, slack_settings, "actions", AS_OF, [poster(slack_settings)])
    assert not first.ok
    assert statuses(engine)["slack-dm:UHS2"] == ("failed", 1)
    with Session(engine) as session:
        error = session.exec(select(Delivery.error).where(
            Delivery.destination == "slack-dm:UHS2")).one()
    assert error == "Slack API error (HTTP 500): fatal_error"
    assert TEST_TOKEN not in (error or "")
    assert len(slack.calls_to("chat.postMessage")) == 3

    second = run_digests(engine, slack_settings, "actions", AS_OF, [poster(slack_settings)])
    assert second.ok
    assert len(slack.calls_to("chat.postMessage")) == 4  # only the failed one again
    assert statuses(engine)["slack-dm:UHS2"] == ("sent", 2)


def test_a_failed_chart_upload_is_finished_without_posting_the_message_again(
    engine, council, slack, slack_settings
) -> None:
    refuse_chart_blocks(slack)
    slack.fail_next("files.completeUploadExternal", 400, times=1)  # a 4xx is not retried
    first = run_digests(engine, slack_settings, "staffing", AS_OF, [poster(slack_settings)])
    assert not first.ok
    (failed,) = [dest for dest, (status, _n) in statuses(engine).items() if status == "failed"]
    assert len(posts(slack)) == 4

    second = run_digests(engine, slack_settings, "staffing", AS_OF, [poster(slack_settings)])
    assert second.ok
    assert len(posts(slack)) == 4  # the message was not posted twice
    assert len(slack.calls_to("files.completeUploadExternal")) == 4
    assert statuses(engine)[failed] == ("sent", 2)
