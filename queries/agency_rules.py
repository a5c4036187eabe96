"""The DfE's rules for agency child and family social workers, as pure rules (SPEC section 4).

Statutory guidance "Child and family social workers: agency rules" (in force 31 October 2024;
every assignment from 1 October 2025). For each agency worker:

- **Experience**: at least ``agency_min_pqe_years`` (3) of post-qualifying experience when the
  assignment starts (``start_date``), counted from ``qualified_date``: qualified on 1 September
  2021, an assignment from 1 September 2024 meets it, one from 31 August 2024 does not.
- **Reference**: a practice-based reference received (``agency_reference`` Y).
- **Notice**: a notice period of at most ``agency_max_notice_weeks`` (4) weeks; exactly 4 meets it.
- **Price cap**: an hourly charge (``agency_hourly_rate``) at most the region's cap for the job
  (``agency_rate_caps``, by the worker's role); exactly the cap meets it. A role with no cap set
  is not checked.
- **Cool-off**: not engaged within ``agency_cool_off_months`` (3) of leaving a permanent post in
  the region (``left_permanent_post``): left on 1 March, an assignment from 1 June meets it,
  one from 31 May does not.

A fact the council has not recorded (a blank column, or a file without it) is *not recorded*,
not a breach: the answer says which facts are missing, and a council that imports none of
these columns sees no agency worker flagged (its answers do not change). A worker outside any
rule is within the rules when an exception is recorded with its approver
(``agency_exception_approved_by``), as the guidance allows only in exceptional circumstances;
the answer still shows which rule the exception covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from config import Settings


@dataclass(frozen=True)
class AgencyFacts:
    """What the rules read about one agency worker (a staff row's columns)."""

    role: str
    start_date: date
    qualified_date: date | None = None
    agency_reference: bool | None = None
    agency_notice_weeks: int | None = None
    agency_hourly_rate: float | None = None
    left_permanent_post: date | None = None
    agency_exception_approved_by: str | None = None


@dataclass(frozen=True)
class AgencyCheck:
    """Which rules a worker breaks, which facts are missing, and any approved exception."""

    breaches: tuple[str, ...]
    not_recorded: tuple[str, ...]
    exception_approved_by: str | None
    recorded: bool  # any agency rule fact recorded for the worker at all

    @property
    def outside_rules(self) -> bool:
        """Breaks a rule with no recorded exception: what the digest counts and alerts raise."""
        return bool(self.breaches) and not self.exception_approved_by


def check_agency_worker(facts: AgencyFacts, settings: Settings) -> AgencyCheck:
    """Every agency rule for one worker (see the module docstring for the boundaries)."""
    breaches: list[str] = []
    missing: list[str] = []
    if facts.qualified_date is None:
        missing.append("qualified_date")
    else:
        enough = facts.qualified_date + relativedelta(years=settings.agency_min_pqe_years)
        if facts.start_date < enough:
            breaches.append(f"under {settings.agency_min_pqe_years} years' post-qualifying "
                            "experience")
    if facts.agency_reference is None:
        missing.append("agency_reference")
    elif not facts.agency_reference:
        breaches.append("no practice-based reference")
    if facts.agency_notice_weeks is None:
        missing.append("agency_notice_weeks")
    elif facts.agency_notice_weeks > settings.agency_max_notice_weeks:
        breaches.append(f"notice {facts.agency_notice_weeks} weeks, over "
                        f"{settings.agency_max_notice_weeks}")
    cap = settings.agency_rate_caps_by_job.get(facts.role)
    if facts.agency_hourly_rate is None:
        missing.append("agency_hourly_rate")
    elif cap is not None and facts.agency_hourly_rate > cap:
        breaches.append(f"£{facts.agency_hourly_rate:.2f} an hour, over the £{cap:.2f} cap for "
                        f"{facts.role.replace('_', ' ')}")
    if facts.left_permanent_post is not None:
        cool_off_ends = facts.left_permanent_post + relativedelta(
            months=settings.agency_cool_off_months)
        if facts.left_permanent_post <= facts.start_date < cool_off_ends:
            breaches.append(f"engaged within {settings.agency_cool_off_months} months of "
                            "leaving a permanent post")
    approver = (facts.agency_exception_approved_by or "").strip() or None
    recorded = len(missing) < 4 or facts.left_permanent_post is not None or approver is not None
    return AgencyCheck(tuple(breaches), tuple(missing), approver, recorded)


__all__ = ["AgencyCheck", "AgencyFacts", "check_agency_worker"]
