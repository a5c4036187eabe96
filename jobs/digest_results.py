"""The digest result objects: built once per service, drawn by every digest renderer.

Like ``queries.results``, one object goes to the text, Slack (and later Teams) renderers, so the
console preview of a digest and the posted one cannot disagree. They hold figures, not rows from
the store, and carry the numbers they are judged against (the cap, England's figures) so a
renderer never reads settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from queries.agency_return import AgencyReturnDue
from queries.results import ActionRow, Freshness, RegistrationRow, SupervisionRow
from queries.staffing import StaffingFigures


@dataclass(frozen=True)
class EnglandFigures:
    """England's latest published figures (DfE census), shown beside the council's own."""

    caseload_per_fte: float
    turnover_pct: float
    agency_pct: float
    vacancy_pct: float


@dataclass(frozen=True)
class NqswLine:
    """One NQSW in the protected year: where they are, and any broken promise."""

    staff_id: str
    name: str
    team: str
    month: int | None
    open_cases: int
    protected_cap: float
    breaches: tuple[str, ...]
    programme: str = "ASYE"
    month_text: str = ""  # "ECDP year 2, month 14 of 24" (see ProtectionStatus.month_text)

    @property
    def position(self) -> str:
        """"month 4" in the ASYE (as digests always said), the programme year in the ECDP."""
        if not self.month:
            return ""
        return self.month_text if self.programme != "ASYE" and self.month_text \
            else f"month {self.month}"


@dataclass(frozen=True)
class DigestHeader:
    """What every digest says about itself: which service, which week, and whether it is late."""

    kind: str
    service_id: int
    service: str
    as_of: date
    period: str  # ISO week of as_of, e.g. "2026-W48": the exactly-once key's period
    #: When the scheduled run was due, if it is being posted late (after downtime or a retry).
    late_for: datetime | None = None
    #: How fresh the data behind it is (the last accepted import), as on every answer.
    freshness: Freshness | None = None


@dataclass(frozen=True)
class StaffingDigest:
    header: DigestHeader
    total: StaffingFigures
    teams: tuple[StaffingFigures, ...]
    nqsws: tuple[NqswLine, ...]
    cap_per_fte: float
    span_of_control_max: int
    england: EnglandFigures
    agency_return: AgencyReturnDue | None = None  # the DfE quarterly return's next due day

    @property
    def nqsw_breaches(self) -> tuple[NqswLine, ...]:
        return tuple(line for line in self.nqsws if line.breaches)


@dataclass(frozen=True)
class TeamSupervision:
    """Supervision on time in one team (or the service total)."""

    team: str
    people: int
    on_time: int
    nqsws: int
    nqsws_on_time: int

    @property
    def on_time_pct(self) -> float | None:
        return 100 * self.on_time / self.people if self.people else None

    @property
    def nqsw_on_time_pct(self) -> float | None:
        return 100 * self.nqsws_on_time / self.nqsws if self.nqsws else None


@dataclass(frozen=True)
class SupervisionDigest:
    header: DigestHeader
    total: TeamSupervision
    teams: tuple[TeamSupervision, ...]
    overdue: tuple[SupervisionRow, ...]  # most overdue first
    nqsws: tuple[SupervisionRow, ...]  # every NQSW, overdue first: frequency compliance
    interval_days: int
    #: Social Work England registration needing attention (queries.workforce.registration_rows);
    #: shown only where the service records SWE numbers or CPD at all (registration_recorded).
    registration: tuple[RegistrationRow, ...] = ()
    registration_recorded: bool = False


@dataclass(frozen=True)
class CompletedAction:
    plan: str
    ref: str
    action: str
    owner: str
    completed_date: date
    evidence: str | None


@dataclass(frozen=True)
class ActionsDigest:
    header: DigestHeader
    outstanding: int
    overdue: tuple[ActionRow, ...]  # most overdue first
    due_soon: tuple[ActionRow, ...]  # due within `due_soon_days`, soonest first
    completed: tuple[CompletedAction, ...]  # completed in the 7 days ending as_of
    due_soon_days: int


Digest = StaffingDigest | SupervisionDigest | ActionsDigest

DIGEST_TITLES: dict[str, str] = {
    "staffing": "Weekly staffing digest",
    "supervision": "Weekly supervision digest",
    "actions": "Weekly actions digest",
}


def digest_title(digest: Digest) -> str:
    return f"{DIGEST_TITLES[digest.header.kind]} — {digest.header.service}"


__all__ = [
    "ActionsDigest", "CompletedAction", "DIGEST_TITLES", "Digest", "DigestHeader",
    "EnglandFigures", "NqswLine", "StaffingDigest", "SupervisionDigest", "TeamSupervision",
    "digest_title",
]
