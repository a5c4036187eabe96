"""The Microsoft Teams front end, on the Microsoft 365 Agents SDK (`microsoft-agents-*`).

`mount_teams` adds POST /api/messages to the web app (handlers.server calls it); `TeamsPoster`
and `post_to_teams` send the weekly digests to stored Teams conversations.
"""

from handlers.teams.endpoint import MESSAGES_PATH, mount_teams
from handlers.teams.proactive import TeamsPoster, post_to_teams

__all__ = ["MESSAGES_PATH", "TeamsPoster", "mount_teams", "post_to_teams"]
