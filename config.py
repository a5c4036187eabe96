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
    #: The bot's own Slack workspace; blank: the team id auth.test reports for the bot token.
    slack_team_id: str = ""
    slack_api_url: str = "https://slack.com/api/"
    #: Slack's rule: a request signed longer ago than this is refused as a possible replay.
    slack_request_max_age_seconds: int = 300
    teams_app_id: str = ""
    teams_app_password: str = ""
    teams_tenant_id: str = ""
    port: int = 3000
    #: Where `serve` listens. Blank: 127.0.0.1 in Teams' anonymous local mode (no chat credential
    #: set: this machine only), 0.0.0.0 otherwise (real credentials: Slack or Teams must reach it).
    host: str = ""
    #: Slack's payloads are a few kilobytes: a body past this is refused (413) as it is read,
    #: whatever its transfer encoding, on every route.
    max_request_body_bytes: int = 1_000_000
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

    # Answers
    max_rows_in_chat: int = 40
    actions_due_soon_days: int = 14

    # Daily reminders (SPEC section 10): REMIND_CRON as DIGEST_CRON is read, in BOT_TIMEZONE;
    # never on a weekend or an England and Wales bank holiday, whatever the cron says.
    #: False stops the scheduled reminders for everyone (`bot.py remind` still runs by hand).
    remind_enabled: bool = True
    remind_cron: str = "mon-fri 08:30"
    #: Visits due within this many working days (or overdue) are in the reminder.
    remind_days_ahead: int = 3
    #: Actions due within this many calendar days (or overdue) are in the reminder.
    remind_actions_days_ahead: int = 7
    #: Months (1-12) in which registration and CPD are in the reminder: renewal season.
    remind_cpd_months: tuple[int, ...] = (9, 10, 11)
    #: Reminder messages sent per second, all platforms together (Slack's chat.postMessage
    #: allows about one a second for sustained posting); 0 sends without pausing.
    remind_sends_per_second: float = 1.0
    #: `/remind at HH:MM` must fall within these working hours.
    remind_earliest: str = "07:00"
    remind_latest: str = "18:00"
    #: How often people with their own reminder time (and any run missed while the bot was
    #: down) are checked: their reminder goes at the first check at or after their time.
    remind_check_minutes: int = 15

    # Breach alerts after each import (SPEC section 10)
    unallocated_alert_days: int = 5

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

    @property
    def slack_settings_given(self) -> list[str]:
        """The Slack settings set, by their environment names (an incomplete set is an error)."""
        return [name.upper() for name in SLACK_CREDENTIAL_SETTINGS if getattr(self, name)]

    @property
    def teams_settings_given(self) -> list[str]:
        return [name.upper() for name in TEAMS_CREDENTIAL_SETTINGS if getattr(self, name)]

    @property
    def teams_anonymous(self) -> bool:
        """Teams' anonymous local mode (no token checked, this machine only) is for when no chat
        credential of any kind is set: never a fallback for a half-configured deployment."""
        return not (self.slack_settings_given or self.teams_settings_given)

    @property
    def listen_host(self) -> str:
        """HOST, else loopback in anonymous mode (this machine only) and every interface when real
        credentials are set (Slack's or Teams' servers must reach the bot)."""
        return self.host or ("127.0.0.1" if self.teams_anonymous else "0.0.0.0")


#: Settings that switch a chat front end on: any one set means that front end is meant to run.
SLACK_CREDENTIAL_SETTINGS = ("slack_bot_token", "slack_signing_secret", "slack_app_token",
                             "slack_team_id")
TEAMS_CREDENTIAL_SETTINGS = ("teams_app_id", "teams_app_password", "teams_tenant_id")


class ChatSettingsError(ValueError):
    """A chat front end is half configured: `serve` stops at start, naming the missing setting."""


def check_chat_settings(settings: Settings) -> None:
    """Refuse to start with an incomplete Slack or Teams configuration, rather than quietly
    serving without that front end (or, worse, in Teams' anonymous mode)."""
    given = settings.slack_settings_given
    if given and not settings.slack_bot_token:
        raise ChatSettingsError(f"{', '.join(given)} set but SLACK_BOT_TOKEN is not: set the bot "
                                "token (xoxb-…) of the app installed in your workspace.")
    if given and not settings.slack_app_token and not settings.slack_signing_secret:
        raise ChatSettingsError(
            "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: HTTP mode needs the app's "
            "signing secret to verify Slack's requests (or set SLACK_APP_TOKEN for Socket Mode).")
    teams_given = settings.teams_settings_given
    if teams_given and not settings.teams_app_id:
        raise ChatSettingsError(f"{', '.join(teams_given)} set but TEAMS_APP_ID is not: set the "
                                "Azure Bot's Microsoft App ID too, or none of the three.")


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


__all__ = ["ChatSettingsError", "Settings", "check_chat_settings", "get_settings", "local_today",
           "settings_from", "reset_settings_cache"]


def local_today(settings: Settings) -> date:
    """Today where the council is (Europe/London by default), not where the server is."""
    return datetime.now(ZoneInfo(settings.bot_timezone)).date()
