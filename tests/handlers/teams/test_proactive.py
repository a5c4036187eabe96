"""SPEC section 7 in Teams: digests posted proactively to stored conversations (the service's
channel and the head of service's 1:1 chat), exactly once, through jobs.delivery."""

from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlmodel import Session, select

from config import Settings
from handlers.teams import TeamsPoster, post_to_teams
from handlers.teams.charts import signature
from handlers.teams.proactive import DestinationUnknown
from jobs.delivery import utc_now
from jobs.runner import run_digests
from models import Delivery, Team
from render.teams import text_card
from tests.handlers.teams.test_install import TEAM, added_to_personal_chat, added_to_team
from tests.builders import COUNCIL_DAY as TODAY

CHANNEL = TEAM["id"]
HEAD_CHAT = "a:personal-29:helen"


@pytest.fixture
def installed(chat, council, engine):
    """The bot added to the Safeguarding Leadership team and to Helen's (head of service) chat;
    Assessment North's digests go to that team's channel."""
    chat.post(added_to_team(chat))
    chat.post(added_to_personal_chat(chat, "HS1"))
    with Session(engine) as session:
        north = session.get(Team, council["north"].id)
        north.teams_channel = "Safeguarding Leadership"
        session.add(north)
        session.commit()
    chat.connector.reset()
    return chat


def test_post_to_teams_continues_a_stored_channel_conversation(installed, engine) -> None:
    card = text_card("Caseload per FTE 14.2", title="Weekly staffing digest").card
    message_id = post_to_teams(Settings(), engine, "teams-channel:Safeguarding Leadership",
                               "Weekly staffing digest", card)
    [sent] = installed.connector.activities(CHANNEL)
    assert sent.path == f"/v3/conversations/{CHANNEL}/activities"  # a new post, not a reply
    assert sent.card == card and message_id.startswith("activity-")
    assert sent.body["from"]["id"] == "28:caseload-bot"


def test_a_channel_may_be_named_by_its_conversation_id(installed, engine) -> None:
    post_to_teams(Settings(), engine, f"teams-channel:{CHANNEL}", "Hello channel")
    assert "Hello channel" in installed.reply(CHANNEL)


def test_post_to_teams_reaches_the_head_of_service_chat_by_object_id(installed, engine) -> None:
    post_to_teams(Settings(), engine, "teams-dm:aad-hs1", "Your digest")
    assert "Your digest" in installed.reply(HEAD_CHAT)


@pytest.mark.parametrize("destination", ["teams-channel:Nowhere", "teams-dm:aad-nobody"])
def test_a_destination_the_bot_was_never_added_to_is_an_error_not_a_guess(installed, engine,
                                                                         destination) -> None:
    with pytest.raises(DestinationUnknown):
        post_to_teams(Settings(), engine, destination, "lost")
    assert installed.connector.activities() == []


def test_digest_destinations_are_the_head_of_service_chat_and_the_teams_channels(
        installed, engine, council) -> None:
    with Session(engine) as session:
        found = TeamsPoster(Settings(), engine).destinations(
            session, [council["service"].id], TODAY)
    assert found == {council["service"].id: ["teams-dm:aad-hs1",
                                             "teams-channel:Safeguarding Leadership"]}


def test_a_weekly_digest_is_posted_once_per_destination_even_when_run_twice(installed, engine
                                                                            ) -> None:
    poster = TeamsPoster(Settings(), engine)
    first = run_digests(engine, Settings(), "supervision", TODAY, [poster])
    second = run_digests(engine, Settings(), "supervision", TODAY, [poster])
    assert first.ok and second.ok

    digests = [sent.conversation_id for sent in installed.connector.activities()
               if "Weekly supervision digest" in sent.text]
    assert sorted(digests) == [CHANNEL, HEAD_CHAT]
    with Session(engine) as session:
        rows = session.exec(select(Delivery).where(Delivery.digest == "supervision")).all()
    assert {(row.destination, row.status, row.attempts) for row in rows if
            row.destination.startswith("teams")} == {
        ("teams-dm:aad-hs1", "sent", 1), ("teams-channel:Safeguarding Leadership", "sent", 1)}
    assert all(row.message_ref and row.message_ref.startswith("activity-") for row in rows)


def test_the_channel_digest_shows_figures_and_the_head_of_service_digest_names_people(
        installed, engine) -> None:
    run_digests(engine, Settings(), "supervision", TODAY, [TeamsPoster(Settings(), engine)])
    channel, head = (installed.connector.activities(place)[0].text
                     for place in (CHANNEL, HEAD_CHAT))
    assert "Weekly supervision digest — Safeguarding" in channel
    assert "Sam Worker" not in channel
    assert "Sam Worker" in head and "Overdue (most overdue first)" in head


CHART_SETTINGS = Settings(public_base_url="https://caseload.council.example",
                          chart_link_secret="chart-secret")


def test_a_digest_chart_follows_the_card_in_its_thread(installed, engine) -> None:
    run_digests(engine, Settings(), "staffing", TODAY, [TeamsPoster(CHART_SETTINGS, engine)])
    posted = [sent for sent in installed.connector.activities()
              if sent.conversation_id.startswith(CHANNEL)]
    card, *charts = posted
    assert card.conversation_id == CHANNEL and "Weekly staffing digest" in card.text
    assert charts, "the caseload chart should follow the digest"
    with Session(engine) as session:
        card_id = session.exec(select(Delivery.message_ref).where(
            Delivery.destination == "teams-channel:Safeguarding Leadership")).one()
    assert all(chart.conversation_id == f"{CHANNEL};messageid={card_id}" for chart in charts)
    image = next(element for element in charts[0].card["body"] if element["type"] == "Image")
    url = urlsplit(image["url"])
    assert (url.scheme, url.netloc) == ("https", "caseload.council.example")  # never data:
    assert url.path.startswith("/teams/charts/staffing/") and url.path.endswith(".png")
    assert {"expires", "sig"} <= set(parse_qs(url.query))


def test_without_a_public_https_address_charts_are_left_out_not_inlined(installed,
                                                                        engine) -> None:
    run_digests(engine, Settings(), "staffing", TODAY, [TeamsPoster(Settings(), engine)])
    posted = json.dumps([sent.card for sent in installed.connector.activities()])
    assert "data:image" not in posted


def chart_path(service_id: int, expires: int, sig: str | None = None,
               kind: str = "staffing") -> str:
    sig = sig or signature(Settings(), kind, service_id, TODAY, expires)
    return (f"/teams/charts/{kind}/{service_id}/{TODAY.isoformat()}.png?"
            f"{urlencode({'expires': expires, 'sig': sig})}")


def test_the_bot_serves_a_chart_for_a_signed_link_and_refuses_any_other(chat, council,
                                                                       engine) -> None:
    service_id = council["north"].service_id
    later = int(time.time()) + 3600
    served = httpx.get(chat.server_url + chart_path(service_id, later), timeout=30)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.content.startswith(b"\x89PNG")
    for refused in (chart_path(service_id, later, sig="forged"),
                    chart_path(service_id, later + 1, sig=signature(
                        Settings(), "staffing", service_id, TODAY, later)),  # expiry changed
                    chart_path(service_id + 1, later, sig=signature(
                        Settings(), "staffing", service_id, TODAY, later)),  # another service
                    chart_path(service_id, int(time.time()) - 60)):  # expired
        assert httpx.get(chat.server_url + refused, timeout=30).status_code == 403, refused


def test_a_failed_post_is_recorded_and_retried_by_the_next_run(installed, engine) -> None:
    installed.connector.failing.add("activity")
    poster = TeamsPoster(Settings(), engine)
    assert not run_digests(engine, Settings(), "actions", TODAY, [poster]).ok
    installed.connector.failing.clear()
    assert run_digests(engine, Settings(), "actions", TODAY, [poster]).ok
    with Session(engine) as session:
        rows = session.exec(select(Delivery).where(Delivery.digest == "actions")).all()
    assert {(row.status, row.attempts) for row in rows} == {("sent", 2)}


def test_when_only_the_chart_fails_the_retry_posts_the_chart_not_the_card_again(installed,
                                                                                engine) -> None:
    installed.connector.fail_if = lambda kind, conversation: (
        kind == "activity" and ";messageid=" in (conversation or ""))
    poster = TeamsPoster(CHART_SETTINGS, engine)
    assert not run_digests(engine, Settings(), "staffing", TODAY, [poster]).ok
    installed.connector.fail_if = None
    assert run_digests(engine, Settings(), "staffing", TODAY, [poster]).ok
    cards = [sent for sent in installed.connector.activities(CHANNEL)]
    assert len(cards) == 1  # the digest itself went out once
    charts = [sent for sent in installed.connector.activities()
              if sent.conversation_id.startswith(f"{CHANNEL};messageid=")]
    assert len(charts) == 2  # the failed attempt, then the retry


def test_a_run_that_dies_during_the_charts_is_finished_by_the_restart_without_a_second_card(
        installed, engine) -> None:
    """The first run is stopped at its first chart (held at the connector, then abandoned, as
    a process that died there); the restart, after the lease, continues the recorded card."""
    held, release = threading.Event(), threading.Event()
    seen = itertools.count(1)

    def hold_the_first_chart(kind: str, conversation: str | None) -> bool:
        if kind != "activity" or next(seen) != 2:  # 1: the first card, 2: its first chart
            return False
        held.set()
        release.wait(60)
        return True  # the dead process's request never completes

    installed.connector.fail_if = hold_the_first_chart
    settings = CHART_SETTINGS  # charts are posted only where Teams can fetch them
    dying = threading.Thread(target=run_digests, args=(engine, settings, "staffing", TODAY,
                                                       [TeamsPoster(settings, engine)]))
    dying.start()
    try:
        assert held.wait(60), "the first run never reached its chart"
        later = utc_now() + timedelta(minutes=settings.digest_delivery_lease_minutes + 1)
        restarted = run_digests(engine, settings, "staffing", TODAY,
                                [TeamsPoster(settings, engine)], clock=lambda: later)
    finally:
        release.set()
        dying.join(60)
    assert restarted.ok
    cards = [sent for sent in installed.connector.activities()
             if "Weekly staffing digest" in sent.text]
    assert sorted(sent.conversation_id for sent in cards) == [CHANNEL, HEAD_CHAT]  # once each
    with Session(engine) as session:
        head = session.exec(select(Delivery).where(
            Delivery.destination == "teams-dm:aad-hs1", Delivery.digest == "staffing")).one()
    assert (head.status, head.attempts) == ("sent", 2)
    assert head.message_ref and head.message_ref.startswith("activity-")  # the first card's
