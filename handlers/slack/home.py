"""App Home: a personal dashboard published when someone opens the bot's Home tab.

It is made of the same answers the commands give (so nothing can disagree): the asker's caseload
(for a manager, the team table), their NQSW protection if they are in their protected year (for a
manager, every NQSW in scope), their own actions and supervision due. Each is asked through
ask(), so the dashboard obeys the same access rules and is audited like any question.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from queries.results import ProtectionAnswer
from render.slack import (
    MAX_VIEW_BLOCKS,
    Block,
    context,
    divider,
    escape,
    header,
    render_blocks,
)

if TYPE_CHECKING:
    from handlers.slack.front import SlackFrontEnd

log = logging.getLogger(__name__)

#: Rows per panel: four panels must share the Home tab's 100 blocks.
HOME_ROWS = 8
ROLE_WORDS = {"practitioner": "Practitioner", "team_manager": "Team manager",
              "head_of_service": "Head of service", "admin": "Administrator"}


def worth_showing(answer: object, is_manager: bool) -> bool:
    """A practitioner outside their protected year has no protection panel; everything else
    (including a refusal or a 'try again') is shown."""
    if isinstance(answer, ProtectionAnswer) and not is_manager:
        return any(status.in_protected_year for status in answer.statuses)
    return True


def home_blocks(front: SlackFrontEnd, user_id: str) -> list[Block]:
    first = front.ask(user_id, "", verb="caseload")
    asker = first.asker
    if asker is None:  # not registered, or the store is down: say so, nothing else
        return [header("Caseload bot"), *front_blocks(first.answer)]
    questions = [
        ("team" if asker.is_manager else "", "protected"),
        ("mine", "actions"),
        ("", "supervision"),
    ]
    panels = [first.answer] + [front.ask(user_id, text, verb=verb).answer
                               for text, verb in questions]
    blocks: list[Block] = [
        header("Your caseload dashboard"),
        context(f"*{escape(asker.name)}* · {ROLE_WORDS.get(asker.role, escape(asker.role))}",
                "Type /caseload help for every command"),
    ]
    for answer in panels:
        if worth_showing(answer, asker.is_manager):
            blocks.extend([divider(), *front_blocks(answer)])
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = [*blocks[: MAX_VIEW_BLOCKS - 1],
                  context("… more in the commands: /caseload, /actions, /supervision")]
    return blocks


def front_blocks(answer: object) -> list[Block]:
    try:
        return render_blocks(answer, limit=HOME_ROWS)
    except Exception as error:
        log.error("rendering %s for App Home failed: %s", type(answer).__name__,
                  type(error).__name__)
        return [context("This part of your dashboard could not be shown. Try again shortly.")]


def home_view(front: SlackFrontEnd, user_id: str) -> dict[str, Any]:
    return {"type": "home", "blocks": home_blocks(front, user_id)}


def publish_home(front: SlackFrontEnd, client: WebClient, user_id: str) -> bool:
    """views.publish the dashboard; a Slack failure is logged and the next open tries again."""
    try:
        client.views_publish(user_id=user_id, view=home_view(front, user_id))
        return True
    except Exception as error:
        log.error("views.publish failed: %s", type(error).__name__)
        return False


def register(app: App, front: SlackFrontEnd) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def show_home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return  # the Messages tab fires this event too
        publish_home(front, client, str(event["user"]))

    app.event("app_home_opened")(ack=acknowledge, lazy=[show_home])


__all__ = ["home_view", "publish_home", "register"]
