"""Who is asking, as far as Teams can tell us: the Entra object id, and else the e-mail/UPN.

Teams puts the sender's Entra ID object id (`aadObjectId`) on every message; that is the staff
record's `teams_user_id`. When no staff record has it (not imported yet, or imported by e-mail
only), the sender's e-mail address or user principal name is read from the Teams roster
(GET {serviceUrl}/v3/conversations/{team or conversation}/members/{user id}, what the Bot Framework
SDK's TeamsInfo.get_member did) and cached, so the roster is asked once per person, not per
message. Matching either to a staff record is the query layer's job (queries.access).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

import aiohttp
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from handlers.teams.conversations import field_of

log = logging.getLogger("handlers.teams")


class RosterUnavailable(RuntimeError):
    """The Teams roster could not be read (the connector is down): try again shortly."""


def email_on(account: object) -> str | None:
    """The e-mail or UPN a channel account carries, if any (Teams roster entries do)."""
    if account is None:
        return None
    extra = getattr(account, "model_extra", None) or {}
    for name in ("email", "user_principal_name", "userPrincipalName", "upn"):
        value = getattr(account, name, None) or extra.get(name)
        if isinstance(value, str) and "@" in value:
            return value.strip()
    return None


def roster_conversation(activity: Activity) -> str:
    """In a team, the roster is the team's; elsewhere, the conversation's own members."""
    return field_of(activity.channel_data, "team", "id") or activity.conversation.id


@dataclass
class RosterEmails:
    """E-mail addresses from the Teams roster, cached per Teams user id for `ttl_seconds`."""

    ttl_seconds: float = 6 * 3600
    max_entries: int = 10_000

    def __post_init__(self) -> None:
        self._cache: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def cached(self, user_id: str) -> str | None:
        entry = self._cache.get(user_id)
        if entry is None or entry[0] < time.monotonic():
            self._cache.pop(user_id, None)
            return None
        self._cache.move_to_end(user_id)
        return entry[1]

    def remember(self, user_id: str, email: str) -> None:
        self._cache[user_id] = (time.monotonic() + self.ttl_seconds, email)
        self._cache.move_to_end(user_id)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)

    async def email_for(self, context: TurnContext) -> str | None:
        """The sender's e-mail/UPN from the roster; None if the roster does not list one."""
        activity = context.activity
        user = activity.from_property
        if user is None or not user.id:
            return None
        if found := self.cached(user.id):
            return found
        connector = context.services.get(ConnectorClientBase)
        if connector is None:
            return None
        try:
            member = await connector.conversations.get_conversation_member(
                roster_conversation(activity), user.id)
        except aiohttp.ClientResponseError as error:
            if error.status == 404:
                return None
            log.warning("Teams roster lookup failed with HTTP %s", error.status)
            raise RosterUnavailable from None
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("Teams roster lookup failed: %s", type(error).__name__)
            raise RosterUnavailable from None
        email = email_on(member)
        if email:
            self.remember(user.id, email)
        return email


__all__ = ["RosterEmails", "RosterUnavailable", "email_on", "roster_conversation"]
