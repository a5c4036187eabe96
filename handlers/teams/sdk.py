"""The Microsoft 365 Agents SDK, set up from our settings: who we are to Teams, and how we talk.

Two modes, decided once from the environment:

- **Registered** (`TEAMS_APP_ID` and its credentials set): every request to /api/messages must
  carry a valid Bot Framework token for our app id, checked by the SDK's JWT validation before
  any handler runs; replies are sent with a token obtained (by MSAL) for the app registration.
- **Anonymous local** (no chat setting of any kind set, Slack's included): no tokens either way,
  for the Microsoft 365 Agents Playground and the tests. The endpoint says so in the log when it
  starts, and answers this machine only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity

from config import ChatSettingsError, Settings

log = logging.getLogger("handlers.teams")

#: The Bot Framework's own tenant: the authority for app registrations made before single-tenant
#: bots became the rule, used when TEAMS_TENANT_ID is not set.
LEGACY_BOT_TENANT = "botframework.com"


@dataclass(frozen=True)
class TeamsAuth:
    anonymous: bool
    configuration: AgentAuthConfiguration
    app_id: str = ""

    def outgoing_identity(self) -> ClaimsIdentity:
        """Who the bot is when it speaks first (proactive messages): no claims means no token."""
        if self.anonymous:
            return ClaimsIdentity()
        return ClaimsIdentity({"aud": self.app_id, "appid": self.app_id})


def teams_auth(settings: Settings) -> TeamsAuth:
    """Registered when any Teams credential is set (a half-set one is an error, never anonymous);
    anonymous only when no chat setting of any kind is set (Slack's included)."""
    if settings.teams_anonymous:
        return TeamsAuth(anonymous=True,
                         configuration=AgentAuthConfiguration(anonymous_allowed=True))
    if not settings.teams_settings_given:
        raise ChatSettingsError(
            f"{', '.join(settings.slack_settings_given)} set and no TEAMS_APP_ID: Teams' anonymous "
            "local mode runs only when no chat setting is given at all.")
    if not settings.teams_app_id:
        raise ChatSettingsError("TEAMS_APP_PASSWORD or TEAMS_TENANT_ID is set but TEAMS_APP_ID is "
                                "not: set the Azure Bot's Microsoft App ID too, or none of the "
                                "three.")
    if not settings.teams_app_password:
        log.error("TEAMS_APP_PASSWORD is not set: incoming Teams requests are checked, but the "
                  "bot cannot reply until the app registration's client secret is configured.")
    if not settings.teams_tenant_id:
        log.warning("TEAMS_TENANT_ID is not set: using the multi-tenant authority (%s). "
                    "Single-tenant Azure Bot registrations need their tenant id.",
                    LEGACY_BOT_TENANT)
    configuration = AgentAuthConfiguration(
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id or LEGACY_BOT_TENANT,
        client_secret=settings.teams_app_password or None,
        anonymous_allowed=False,
    )
    return TeamsAuth(anonymous=False, configuration=configuration, app_id=settings.teams_app_id)


def connection_manager(auth: TeamsAuth) -> MsalConnectionManager:
    return MsalConnectionManager(connections_configurations={
        "SERVICE_CONNECTION": auth.configuration})


__all__ = ["TeamsAuth", "connection_manager", "teams_auth"]
