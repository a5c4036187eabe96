"""SPEC section 3: /actions rows carry "Mark done" and "Add update" buttons opening a modal; the
submission is validated, recorded with who and when (and audited), and the message updated."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import Action, ActionUpdate, Staff
from tests.fakes.slack_api import RESPONSE_URL_METHOD, Call
from tests.handlers.slack.harness import (
    SETTLE_SECONDS,
    ServedSlack,
    answer_text,
    audit_entries,
)


def button(answer: Call, action_id: str, value: str) -> dict[str, Any]:
    """The button on the row for `value`, as Slack would report the click (with its block)."""
    for block in answer.body["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id and element.get("value") == value:
                return {"action_id": action_id, "block_id": block["block_id"], "value": value,
                        "type": "button", "action_ts": "1700000000.1"}
    raise AssertionError(f"no {action_id} button for {value}")


def click(slack: ServedSlack, user_id: str, pressed: dict[str, Any],
          response_url: str | None, container: dict[str, Any] | None = None) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "team_id": "T0TEST"},
        "team": {"id": "T0TEST"},
        "api_app_id": "A0CASELOAD",
        "trigger_id": "trigger.click",
        "container": container or {"type": "message", "is_ephemeral": True,
                                   "message_ts": "1700000000.000100", "channel_id": "C0GENERAL"},
        "channel": {"id": "C0GENERAL"},
        "actions": [pressed],
    }
    if response_url:
        payload["response_url"] = response_url
    assert slack.send_interaction(payload).status_code == 200


def submit(slack: ServedSlack, user_id: str, modal: dict[str, Any], note: str | None) -> Any:
    payload = {
        "type": "view_submission",
        "user": {"id": user_id, "team_id": "T0TEST"},
        "team": {"id": "T0TEST"},
        "api_app_id": "A0CASELOAD",
        "view": {
            "id": "V0MODAL", "type": "modal", "callback_id": modal["callback_id"],
            "private_metadata": modal["private_metadata"],
            "state": {"values": {"note": {"text": {"type": "plain_text_input", "value": note}}}},
        },
    }
    return slack.send_interaction(payload)


def open_modal(slack: ServedSlack, user_id: str, action_id: str, value: str,
               origin: str = "") -> tuple[dict[str, Any], str]:
    """/actions, press a row's button: the modal views.open was called with, and the
    response_url of the list."""
    listing = slack.ask(user_id, "/actions", origin)
    response_url = slack.fake.base + listing.path
    before = len(slack.fake.calls_to("views.open"))
    click(slack, user_id, button(listing, action_id, value), response_url)
    opened = slack.fake.wait_for("views.open", count=before + 1)[-1]
    assert opened.body["trigger_id"] == "trigger.click"
    return opened.body["view"], listing.path


def action_a1(engine: Engine) -> Action:
    with Session(engine) as session:
        return session.exec(select(Action).where(Action.ref == "A1")).one()


def test_action_rows_carry_mark_done_and_add_update_buttons(seeded_slack: ServedSlack) -> None:
    listing = seeded_slack.ask("USW1", "/actions")
    assert button(listing, "action_done", "Improvement/A1")
    assert button(listing, "action_update", "Improvement/A1")


def test_mark_done_button_opens_a_modal_asking_for_evidence(seeded_slack: ServedSlack) -> None:
    modal, _path = open_modal(seeded_slack, "USW1", "action_done", "Improvement/A1")
    assert modal["type"] == "modal" and modal["callback_id"] == "action_progress"
    assert "Evidence" in json.dumps(modal)
    assert json.loads(modal["private_metadata"])["ref"] == "Improvement/A1"


def test_modal_submission_marks_the_action_done_with_who_when_and_evidence(
    seeded_slack: ServedSlack, engine: Engine,
) -> None:
    modal, list_path = open_modal(seeded_slack, "USW1", "action_done", "Improvement/A1")
    response = submit(seeded_slack, "USW1", modal, "Audit of 20 files: every visit in time")
    assert response.status_code == 200 and not response.content  # the modal closes
    updated = seeded_slack.fake.wait_for(
        RESPONSE_URL_METHOD, count=2, where=lambda call: call.path == list_path)[-1]

    action = action_a1(engine)
    with Session(engine) as session:
        sam = session.exec(select(Staff).where(Staff.staff_id == "SW1")).one()
        update = session.exec(select(ActionUpdate).where(ActionUpdate.action_id == action.id)).one()
    assert (action.status, action.completed_by_id, action.evidence) == (
        "done", sam.id, "Audit of 20 files: every visit in time")
    assert action.completed_date is not None
    assert (update.kind, update.author_id) == ("done", sam.id) and update.at is not None
    entry = [e for e in audit_entries(engine) if e.outcome == "changed"][-1]
    assert (entry.front_end, entry.actor) == ("slack", "SW1")
    assert entry.command == "/actions done Improvement/A1 Audit of 20 files: every visit in time"

    assert updated.body["replace_original"] is True  # the list itself, refreshed in place
    shown = answer_text(updated)
    assert "marked done by Sam Worker" in shown
    assert "Improvement/A1" not in json.dumps([b for b in updated.body["blocks"]
                                               if b["type"] == "actions"])


def test_empty_evidence_is_refused_on_the_field(seeded_slack: ServedSlack,
                                                engine: Engine) -> None:
    modal, _path = open_modal(seeded_slack, "USW1", "action_done", "Improvement/A1")
    for empty in ("", "   \n  ", None):
        response = submit(seeded_slack, "USW1", modal, empty)
        assert response.status_code == 200
        assert response.json() == {
            "response_action": "errors",
            "errors": {"note": "Add the evidence that shows this action is done."},
        }
    assert action_a1(engine).status == "open"


def test_add_update_modal_records_a_note(seeded_slack: ServedSlack, engine: Engine) -> None:
    modal, list_path = open_modal(seeded_slack, "USW1", "action_update", "Improvement/A1",
                                  origin="overdue")
    assert submit(seeded_slack, "USW1", modal, "Visits rota agreed").status_code == 200
    updated = seeded_slack.fake.wait_for(
        RESPONSE_URL_METHOD, count=2, where=lambda call: call.path == list_path)[-1]
    assert "Update added" in answer_text(updated)
    assert "Visits rota agreed" in answer_text(updated)  # the row's latest note, refreshed
    assert action_a1(engine).status == "in_progress"


def test_submission_by_someone_who_may_not_is_refused_and_nothing_changes(
    seeded_slack: ServedSlack, engine: Engine,
) -> None:
    modal, list_path = open_modal(seeded_slack, "UTM1", "action_done", "Improvement/A1")
    submit(seeded_slack, "USW3", modal, "I did it")  # Sid, another team, not the owner
    refused = seeded_slack.fake.wait_for(
        RESPONSE_URL_METHOD, count=2, where=lambda call: call.path == list_path)[-1]
    assert "not found or not yours to see" in answer_text(refused)
    assert refused.body["replace_original"] is False
    assert action_a1(engine).status == "open"


def test_buttons_in_app_home_confirm_by_dm_and_refresh_home(seeded_slack: ServedSlack,
                                                            engine: Engine) -> None:
    seeded_slack.send_event({"type": "app_home_opened", "user": "USW1", "tab": "home",
                             "channel": "D0SAM"})
    home = seeded_slack.fake.wait_for("views.publish",
                                      where=lambda c: c.body["user_id"] == "USW1")[-1]
    pressed = button(Call("views.publish", "", {"blocks": home.body["view"]["blocks"]}, b"", {}),
                     "action_done", "Improvement/A1")
    before = len(seeded_slack.fake.calls_to("views.open"))
    click(seeded_slack, "USW1", pressed, None, container={"type": "view", "view_id": "V0HOME"})
    modal = seeded_slack.fake.wait_for("views.open", count=before + 1)[-1].body["view"]
    submit(seeded_slack, "USW1", modal, "Report to scrutiny committee")
    confirmed = seeded_slack.fake.wait_for("chat.postMessage",
                                           where=lambda c: c.body["channel"] == "USW1")[-1]
    assert "marked done" in answer_text(confirmed)
    seeded_slack.fake.wait_for("views.publish", count=2,
                               where=lambda c: c.body["user_id"] == "USW1")
    assert action_a1(engine).status == "done"


def test_a_stale_form_is_refused_without_recording(seeded_slack: ServedSlack,
                                                   engine: Engine) -> None:
    forged = {"callback_id": "action_progress", "private_metadata": "not json"}
    response = submit(seeded_slack, "USW1", forged, "evidence")
    assert response.json()["response_action"] == "errors"
    time.sleep(SETTLE_SECONDS)
    assert action_a1(engine).status == "open"


def test_a_reminder_or_alert_button_runs_its_command_for_the_person_who_pressed_it(
        seeded_slack: ServedSlack) -> None:
    pressed = {"action_id": "run_command:0", "block_id": "note-buttons",
               "value": "caseload overdue", "type": "button", "action_ts": "1700000000.1"}
    path = "button-run-command"
    click(seeded_slack, "USW1", pressed, seeded_slack.fake.response_url(path))
    answer = seeded_slack.answer_at(path)
    shown = str(answer.body)
    assert "Your overdue visits and reviews" in shown and "N-LAC-001" in shown
