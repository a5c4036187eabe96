"""Short-lived links to a report PDF, for Teams (SPEC section 11's `/staffing report`).

A Teams bot cannot just upload a file into a 1:1 chat (that needs the user's consent through a
file-consent card and OneDrive), so the bot keeps the PDF in its own store and sends the asker a
link to ``GET /reports/TOKEN`` on its own web server, working for REPORT_LINK_MINUTES (15); the
monthly job's unattended message passes REPORT_MONTHLY_LINK_DAYS (7) as ``valid_for``. The
token is 256 random bits, sent only to the asker's 1:1 chat; the store keeps only its SHA-256,
and every replica can serve the link because the PDF is in the database, not in one process.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from models import ReportLink

LINK_PATH = "/reports/"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_report_link(engine: Engine, settings: Settings, *, pdf: bytes, filename: str,
                       staff_id: str, now: datetime, valid_for: timedelta | None = None) -> str:
    """Store the PDF and return the link's URL (PUBLIC_BASE_URL + /reports/TOKEN); clears old links.

    The link works from ``now`` for ``valid_for`` (default REPORT_LINK_MINUTES)."""
    if not settings.public_base_url:
        raise LookupError("PUBLIC_BASE_URL is not set, so there is no address to link to")
    lifetime = valid_for if valid_for is not None else timedelta(
        minutes=settings.report_link_minutes)
    token = secrets.token_urlsafe(32)
    with Session(engine) as session:
        session.exec(delete(ReportLink).where(ReportLink.expires_at < now))  # type: ignore[call-overload, arg-type]
        session.add(ReportLink(token_sha256=_digest(token), filename=filename, pdf=pdf,
                               staff_id=staff_id, created_at=now,
                               expires_at=now + lifetime))
        session.commit()
    return f"{settings.public_base_url.rstrip('/')}{LINK_PATH}{token}"


def open_report_link(engine: Engine, token: str, now: datetime) -> tuple[str, bytes] | None:
    """(filename, PDF) for a live link; None for an unknown or expired one."""
    if not token or len(token) > 100:
        return None
    with Session(engine) as session:
        link = session.exec(select(ReportLink).where(
            ReportLink.token_sha256 == _digest(token))).first()
        if link is None or link.expires_at <= now:
            return None
        return link.filename, link.pdf


__all__ = ["LINK_PATH", "create_report_link", "open_report_link"]
