"""Social Work England registration and CPD, as pure rules (SPEC section 4).

Social Work England's registration year runs 1 December to 30 November; renewal opens on
1 September and closes on 30 November, and a social worker renewing must have recorded at least
2 pieces of CPD in the year, at least 1 of them with a peer reflection. The staff columns are
``swe_no``, ``cpd_records`` (CPD recorded this registration year) and ``cpd_peer_reflection``
(Y/N: at least one of them has a peer reflection).

- Any day: a social worker or manager (``REGISTERED_ROLES``) with no ``swe_no`` is flagged.
- From ``swe_renewal_opens_month`` (1 September) to the year's end: anyone who has not yet met
  the CPD requirement is listed as *not yet met*.
- From ``swe_at_risk_month`` (1 November): they are *at risk* of not renewing by 30 November.
- From 1 December a new registration year starts: nothing is due until renewal opens again.

Months are settings; days are always the 1st, as Social Work England's are. "Today" is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from config import Settings

#: Roles that must be registered with Social Work England to practise: social workers of every
#: grade and their managers. Family help practitioners, personal advisers and admins need not be.
REGISTERED_ROLES: tuple[str, ...] = (
    "practitioner", "social_worker", "senior_practitioner", "nqsw", "advanced_practitioner",
    "team_manager", "head_of_service",
)

NO_NUMBER = "no Social Work England number"
NOT_MET = "CPD not yet met"
AT_RISK = "at risk: CPD not met"


@dataclass(frozen=True)
class RegistrationYear:
    """One Social Work England registration year and its renewal dates."""

    starts: date  # 1 December
    ends: date  # 30 November, the last day to renew
    renewal_opens: date  # 1 September
    at_risk_from: date  # 1 November


def registration_year(today: date, settings: Settings) -> RegistrationYear:
    """The registration year ``today`` falls in (1 December to 30 November by default)."""
    start_month = settings.swe_registration_year_start_month
    start_year = today.year if today.month >= start_month else today.year - 1
    starts = date(start_year, start_month, 1)
    next_start = date(start_year + 1, start_month, 1)
    ends = date.fromordinal(next_start.toordinal() - 1)

    def in_year(month: int) -> date:
        return date(start_year if month >= start_month else start_year + 1, month, 1)

    return RegistrationYear(starts, ends, in_year(settings.swe_renewal_opens_month),
                            in_year(settings.swe_at_risk_month))


def cpd_met(cpd_records: int | None, peer_reflection: bool | None, settings: Settings) -> bool:
    """At least ``swe_cpd_min_records`` (2) pieces of CPD, at least one with peer reflection."""
    return (cpd_records or 0) >= settings.swe_cpd_min_records and bool(peer_reflection)


def registration_flag(
    role: str, swe_no: str | None, cpd_records: int | None, peer_reflection: bool | None,
    today: date, settings: Settings,
) -> str | None:
    """What is wrong with the worker's registration today (None when nothing is)."""
    if role not in REGISTERED_ROLES:
        return None
    if not (swe_no or "").strip():
        return NO_NUMBER
    year = registration_year(today, settings)
    if today < year.renewal_opens or cpd_met(cpd_records, peer_reflection, settings):
        return None
    return AT_RISK if today >= year.at_risk_from else NOT_MET


__all__ = ["AT_RISK", "NOT_MET", "NO_NUMBER", "REGISTERED_ROLES", "RegistrationYear", "cpd_met",
           "registration_flag", "registration_year"]
