"""SPEC section 3 / issue: App Home is a personal dashboard published on app_home_opened."""

from __future__ import annotations

import json
import time

from tests.fakes.slack_api import Call
from tests.handlers.slack.harness import SETTLE_SECONDS, ServedSlack


def open_home(slack: ServedSlack, user_id: str, tab: str = "home") -> Call:
    slack.send_event({"type": "app_home_opened", "user": user_id, "tab": tab,
                      "channel": f"D0{user_id}"})
    return slack.fake.wait_for("views.publish",
                               where=lambda call: call.body["user_id"] == user_id)[-1]


def shown(call: Call) -> str:
    return json.dumps(call.body["view"], ensure_ascii=False)


def test_app_home_publishes_a_practitioners_own_dashboard(seeded_slack: ServedSlack) -> None:
    view = open_home(seeded_slack, "USW1")
    assert view.body["view"]["type"] == "home"
    text = shown(view)
    for part in ("Your caseload dashboard", "Sam Worker", "Your caseload", "N-CIN-001",
                 "… and 11 more",
                 "Your outstanding actions", "A1", "Your supervision", "32d overdue"):
        assert part in text, part
    assert "protected year" not in text.lower()  # not an NQSW: no protection panel
    assert "Sue Worker" not in text
    assert len(view.body["view"]["blocks"]) <= 100


def test_app_home_shows_an_nqsw_their_protected_year(seeded_slack: ServedSlack) -> None:
    text = shown(open_home(seeded_slack, "UNQ1"))
    assert "Your protected year" in text and "month 4 of 12" in text and "BREACH" in text


def test_app_home_gives_a_manager_the_team_summary(seeded_slack: ServedSlack) -> None:
    text = shown(open_home(seeded_slack, "UTM1"))
    for part in ("Caseload — Assessment North", "Sam Worker", "over cap", "NQSW protection",
                 "Nia Newly", "Supervision"):
        assert part in text, part
    assert "Sid Worker" not in text


def test_app_home_for_an_unknown_user_says_how_to_register(seeded_slack: ServedSlack) -> None:
    text = shown(open_home(seeded_slack, "UNOBODY"))
    assert "don't know who you are yet" in text and "Caseload bot" in text


def test_opening_the_messages_tab_publishes_nothing(seeded_slack: ServedSlack) -> None:
    seeded_slack.send_event({"type": "app_home_opened", "user": "UTM2", "tab": "messages"})
    open_home(seeded_slack, "USW2")  # something to wait for
    time.sleep(SETTLE_SECONDS)
    assert not [call for call in seeded_slack.fake.calls_to("views.publish")
                if call.body["user_id"] == "UTM2"]
