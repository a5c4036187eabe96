"""Supervision frequency, as pure rules (SPEC section 4).

Qualified staff: at least every ``supervision_interval_days`` days. An NQSW in the protected year:
weekly, then fortnightly, then monthly (queries.protection_rules). "Today" is always passed in.
"""

from __future__ import annotations

from datetime import date, timedelta

from config import Settings
from queries.protection_rules import (
    in_protected_year,
    nqsw_supervision_interval_days,
    supervision_frequency_label,
)


def supervision_interval_days(
    asye_start: date | None, asye_end: date | None, today: date, settings: Settings,
    programme: str | None = None,
) -> int:
    """Days allowed between supervisions for a member of staff with these ASYE dates, on ``today``.

    An NQSW in the protected year gets the NQSW interval; everyone else (including an NQSW past
    the protected year, or staff with no ASYE dates) ``settings.supervision_interval_days``.
    """
    if asye_start is not None and in_protected_year(asye_start, asye_end, today, settings,
                                                        programme):
        return nqsw_supervision_interval_days(asye_start, today, settings)
    return settings.supervision_interval_days


def next_supervision_due(last: date | None, interval_days: int, start_date: date) -> date:
    """When the next supervision is due: ``interval_days`` after the last one.

    Never supervised (or last supervised before this start date, e.g. in an earlier spell of
    employment): ``interval_days`` after ``start_date``.
    """
    counted_from = last if last is not None and last >= start_date else start_date
    return counted_from + timedelta(days=interval_days)


def supervision_days_overdue(next_due: date, today: date) -> int:
    """Calendar days supervision is overdue on ``today`` (0 when on or before the due date)."""
    return max(0, (today - next_due).days)


__all__ = [
    "next_supervision_due", "supervision_days_overdue", "supervision_frequency_label",
    "supervision_interval_days",
]
