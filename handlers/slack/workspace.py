"""Only its own workspace (SPEC section 8): a request from any other Slack workspace is refused.

A Slack app's signing secret is the app's, not the workspace's: an app distributed to several
workspaces signs every workspace's requests with it, so a correctly signed request can come from
a workspace this bot was never installed in — and it was answered as the staff member with that
user id. So every request (commands, interactivity, events; over HTTP and Socket Mode alike) must
name this bot's workspace, and its actor (in a Slack Connect channel, the person may belong to
another workspace) must belong to it too.

The bot's workspace is `SLACK_TEAM_ID` if set, else the team id `auth.test` reports for the bot
token. If Slack cannot be reached at start, it is asked again on the first request; until it is
known, requests are refused rather than guessed at.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

NOT_THIS_WORKSPACE = {"error": "this bot answers only the workspace it is installed in"}


class WorkspaceMismatch(RuntimeError):
    """SLACK_TEAM_ID names one workspace, the bot token belongs to another: stop at start."""


class OwnWorkspace(Middleware):
    """A Bolt global middleware: next() only for requests from the bot's own workspace."""

    def __init__(self, client: WebClient, configured_team_id: str = "") -> None:
        self.client = client
        self.configured_team_id = configured_team_id.strip()
        self._team_id: str | None = self.configured_team_id or None
        self._lock = threading.Lock()

    def learn_at_start(self) -> None:
        """Ask auth.test which workspace the token belongs to. A SLACK_TEAM_ID that disagrees is a
        configuration error; Slack being unreachable is not (asked again on first request)."""
        reported = self._ask_slack()
        if reported is None:
            return
        if self.configured_team_id and reported != self.configured_team_id:
            raise WorkspaceMismatch(
                f"SLACK_TEAM_ID is {self.configured_team_id} but SLACK_BOT_TOKEN belongs to "
                f"workspace {reported}: set SLACK_TEAM_ID to the bot's own workspace, or unset it")
        self._team_id = reported

    def team_id(self) -> str | None:
        """The bot's workspace; asked of Slack (once it answers) when not yet known."""
        if self._team_id is None:
            with self._lock:
                if self._team_id is None:
                    self._team_id = self._ask_slack()
        return self._team_id

    def _ask_slack(self) -> str | None:
        try:
            team_id = self.client.auth_test().get("team_id")
        except SlackApiError as error:
            log.warning("Slack auth.test refused: %s", error.response.get("error", "error"))
            return None
        except Exception as error:  # unreachable: refuse for now, ask again next time
            log.warning("Slack auth.test failed: %s; the bot's workspace is not known yet",
                        type(error).__name__)
            return None
        return str(team_id) if team_id else None

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002 (Bolt's name)
        own = self.team_id()
        claimed = {req.context.team_id, req.context.actor_team_id} - {None}
        if own is not None and claimed and claimed <= {own}:
            return next()
        log.warning("Slack request refused: it does not come from this bot's workspace "
                    "(workspace %s, actor's workspace %s; the bot's is %s)",
                    req.context.team_id, req.context.actor_team_id, own or "not known yet")
        return BoltResponse(status=403, body=NOT_THIS_WORKSPACE)


__all__ = ["OwnWorkspace", "WorkspaceMismatch"]
