"""The record of every load: what was imported, when, by whom or which job, and what it changed.

Answers say how fresh their data is from this table, and `/caseload status` reads it, so a
council can see at a glance whether the nightly ingest is working. Dry runs are not recorded:
they change nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class ImportRun(SQLModel, table=True):
    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)  # when the load finished (UTC)
    kind: str = Field(max_length=20)  # teams, staff, cases, supervisions, actions, annex-a, census
    source: str = Field(default="", max_length=300)  # the file's name (never its contents)
    actor: str = Field(max_length=120)  # "cli", "job:ingest", or a staff id
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    closed: int = 0
    refused: bool = False
    problems: int = 0
    #: The folder load's content hash (nightly ingest): a folder is loaded again only when it
    #: changes, and its admin DMs are keyed by it, so they go once per load.
    folder_hash: str | None = Field(default=None, max_length=64, index=True)


Index("ix_import_run_kind_at", ImportRun.kind, ImportRun.at)
