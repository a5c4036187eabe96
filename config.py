"""Every setting and rule number, read once from the environment (and `.env`).

The rule defaults are SPEC section 4's; README quotes this file rather than repeating numbers, so
there is one source for each. A council changes a number by setting the environment variable of
the same name in upper case (e.g. ``CASELOAD_CAP_PER_FTE=16``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from dotenv import load_dotenv


@dataclass(frozen=True)
class Settings:
    # Store and platform
    database_url: str = "sqlite:///caseload.db"
    # Migrations run as the tables' owner; the bot itself may use a least-privilege role
    # (`bot.py db grant`). Blank: the same as DATABASE_URL.
    migration_database_url: str = ""
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"
    teams_app_id: str = ""
    teams_app_password: str = ""
    teams_tenant_id: str = ""
    port: int = 3000
    bot_timezone: str = "Europe/London"
    digest_cron: str = "mon 08:00"
    digest_misfire_grace_hours: int = 12

    # Caseload rules
    caseload_cap_per_fte: float = 18.0
    span_of_control_max: int = 8

    # NQSW protected year (ASYE)
    nqsw_protected_months: int = 12
    nqsw_max_months: int = 24
    nqsw_cap_ratio: float = 0.9
    nqsw_development_time_ratio: float = 0.1
    nqsw_review_months: tuple[int, ...] = (3, 6, 9, 12)
    nqsw_weekly_supervision_weeks: int = 6
    nqsw_fortnightly_supervision_until_month: int = 6

    # Supervision and visits
    supervision_interval_days: int = 28
    cp_visit_working_days: int = 10
    cin_visit_working_days: int = 20
    lac_first_visit_days: int = 7
    lac_first_year_visit_weeks: int = 6
    lac_long_term_visit_months: int = 3

    # England's latest published figures (DfE children's social work workforce census, 2025)
    england_caseload_per_fte: float = 15.2
    england_turnover_pct: float = 11.8
    england_agency_pct: float = 13.0
    england_vacancy_pct: float = 14.2

    # Performance report (SPEC section 11). TARGETS: the council's own targets, FIGURE=NUMBER
    # separated by commas, e.g. "agency_pct=10,caseload_per_fte=16" (figure names in README).
    targets: str = ""
    # Amber: worse than the target by at most this % of it; further off is red.
    report_amber_margin_pct: float = 10.0
    report_months: int = 12
    # A month end with no snapshot that day takes the latest one up to this many days before.
    report_snapshot_max_age_days: int = 3
    # The daily snapshot of the figures history cannot rebuild (HH:MM, BOT_TIMEZONE).
    snapshot_time: str = "23:30"
    # Each head of service gets their report by DM on the first working day of the month.
    report_monthly: bool = False
    report_monthly_time: str = "08:00"
    # Teams users get their report through a link to the bot's own web server, valid this long.
    report_link_minutes: int = 15
    # The bot's public base URL (https://caseload-bot.council.example), for those links.
    public_url: str = ""

    # Answers
    max_rows_in_chat: int = 40
    actions_due_soon_days: int = 14

    @property
    def target_values(self) -> dict[str, float]:
        """TARGETS as {figure: number}; a malformed entry is an error, not silently ignored."""
        found: dict[str, float] = {}
        for part in self.targets.replace(";", ",").split(","):
            if not part.strip():
                continue
            name, _, number = part.partition("=")
            try:
                found[name.strip().lower()] = float(number)
            except ValueError:
                raise ValueError(f"TARGETS entry {part.strip()!r} is not FIGURE=NUMBER") from None
        return found

    @property
    def migration_url(self) -> str:
        """Where `db upgrade` and start-up migrations connect: the owner's URL if set."""
        return self.migration_database_url or self.database_url

    @property
    def slack_api_base_url(self) -> str:
        """slack_sdk joins method names onto the base URL, so it must end with a slash."""
        url = self.slack_api_url or "https://slack.com/api/"
        return url if url.endswith("/") else url + "/"

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_enabled(self) -> bool:
        return bool(self.teams_app_id and self.teams_app_password)


def _coerce(raw: str, example: object) -> object:
    """Turn an environment string into the type of the default it replaces."""
    if isinstance(example, bool):
        return raw.strip().lower() in {"1", "true", "yes", "y", "on"}
    if isinstance(example, int):
        return int(raw)
    if isinstance(example, float):
        return float(raw)
    if isinstance(example, tuple):
        return tuple(int(part) for part in raw.replace(" ", "").split(",") if part)
    return raw


def settings_from(environ: dict[str, str]) -> Settings:
    """Build settings from a mapping, so tests can pass their own without touching os.environ."""
    defaults = Settings()
    overrides: dict[str, object] = {}
    for setting in fields(Settings):
        raw = environ.get(setting.name.upper())
        if raw is None or raw == "":
            continue
        try:
            overrides[setting.name] = _coerce(raw, getattr(defaults, setting.name))
        except ValueError as bad:
            raise ValueError(f"{setting.name.upper()}={raw!r} is not a valid value: {bad}") from None
    return Settings(**overrides)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings: `.env` first loaded (without overriding real environment)."""
    load_dotenv(override=False)
    return settings_from(dict(os.environ))


def reset_settings_cache() -> None:
    get_settings.cache_clear()


__all__ = ["Settings", "get_settings", "local_today", "settings_from", "reset_settings_cache"]


def local_today(settings: Settings) -> date:
    """Today where the council is (Europe/London by default), not where the server is."""
    return datetime.now(ZoneInfo(settings.bot_timezone)).date()
