"""What every Slack listener shares: the store, the settings, the clock, the identity cache, and the
one way to ask a question and draw its answer.

Listeners are thin (identity → ask() → render → reply). Access rules, wording and audit all live in
`queries.answer.ask`, the same door the console and Teams use. This lives apart from app.py (which
only wires) so the listener modules can import it without importing the app that registers them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from config import Settings
from handlers.slack.identity import SlackIdentities
from models.store import store_deadline
from queries.answer import Outcome, ask
from queries.results import Unavailable
from render.slack import Message, render_slack

log = logging.getLogger(__name__)


@dataclass
class SlackFrontEnd:
    """What every listener needs, and the one way they all ask a question."""

    engine: Engine
    settings: Settings
    today: Callable[[], date]
    identities: SlackIdentities

    def ask(self, user_id: str, text: str, verb: str | None = None) -> Outcome:
        """Ask as this Slack user. Never raises: any fault becomes the plain 'try again' answer.

        One store deadline covers finding who is asking and the answer, so a hung store gives
        the plain message in time (SPEC section 8) however many lookups the question needs."""
        try:
            today = self.today()
            with store_deadline(self.settings.store_answer_budget_seconds):
                identity = self.identities.identity_for(user_id, today)
                # NUL cannot be stored in a PostgreSQL text column (the audit log): never a word.
                return ask(self.engine, identity, text.replace("\x00", " "), verb=verb,
                           today=today, settings=self.settings)
        except Exception as error:  # the request itself (body, headers) is never logged
            log.error("answering a Slack %s failed: %s", verb or "message", type(error).__name__,
                      exc_info=True)
            return Outcome(Unavailable(), None, "")

    def render(self, answer: object, limit: int | None = None, offset: int = 0) -> Message:
        """Block Kit for an answer (a page of `max_rows_in_chat` rows from `offset`); a
        rendering fault still gives the user the plain message."""
        rows = self.settings.max_rows_in_chat if limit is None else limit
        try:
            return render_slack(answer, limit=rows, offset=offset)
        except Exception as error:
            log.error("rendering a %s for Slack failed: %s", type(answer).__name__,
                      type(error).__name__, exc_info=True)
            return render_slack(Unavailable())


__all__ = ["SlackFrontEnd"]
