"""Stored Teams conversation references: where the bot was added, so it can speak first later.

A reference is what the SDK needs to continue a conversation (service URL, conversation, bot and
user accounts, tenant). One row per conversation (a 1:1 chat, a group chat or a team's channel),
upserted when the bot is added (or first hears from a conversation) and removed when it is taken
out. Digests find their destination here: a channel by its name or conversation id, a head of
service's 1:1 chat by their Entra object id (`teams_user_id`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from microsoft_agents.activity import Activity, ConversationReference
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models import ConversationRef

PERSONAL = "personal"
CHANNEL = "channel"
GROUP_CHAT = "groupChat"


def field_of(data: object, *path: str) -> Any:
    """channelData arrives as a dict (or an object); read a nested field from either."""
    for key in path:
        if data is None:
            return None
        data = data.get(key) if isinstance(data, dict) else getattr(data, key, None)
    return data


def base_conversation_id(conversation_id: str) -> str:
    """A channel message's conversation id names its thread (";messageid=…"); the channel's
    own id is what to post a new message to."""
    return conversation_id.split(";messageid=", 1)[0]


def conversation_type(activity: Activity) -> str:
    return (activity.conversation.conversation_type if activity.conversation else None) or PERSONAL


def tenant_of(activity: Activity) -> str | None:
    return ((activity.conversation.tenant_id if activity.conversation else None)
            or field_of(activity.channel_data, "tenant", "id"))


@dataclass(frozen=True)
class ConversationFacts:
    """What gets stored about one conversation, read from an activity in it."""

    conversation_id: str
    conversation_type: str
    user_id: str | None
    channel_name: str | None
    service_url: str
    tenant_id: str | None
    reference_json: str


def reference_json(reference: ConversationReference) -> str:
    return reference.model_dump_json(by_alias=True, exclude_none=True)


def facts_from(activity: Activity) -> ConversationFacts:
    kind = conversation_type(activity)
    reference = activity.get_conversation_reference()
    reference.activity_id = None  # continue the conversation, not a reply to one old message
    reference.conversation = reference.conversation.model_copy(
        update={"id": base_conversation_id(reference.conversation.id)})
    user = activity.from_property
    channel_name = None
    if kind == CHANNEL:
        channel_name = field_of(activity.channel_data, "channel", "name")
        team_id = field_of(activity.channel_data, "team", "id")
        if not channel_name and team_id and team_id == base_conversation_id(
                activity.conversation.id):
            # The General channel has no name of its own in the payload: it goes by the team's.
            channel_name = field_of(activity.channel_data, "team", "name")
    elif kind == GROUP_CHAT:
        channel_name = activity.conversation.name
    return ConversationFacts(
        conversation_id=reference.conversation.id,
        conversation_type=kind,
        user_id=((user.aad_object_id or user.id) if user and kind == PERSONAL else None),
        channel_name=channel_name,
        service_url=activity.service_url or "",
        tenant_id=tenant_of(activity),
        reference_json=reference_json(reference),
    )


def upsert(engine: Engine, facts: ConversationFacts, now: datetime | None = None) -> None:
    """Insert or refresh the reference (two processes hearing the same install is fine)."""
    stamp = now or datetime.now(timezone.utc)
    for _attempt in range(2):
        try:
            with Session(engine) as session:
                row = session.exec(select(ConversationRef).where(
                    ConversationRef.conversation_id == facts.conversation_id)).first()
                row = row or ConversationRef(conversation_id=facts.conversation_id,
                                             reference_json="", service_url="",
                                             conversation_type=facts.conversation_type,
                                             updated_at=stamp)
                row.conversation_type = facts.conversation_type
                row.user_id = facts.user_id
                if facts.conversation_type == PERSONAL:
                    row.channel_name = None
                elif facts.channel_name:
                    row.channel_name = facts.channel_name
                row.service_url = facts.service_url
                row.tenant_id = facts.tenant_id
                row.reference_json = facts.reference_json
                row.updated_at = stamp
                session.add(row)
                session.commit()
                return
        except IntegrityError:
            continue  # the other process inserted it first: update its row instead


def forget(engine: Engine, conversation_id: str) -> None:
    with Session(engine) as session:
        row = session.exec(select(ConversationRef).where(
            ConversationRef.conversation_id == base_conversation_id(conversation_id))).first()
        if row is not None:
            session.delete(row)
            session.commit()


def personal_for(engine: Engine, *user_ids: str | None) -> ConversationRef | None:
    """The 1:1 chat with a user, by their Entra object id (or Teams user id)."""
    wanted = [user_id for user_id in user_ids if user_id]
    if not wanted:
        return None
    with Session(engine) as session:
        return session.exec(
            select(ConversationRef)
            .where(ConversationRef.conversation_type == PERSONAL,
                   ConversationRef.user_id.in_(wanted))  # type: ignore[union-attr]
            .order_by(ConversationRef.updated_at.desc())  # type: ignore[attr-defined]
        ).first()


class AmbiguousChannel(LookupError):
    """More than one stored conversation has that name: name it by conversation id instead."""


def channel_for(engine: Engine, name_or_id: str) -> ConversationRef | None:
    """A channel or group chat by conversation id (exact) or name (any case)."""
    wanted = name_or_id.strip()
    with Session(engine) as session:
        by_id = session.exec(select(ConversationRef).where(
            ConversationRef.conversation_id == base_conversation_id(wanted))).first()
        if by_id is not None:
            return by_id
        named = session.exec(select(ConversationRef).where(
            ConversationRef.conversation_type != PERSONAL,
            func.lower(ConversationRef.channel_name) == wanted.lower(),
        )).all()
    if len(named) > 1:
        raise AmbiguousChannel(
            f"{len(named)} Teams conversations are called '{wanted}': set the service's "
            "teams_channel to the conversation id instead")
    return named[0] if named else None


def stored_reference(row: ConversationRef) -> ConversationReference:
    return ConversationReference.model_validate(json.loads(row.reference_json))


__all__ = [
    "AmbiguousChannel", "CHANNEL", "ConversationFacts", "GROUP_CHAT", "PERSONAL",
    "base_conversation_id", "channel_for", "conversation_type", "facts_from", "field_of",
    "forget", "personal_for", "stored_reference", "tenant_of", "upsert",
]
