"""Improvement-plan and audit actions, with the trail of updates and completion evidence."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, func
from sqlmodel import Field, SQLModel

ACTION_STATUSES: tuple[str, ...] = ("open", "in_progress", "done")


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)


class Action(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "ref", name="uq_action_plan_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    ref: str = Field(max_length=40, index=True)
    area: str | None = Field(default=None, max_length=300)
    action: str = Field(max_length=2000)
    owner_id: int = Field(foreign_key="staff.id", index=True)
    agency: str | None = Field(default=None, max_length=200)
    due_date: date = Field(index=True)
    measure: str | None = Field(default=None, max_length=1000)
    status: str = Field(default="open", max_length=20, index=True)
    completed_date: date | None = None
    completed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    evidence: str | None = Field(default=None, max_length=4000)
    #: The day (bot's time zone) chat last set this action's progress (`/actions done`, or
    #: `/actions update` moving it from open): an import may then change status, completed date
    #: and evidence only with a completion dated after it (importers/chat_rule.py).
    chat_changed_on: date | None = None


class ActionUpdate(SQLModel, table=True):
    """A progress note or the completion record: who, when, what they said."""

    __tablename__ = "action_update"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    author_id: int = Field(foreign_key="staff.id")
    at: datetime
    kind: str = Field(max_length=10)  # "update" or "done"
    note: str = Field(max_length=4000)


# `/actions done REF` finds the action by its reference in any case; within a plan a reference
# is one key whatever its case, and so is a plan's name (migration 0006).
Index("ix_action_lower_ref", func.lower(Action.ref))
Index("ix_action_plan_lower_ref", Action.plan_id, func.lower(Action.ref), unique=True)
Index("ix_plan_lower_name", func.lower(Plan.name), unique=True)
