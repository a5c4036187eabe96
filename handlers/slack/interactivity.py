"""The "Mark done" and "Add update" buttons on /actions rows, and the modal they open.

A button opens a modal asking for the evidence (or the note). The submission is checked before the
modal closes (empty evidence is refused on the field itself) and then recorded through the same
door as a typed `/actions done REF evidence`, so who, when, the evidence and the audit entry are
exactly as if it had been typed. Afterwards the list the button sat in is refreshed in place
(or, where Slack gives no way to do that, the user gets a confirmation).
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from commands import ParseError, parse
from handlers.slack.commands import post_message, reply
from queries.results import ActionChanged, ActionList, Unavailable, unwrapped
from render.notes import RUN_COMMAND_ACTION
from render.slack import (
    ACTION_DONE,
    ACTION_MORE,
    ACTION_UPDATE,
    MORE_BLOCK_PREFIX,
    MAX_BLOCK_ID,
    MAX_BLOCKS,
    Message,
    context,
    escape,
    section,
)

if TYPE_CHECKING:
    from handlers.slack.front import SlackFrontEnd

log = logging.getLogger(__name__)

MODAL_CALLBACK_ID = "action_progress"
NOTE_BLOCK = "note"
NOTE_INPUT = "text"
#: The grammar reads at most 2,000 characters; the reference and the verb need some of them.
NOTE_MAX_CHARS = 1800
MAX_PRIVATE_METADATA = 3000
ROW_BLOCK_PREFIX = "action_row_"
STAMPED_PREFIXES = (ROW_BLOCK_PREFIX, MORE_BLOCK_PREFIX)
ORIGIN_SEPARATOR = "|"

KIND_WORDING = {
    "done": {"title": "Mark action done", "submit": "Mark done", "label": "Evidence",
             "hint": "What shows the action is done, e.g. the audit, report or figures.",
             "empty": "Add the evidence that shows this action is done."},
    "update": {"title": "Add an update", "submit": "Add update", "label": "Update",
               "hint": "What has happened since the last update.",
               "empty": "Add a note saying what has happened."},
}


# --- Remembering which question produced a list -----------------------------------------------


def stamp_origin(message: Message, origin: str) -> Message:
    """Write the question into each action row's block_id, so that after a modal submission the
    list can be asked again and replaced in place (Slack returns block_ids with button clicks);
    and into the "More" button's, so the next page is the same question asked again."""
    for block in message.get("blocks", []):
        block_id = str(block.get("block_id") or "")
        if block.get("type") == "actions" and block_id.startswith(STAMPED_PREFIXES):
            stamped = f"{block_id}{ORIGIN_SEPARATOR}{origin}"
            if len(stamped) <= MAX_BLOCK_ID:
                block["block_id"] = stamped
    return message


def origin_of(block_id: str) -> str:
    return block_id.partition(ORIGIN_SEPARATOR)[2] if block_id.startswith(STAMPED_PREFIXES) \
        else ""


def next_page_of(block_id: str) -> tuple[str, int] | None:
    """(the question, the row its next page starts at) from a "More" button's block_id."""
    if not block_id.startswith(MORE_BLOCK_PREFIX):
        return None
    start, _separator, origin = block_id.removeprefix(MORE_BLOCK_PREFIX).partition(
        ORIGIN_SEPARATOR)
    return (origin, int(start)) if start.isdigit() and origin else None


# --- The modal --------------------------------------------------------------------------------


def private_metadata(details: dict[str, Any]) -> str:
    """What the submission needs to know, within Slack's 3,000 characters (origin goes first)."""
    encoded = json.dumps(details)
    if len(encoded) > MAX_PRIVATE_METADATA:
        encoded = json.dumps({**details, "origin": ""})
    return encoded[:MAX_PRIVATE_METADATA]


def progress_modal(kind: str, ref: str, details: dict[str, Any]) -> dict[str, Any]:
    wording = KIND_WORDING[kind]
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK_ID,
        "title": {"type": "plain_text", "text": wording["title"]},
        "submit": {"type": "plain_text", "text": wording["submit"]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": private_metadata(details),
        "blocks": [
            section(f"Action *{escape(ref)}*"),
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": {"type": "plain_text", "text": wording["label"]},
                "hint": {"type": "plain_text", "text": wording["hint"]},
                "element": {"type": "plain_text_input", "action_id": NOTE_INPUT,
                            "multiline": True, "max_length": NOTE_MAX_CHARS},
            },
        ],
    }


def submitted_note(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    value = ((values.get(NOTE_BLOCK) or {}).get(NOTE_INPUT) or {}).get("value")
    return value if isinstance(value, str) else ""


def submitted_details(view: dict[str, Any]) -> dict[str, Any]:
    try:
        details = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        details = {}
    return details if isinstance(details, dict) else {}


def reference_words(button_value: str) -> str:
    """The reference as the grammar takes it (one word). Buttons carry PLAN/REF with no spaces;
    a value with spaces (an older message) falls back to the bare REF."""
    value = button_value.strip()
    return value if not any(ch.isspace() for ch in value) else value.rpartition("/")[2].strip()


def command_text(details: dict[str, Any], note: str) -> str:
    """The words a user would have typed after /actions."""
    return f"{details.get('kind', 'done')} {reference_words(str(details.get('ref', '')))} {note}"


def note_problem(details: dict[str, Any], note: str) -> str | None:
    """What is wrong with the submission, in the words shown under the field; None if nothing."""
    kind = details.get("kind")
    if kind not in KIND_WORDING:
        return "This form has expired. Close it and press the button again."
    if not note.strip():
        return KIND_WORDING[kind]["empty"]
    parsed = parse(command_text(details, note), verb="actions")
    return parsed.message if isinstance(parsed, ParseError) else None


# --- After the submission: refresh the list, or confirm ---------------------------------------


def refreshed_list(front: SlackFrontEnd, user_id: str, origin: str,
                   confirmation: Message) -> Message | None:
    """The list the buttons sat in, asked again, with the confirmation on top."""
    if not origin:
        return None
    refreshed = front.ask(user_id, origin)
    if not isinstance(unwrapped(refreshed.answer), ActionList):
        return None
    message = stamp_origin(front.render(refreshed.answer), origin)
    blocks = [*confirmation["blocks"], *message["blocks"]]
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1],
                  context("… the list is cut short here; type /actions to see it all")]
    return {"text": confirmation["text"], "blocks": blocks}


def register(app: App, front: SlackFrontEnd) -> None:
    from handlers.slack.home import publish_home

    def open_progress_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Ack, then open the modal at once: a trigger_id is only good for 3 seconds."""
        ack()
        action = (body.get("actions") or [{}])[0]
        kind = "done" if action.get("action_id") == ACTION_DONE else "update"
        ref = str(action.get("value") or "")
        details = {
            "kind": kind,
            "ref": ref,
            "response_url": body.get("response_url") or "",
            "home": (body.get("container") or {}).get("type") == "view",
            "origin": origin_of(str(action.get("block_id") or "")),
        }
        try:
            client.views_open(trigger_id=body.get("trigger_id"),
                              view=progress_modal(kind, ref, details))
        except Exception as error:
            log.error("views.open failed: %s", type(error).__name__)
            unavailable = front.render(Unavailable())
            if details["response_url"]:
                reply(details["response_url"], unavailable)
            else:
                post_message(client, str((body.get("user") or {}).get("id")), unavailable)

    def check_submission(ack: Ack, view: dict[str, Any]) -> None:
        """Refuse an empty or unreadable note on the field itself; otherwise close the modal."""
        problem = note_problem(submitted_details(view), submitted_note(view))
        if problem:
            ack(response_action="errors", errors={NOTE_BLOCK: problem})
        else:
            ack()

    def record_submission(body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """Lazy: record through ask() (audited), then refresh the list or confirm."""
        user_id = str((body.get("user") or {}).get("id") or "")
        details = submitted_details(view)
        if note_problem(details, submitted_note(view)):
            return  # already refused on the field
        outcome = front.ask(user_id, command_text(details, submitted_note(view)), verb="actions")
        confirmation = front.render(outcome.answer)
        response_url = str(details.get("response_url") or "")
        if response_url:
            updated = (refreshed_list(front, user_id, str(details.get("origin") or ""),
                                      confirmation)
                       if isinstance(outcome.answer, ActionChanged) else None)
            if updated is not None:
                reply(response_url, updated, replace_original=True)
            else:
                reply(response_url, confirmation)
            return
        post_message(client, user_id, confirmation)
        if details.get("home"):
            publish_home(front, client, user_id)

    def acknowledge_button(ack: Ack) -> None:
        ack()

    def answer_the_presser(body: dict[str, Any], client: WebClient, user_id: str,
                           message: Message) -> None:
        """Where the button was: its message's response_url, or else a DM."""
        response_url = str(body.get("response_url") or "")
        if response_url:
            reply(response_url, message)
        else:
            post_message(client, user_id, message)

    def show_next_page(body: dict[str, Any], client: WebClient) -> None:
        """Lazy: "More" asks the same question again (access and audit as ever) and shows the
        next page, as a new message under the last, so the earlier rows stay on screen."""
        action = (body.get("actions") or [{}])[0]
        user_id = str((body.get("user") or {}).get("id") or "")
        page = next_page_of(str(action.get("block_id") or ""))
        if page is None:
            return
        origin, start = page
        outcome = front.ask(user_id, origin)
        message = stamp_origin(front.render(outcome.answer, offset=start), origin)
        answer_the_presser(body, client, user_id, message)

    def run_button_command(body: dict[str, Any], client: WebClient) -> None:
        """Lazy: a reminder's or alert's button (render.notes) runs its command as if typed,
        through ask(), so the same access rules and audit apply; the answer goes to the asker."""
        user_id = str((body.get("user") or {}).get("id") or "")
        action = (body.get("actions") or [{}])[0]
        outcome = front.ask(user_id, str(action.get("value") or ""))
        message = front.render(outcome.answer)
        answer_the_presser(body, client, user_id, message)

    app.action(re.compile(rf"^{RUN_COMMAND_ACTION}:\d+$"))(ack=acknowledge_button,
                                                           lazy=[run_button_command])
    app.action(ACTION_MORE)(ack=acknowledge_button, lazy=[show_next_page])
    app.action(ACTION_DONE)(open_progress_modal)
    app.action(ACTION_UPDATE)(open_progress_modal)
    app.view(MODAL_CALLBACK_ID)(ack=check_submission, lazy=[record_submission])


__all__ = ["MODAL_CALLBACK_ID", "NOTE_BLOCK", "NOTE_INPUT", "command_text", "note_problem",
           "next_page_of", "origin_of", "progress_modal", "register", "stamp_origin"]
