"""Which chat platforms digests go to, from the settings: Slack and/or Teams.

Each platform is a jobs.delivery.Poster; the claim-post-mark rules apply to all of them alike.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from config import Settings
from jobs.delivery import Poster

log = logging.getLogger(__name__)


def posters_for(settings: Settings, engine: Engine | None = None) -> list[Poster]:
    """One Poster per configured platform; empty when none is (the local demo)."""
    posters: list[Poster] = []
    if settings.slack_bot_token:
        from jobs.slack_poster import SlackPoster

        posters.append(SlackPoster(settings))
    if settings.teams_enabled:
        try:
            from handlers.teams import TeamsPoster
        except ImportError as missing:  # Teams must never stop the Slack digests
            log.warning("Teams is configured but its digest poster cannot be loaded (%s): "
                        "digests go to Slack only", missing)
        else:
            posters.append(TeamsPoster(settings, engine))
    return posters


__all__ = ["posters_for"]
