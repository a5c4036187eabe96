"""Who is asking: a Slack user id, turned into the Identity the query layer matches to a staff.

Most councils import `slack_user_id` with their HR list, but many will only have e-mail addresses.
So a Slack user id the store does not know is looked up with `users.info` (scope users:read.email)
and the e-mail Slack reports is offered as well. The query layer still decides who that is and
what they may see; this module only gathers what Slack knows. Answers are cached per user id for
a while, because a chat user asks several questions in a row and Slack rate-limits users.info.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from queries.access import Identity, find_staff

log = logging.getLogger(__name__)

FRONT_END = "slack"
IDENTITY_TTL_SECONDS = 600.0
#: A failed users.info is retried sooner than a good answer is refreshed.
FAILED_LOOKUP_TTL_SECONDS = 30.0
MAX_CACHED_USERS = 10_000


class SlackIdentities:
    """Slack user id → Identity, with a bounded TTL cache (thread-safe: listeners run in
    threads)."""

    def __init__(
        self, engine: Engine, client: WebClient, *, ttl_seconds: float = IDENTITY_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_CACHED_USERS,
    ) -> None:
        self.engine = engine
        self.client = client
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, Identity]] = OrderedDict()
        self._lock = threading.Lock()

    def identity_for(self, user_id: str, today: date) -> Identity:
        """The Identity to ask with: the Slack id always, plus the Slack e-mail when the store
        does not know the id."""
        cached = self._cached(user_id)
        if cached is not None:
            return cached
        by_id = Identity(FRONT_END, slack_user_id=user_id)
        try:
            known = self._store_knows(by_id, today)
        except SQLAlchemyError:
            # The store is down: ask() will say "try again shortly"; cache nothing.
            return by_id
        if known:
            self._remember(user_id, by_id, self.ttl_seconds)
            return by_id
        email = self._slack_email(user_id)
        identity = Identity(FRONT_END, slack_user_id=user_id, email=email)
        self._remember(user_id, identity,
                       self.ttl_seconds if email is not None else FAILED_LOOKUP_TTL_SECONDS)
        return identity

    def forget(self, user_id: str) -> None:
        with self._lock:
            self._cache.pop(user_id, None)

    def _store_knows(self, identity: Identity, today: date) -> bool:
        with Session(self.engine) as session:
            return find_staff(session, identity, today) is not None

    def _slack_email(self, user_id: str) -> str | None:
        """The e-mail on the Slack profile, or None when Slack has none or cannot be reached."""
        try:
            response = self.client.users_info(user=user_id)
        except SlackApiError as error:
            log.info("users.info gave no profile for %s: %s", user_id,
                     error.response.get("error", "error"))
            return None
        except Exception as error:  # network trouble: the asker is refused politely, not crashed
            log.warning("users.info failed for %s: %s", user_id, type(error).__name__)
            return None
        profile = (response.get("user") or {}).get("profile") or {}
        email = profile.get("email")
        return email.strip() if isinstance(email, str) and email.strip() else None

    def _cached(self, user_id: str) -> Identity | None:
        with self._lock:
            entry = self._cache.get(user_id)
            if entry is None:
                return None
            expires, identity = entry
            if expires <= self.clock():
                del self._cache[user_id]
                return None
            return identity

    def _remember(self, user_id: str, identity: Identity, ttl_seconds: float) -> None:
        with self._lock:
            self._cache[user_id] = (self.clock() + ttl_seconds, identity)
            self._cache.move_to_end(user_id)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
