"""Every rule number is configuration: SPEC defaults, overridden by the environment."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from config import Settings, settings_from


def test_defaults_are_the_spec_numbers() -> None:
    settings = Settings()
    assert settings.caseload_cap_per_fte == 18
    assert settings.nqsw_cap_ratio == 0.9
    assert settings.supervision_interval_days == 28
    assert settings.cp_visit_working_days == 10
    assert settings.cin_visit_working_days == 20
    assert settings.span_of_control_max == 8
    assert settings.database_url == "sqlite:///caseload.db"
    assert settings.bot_timezone == "Europe/London"


def test_environment_overrides_rule_numbers() -> None:
    settings = settings_from({"CASELOAD_CAP_PER_FTE": "16", "NQSW_REVIEW_MONTHS": "4,8,12",
                              "SUPERVISION_INTERVAL_DAYS": "21"})
    assert settings.caseload_cap_per_fte == 16.0
    assert settings.nqsw_review_months == (4, 8, 12)
    assert settings.supervision_interval_days == 21


def test_a_bad_number_names_the_variable() -> None:
    with pytest.raises(ValueError, match="CASELOAD_CAP_PER_FTE"):
        settings_from({"CASELOAD_CAP_PER_FTE": "eighteen"})


def test_env_example_lists_every_setting() -> None:
    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text()
    named = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.M))
    missing = {setting.name.upper() for setting in fields(Settings)} - named
    assert not missing, f".env.example does not mention {sorted(missing)}"


def test_slack_api_url_gets_the_trailing_slash_slack_sdk_needs() -> None:
    assert settings_from({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_base_url == (
        "http://127.0.0.1:9/api/")
    assert Settings().slack_api_base_url == "https://slack.com/api/"
