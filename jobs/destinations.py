"""Where a service's digest goes on one chat platform: its head of service and its teams' channel.

Slack and Teams differ only in which staff column holds the chat user id and which team column
names the channel, so both posters ask this one function.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlmodel import Session, select

from models import ACCESS_ROLE_BY_JOB_ROLE, Staff, Team
from queries.caseload import in_post_on

log = logging.getLogger(__name__)

HEAD_ROLES = tuple(role for role, access in ACCESS_ROLE_BY_JOB_ROLE.items()
                   if access == "head_of_service")


def service_destinations(
    session: Session, service_ids: list[int], as_of: date, *, user_id_column: Any,
    channel_column: Any, dm_prefix: str, channel_prefix: str, platform: str,
) -> dict[int, list[str]]:
    """Heads of service in post (a direct message) and each distinct team channel: two statements.

    A head with no chat user id on this platform gets no DM, and the log says so.
    """
    found: dict[int, list[str]] = {service_id: [] for service_id in service_ids}
    if not service_ids:
        return found
    heads = session.exec(
        select(Staff.service_id, Staff.staff_id, user_id_column)
        .where(Staff.role.in_(HEAD_ROLES), Staff.service_id.in_(service_ids),  # type: ignore[attr-defined, union-attr]
               in_post_on(as_of))
        .order_by(Staff.staff_id)
    ).all()
    for service_id, staff_id, user_id in heads:
        if user_id:
            found[service_id].append(f"{dm_prefix}{user_id}")  # type: ignore[index]
        else:
            log.info("head of service %s has no %s user id: no %s digest DM", staff_id,
                     platform, platform)
    channels = session.exec(
        select(Team.service_id, channel_column)
        .where(Team.service_id.in_(service_ids), channel_column.is_not(None))  # type: ignore[attr-defined]
        .distinct()
        .order_by(Team.service_id, channel_column)
    ).all()
    for service_id, channel in channels:
        name = (channel or "").strip()
        if name and f"{channel_prefix}{name}" not in found[service_id]:
            found[service_id].append(f"{channel_prefix}{name}")
    return found
