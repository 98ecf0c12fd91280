"""Settings of the Twilio channel: the development switch never outside development."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings
from bot.errors import ConfigError

KEY = "Zq7-vK2m_Tr9xLp4Wn8bYc3Hd6Fj1Gs5"  # strong enough for production
TOKEN = "0123456789abcdef" * 2


def test_turning_off_signature_checks_is_refused_in_production() -> None:
    with pytest.raises(ConfigError, match="BOT_TWILIO_VALIDATE"):
        Settings(_env_file=None, env="production", sender_hash_key=KEY, twilio_validate=False)


def test_turning_off_signature_checks_in_development_warns_loudly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        Settings(_env_file=None, twilio_validate=False)
    assert "NOT checked" in caplog.text


def test_production_with_twilio_needs_the_public_url() -> None:
    with pytest.raises(ConfigError, match="BOT_PUBLIC_BASE_URL"):
        Settings(_env_file=None, env="production", sender_hash_key=KEY,
                 twilio_auth_token=TOKEN)
    Settings(_env_file=None, env="production", sender_hash_key=KEY, twilio_auth_token=TOKEN,
             public_base_url="https://bot.example.org")


def test_retention_defaults_to_thirty_days() -> None:
    assert Settings(_env_file=None).retention_days == 30
