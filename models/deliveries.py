"""Exactly-once digest delivery records and stored chat conversation references."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class Delivery(SQLModel, table=True):
    """Claimed before posting, marked sent after: the unique key is what makes a post happen once."""

    __table_args__ = (
        UniqueConstraint("digest", "service_id", "period", "destination", name="uq_delivery_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=20)
    service_id: int = Field(foreign_key="service.id", index=True)
    period: str = Field(max_length=20)
    destination: str = Field(max_length=200)
    status: str = Field(default="claimed", max_length=20)  # claimed, sent, failed
    claimed_at: datetime
    #: The first attempt's claim: a post any attempt made is newer than this, so a retry looks
    #: for it in the destination's history from here (claimed_at moves with each attempt).
    first_claimed_at: datetime | None = None
    sent_at: datetime | None = None
    attempts: int = 0
    late: bool = False
    error: str | None = Field(default=None, max_length=1000)
    message_ref: str | None = Field(default=None, max_length=200)


class ConversationRef(SQLModel, table=True):
    """A Teams conversation the bot was added to, kept so digests can be sent proactively."""

    __tablename__ = "conversation_ref"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(unique=True, max_length=400)
    conversation_type: str = Field(max_length=20)  # personal, channel, groupChat
    user_id: str | None = Field(default=None, max_length=200, index=True)
    channel_name: str | None = Field(default=None, max_length=200)
    service_url: str = Field(max_length=400)
    tenant_id: str | None = Field(default=None, max_length=100)
    reference_json: str
    updated_at: datetime
