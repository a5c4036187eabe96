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
    #: Digest charts as Slack's data visualisation block (the PNG where a workspace refuses it).
    slack_chart_blocks: bool = True
    teams_app_id: str = ""
    teams_app_password: str = ""
    teams_tenant_id: str = ""
    #: The bot's own HTTPS address as Teams reaches it (e.g. https://caseload.council.gov.uk):
    #: digest charts are linked from there, never sent as data: URIs.
    public_base_url: str = ""
    #: The key signing chart links (HMAC-SHA256); blank: one derived from TEAMS_APP_PASSWORD.
    chart_link_secret: str = ""
    #: How long a chart link works: long enough for the week's readers, then refused.
    chart_link_hours: int = 72
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
    #: A digest delivery claimed longer ago than this with no result belongs to a process that
    #: died mid-post: the next run may take it over (after looking for what it already posted).
    digest_delivery_lease_minutes: int = 10
    #: Before posting a digest again, a retry reads back this many of the destination's recent
    #: messages at most, from the first claim less the margin (Slack's clock is not ours).
    digest_history_max_messages: int = 1000
    digest_history_margin_minutes: int = 5

    # Store timeouts (SPEC section 8, fast failure): a hung or locked store must give a waiting
    # user the plain message within 10 s, so pool wait + connect + the answer's statements are
    # each bounded and together stay under it (see `store_answer_budget_seconds`).
    store_pool_size: int = 10
    store_max_overflow: int = 10
    store_pool_timeout_seconds: float = 2.0
    store_connect_timeout_seconds: int = 2  # libpq's minimum is 2
    store_statement_timeout_seconds: float = 3.0
    #: TCP keepalives and tcp_user_timeout: a PostgreSQL socket whose packets are dropped
    #: mid-query is given up after about this long (jobs, which have no answer deadline).
    store_tcp_timeout_seconds: int = 10
    health_store_timeout_seconds: float = 3.0
    #: Audit entries of requests that failed while the store was down, kept in memory until it
    #: is back; beyond this many the oldest are logged (without their text) and dropped.
    audit_spool_max_entries: int = 10_000

    # Fresh data: the nightly ingest of an extract folder, and when answers call data stale
    import_dir: str = ""  # blank: no nightly ingest
    import_cron: str = "06:00"  # every day, in BOT_TIMEZONE (or a 5-field crontab)
    stale_after_hours: int = 36
    status_history_days: int = 30  # how far back /caseload status lists refusals

    # Caseload rules
    caseload_cap_per_fte: float = 18.0
    span_of_control_max: int = 8
    # Weighted caseloads (optional points schemes): "CP=1.5,CIN=1,...", and the points cap per
    # 1.0 FTE. Both must be set for points to be shown and used; blank/0 leaves them off.
    case_weights: str = ""
    weighted_cap_per_fte: float = 0.0

    # NQSW protected year (ASYE)
    nqsw_protected_months: int = 12
    nqsw_max_months: int = 24
    nqsw_cap_ratio: float = 0.9
    nqsw_development_time_ratio: float = 0.1
    nqsw_review_months: tuple[int, ...] = (3, 6, 9, 12)
    nqsw_weekly_supervision_weeks: int = 6
    nqsw_fortnightly_supervision_until_month: int = 6
    # Local policy (Wirral-style, not national): may an ASYE worker lead a CP case?
    nqsw_cp_lead_allowed: bool = False

    # The two-year Early Career Development Programme (DfE), replacing the ASYE from September
    # 2027. Its caseload rules are not yet published, so every number is a setting; the
    # defaults are SPEC section 4's. Lists are one value per programme year.
    ecdp_from: date = date(2027, 9, 1)  # a blank programme is ECDP for starts on or after this
    ecdp_months: int = 24
    ecdp_max_months: int = 36
    ecdp_cap_pct_by_year: tuple[float, ...] = (90.0, 95.0)
    ecdp_cp_lead_allowed_by_year: tuple[bool, ...] = (False, False)  # year 2: co-work only
    ecdp_development_time_ratio: float = 0.1
    ecdp_review_months: tuple[int, ...] = (3, 6, 9, 12, 18, 24)

    # Agency child and family social workers: DfE statutory guidance (in force 31 October 2024)
    agency_min_pqe_years: int = 3
    agency_max_notice_weeks: int = 4
    agency_cool_off_months: int = 3
    # The region's hourly price caps by job (role), "job=pounds,...": councils set their own.
    agency_rate_caps: str = ("social_worker=45.00,senior_practitioner=48.00,"
                             "advanced_practitioner=52.00,team_manager=55.00")
    # The DfE's quarterly agency data return (the statutory guidance's data collection): the
    # days in the year it is due, MM-DD. DfE sets each quarter's window in its operational
    # guidance; the default is a month after each quarter ends. Shown with /staffing agency,
    # the staffing digest and the census summary, marked due soon within the remind days.
    agency_return_dates: tuple[str, ...] = ("01-31", "04-30", "07-31", "10-31")
    agency_return_remind_days: int = 14

    # Social Work England registration: the year starts 1 December; renewal opens 1 September;
    # at risk from 1 November; at least 2 CPD records, one with a peer reflection.
    swe_registration_year_start_month: int = 12
    swe_renewal_opens_month: int = 9
    swe_at_risk_month: int = 11
    swe_cpd_min_records: int = 2

    # Supervision and visits
    supervision_interval_days: int = 28
    cp_visit_working_days: int = 10
    cin_visit_working_days: int = 20
    lac_first_visit_days: int = 7
    lac_first_year_visit_weeks: int = 6
    lac_long_term_visit_months: int = 3
    # Reg 28's other branches (Care Planning, Placement and Case Review (England) Regs 2010):
    # weekly until the first review (reg 33: within 20 working days of becoming looked after),
    # then every 6 weeks (reg 28(3), placed with a parent before assessment, reg 19) or every
    # 4 weeks (reg 28(4): connected person, reg 24; with a parent under an interim care order);
    # with a parent under a care order, within a week of the order then every 6 weeks (28(5)).
    lac_first_review_working_days: int = 20
    lac_until_first_review_visit_days: int = 7
    lac_before_assessment_visit_weeks: int = 6
    lac_connected_or_ico_visit_weeks: int = 4
    lac_care_order_parent_visit_weeks: int = 6

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
    # ...and the monthly report's link (sent unattended, so read days later), this many days.
    report_monthly_link_days: int = 7
    # (PUBLIC_BASE_URL, the bot's public HTTPS address, is the one setting for these links and
    # for the Teams digest charts.)

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

    # Imports: a junk file's problems are counted, not all printed (--report FILE has them all)
    import_problems_shown: int = 100
    import_problem_value_chars: int = 80  # a cell's value quoted in a problem is cut to this
    import_problem_text_chars: int = 300  # a problem's column and reason are cut to this
    import_batch_rows: int = 5000  # rows validated, then written, at a time (memory stays flat)
    import_max_line_chars: int = 1_000_000  # a longer CSV line is refused: not really a CSV

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
    def store_answer_budget_seconds(self) -> float:
        """How long one answer may spend on the store before it is cut off: a pool wait, a
        connection and the statements, each at their own timeout."""
        return (self.store_pool_timeout_seconds + self.store_connect_timeout_seconds
                + self.store_statement_timeout_seconds)

    @property
    def case_weights_by_type(self) -> dict[str, float]:
        """CASE_WEIGHTS as {case type: points}; empty when weighting is off."""
        if not self.weighted:
            return {}
        return {case_type.upper(): points
                for case_type, points in parse_mapping(self.case_weights).items()}

    @property
    def weighted(self) -> bool:
        """Points are shown and used only when both CASE_WEIGHTS and WEIGHTED_CAP_PER_FTE are."""
        return bool(self.case_weights.strip()) and self.weighted_cap_per_fte > 0

    def __post_init__(self) -> None:
        # A mistyped return date must stop the bot at start-up, not hide the reminder later.
        self.agency_return_month_days  # noqa: B018

    @property
    def agency_return_month_days(self) -> tuple[tuple[int, int], ...]:
        """AGENCY_RETURN_DATES as sorted (month, day) pairs; ValueError names a bad entry."""
        found = set()
        for entry in self.agency_return_dates:
            month, _, day = entry.strip().partition("-")
            try:
                pair = (int(month), int(day))
                date(2024, *pair)  # a leap year, so 02-29 is allowed (28 Feb in other years)
            except ValueError:
                raise ValueError(f"AGENCY_RETURN_DATES entry {entry!r} is not a day of the "
                                 "year as MM-DD, e.g. 01-31") from None
            found.add(pair)
        return tuple(sorted(found))

    @property
    def agency_rate_caps_by_job(self) -> dict[str, float]:
        """AGENCY_RATE_CAPS as {job: hourly cap in pounds}."""
        return parse_mapping(self.agency_rate_caps)

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


def parse_mapping(raw: str) -> dict[str, float]:
    """"a=1.5,b=2" as {"a": 1.5, "b": 2.0}: the form of the settings that map words to numbers.

    Keys are lower case (case types are upper case where the caller wants them). ValueError
    names the part that could not be read."""
    mapping: dict[str, float] = {}
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        key, separator, value = part.partition("=")
        if not separator or not key:
            raise ValueError(f"{part!r} is not NAME=NUMBER")
        mapping[key.lower()] = float(value)
    return mapping


def _coerce(raw: str, example: object) -> object:
    """Turn an environment string into the type of the default it replaces."""
    if isinstance(example, bool):
        return raw.strip().lower() in {"1", "true", "yes", "y", "on"}
    if isinstance(example, int):
        return int(raw)
    if isinstance(example, float):
        return float(raw)
    if isinstance(example, date):
        return date.fromisoformat(raw.strip())
    if isinstance(example, tuple):
        # The element type is the default's: whole numbers, decimals, yes/no, or words.
        kind = type(example[0]) if example else int
        parts = [part for part in raw.replace(" ", "").split(",") if part]
        if kind is str:
            return tuple(parts)
        return tuple(_coerce(part, kind()) for part in parts)  # type: ignore[misc]
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
           "parse_mapping", "settings_from", "reset_settings_cache"]


def local_today(settings: Settings) -> date:
    """Today where the council is (Europe/London by default), not where the server is."""
    return datetime.now(ZoneInfo(settings.bot_timezone)).date()
