"""Caseworker accounts: users, password checks with lockout, and sign-in sessions.

Passwords are hashed with Argon2id (argon2-cffi defaults). A session is a random
token in an HttpOnly cookie; the database keeps only its SHA-256, so a copy of
the database does not let anyone sign in. Each session has its own CSRF token.
The web app (``bot.app``) and ``bot users`` both work through this class.

Sign-in failures are counted atomically: each attempt first reserves its turn with
one ``UPDATE ... RETURNING`` (SQLite and PostgreSQL alike), and only the first
``max_failures`` turns are checked against the password; a guess beyond them is
refused without a check, however many arrive at once. Unknown, disabled, wrong and
locked accounts cost the same time (a hash is verified in every case) and give the
same outcome to the caller. User names are unique whatever their case (``name_key``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import BotError
from bot.store.audit_source import current_address
from bot.store.db import Database
from bot.store.models import AuditEntry, User, WebSession, name_key, utcnow

# The roles, lowest first: each can do what the ones before it can.
ROLES = ("caseworker", "editor", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD = 12

_hasher = PasswordHasher()
# Argon2id takes 64 MiB a check: never more than this many at once, whatever the load.
_checks = threading.BoundedSemaphore(4)


def clean_name(name: str) -> str:
    """A new user name as stored (NFKC, stripped), or ``AccountError``."""
    cleaned = unicodedata.normalize("NFKC", name).strip()
    if not NAME_RE.fullmatch(cleaned):
        raise AccountError(
            f"invalid user name {name!r}: 2 to 64 letters, digits, '.', '_', '@' or '-'"
        )
    return cleaned


@cache
def _dummy_hash() -> str:
    """Verifying against this when the name is unknown takes as long as for a real user."""
    return _hasher.hash(secrets.token_hex(16))


class AccountError(BotError):
    """A user cannot be created or changed (bad name, role or password)."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str

    def can(self, role: str) -> bool:
        """True when this account has ``role`` or a higher one."""
        return RANK[self.role] >= RANK[role]


@dataclass(frozen=True)
class SignedIn:
    account: Account
    csrf_token: str


@dataclass(frozen=True)
class LoginResult:
    """The account when the password was right; otherwise why not (for the audit log only:
    the person signing in is told the same thing in every case)."""

    account: Account | None
    locked: bool = False  # locked now, or by this attempt
    known: bool = False  # the name is an active account
    locked_now: bool = False  # this attempt locked it


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


class Accounts:
    def __init__(
        self,
        db: Database,
        *,
        session_hours: float = 12,
        idle_minutes: float = 60,
        max_failures: int = 5,
        lockout_minutes: float = 15,
    ) -> None:
        self.db = db
        self.session_length = timedelta(hours=session_hours)
        self.idle = timedelta(minutes=idle_minutes)
        self.max_failures = max_failures
        self.lockout = timedelta(minutes=lockout_minutes)

    # Users.

    def add(self, name: str, role: str, password: str) -> Account:
        name = clean_name(name)
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
        check_password_rules(password)
        clash = AccountError(f"a user named {name!r} exists already (names ignore case)")
        try:
            with self.db.session() as s:
                if s.scalar(select(User).where(User.name_key == name_key(name))) is not None:
                    raise clash
                user = User(name=name, name_key=name_key(name), role=role,
                            password_hash=_hasher.hash(password))
                s.add(user)
                s.flush()
                return Account(user.id, user.name, user.role)
        except IntegrityError:  # added at the same moment by someone else
            raise clash from None

    def users(self) -> list[User]:
        with self.db.session() as s:
            return list(s.scalars(select(User).order_by(User.name)))

    def get(self, name: str) -> User | None:
        with self.db.session() as s:
            return s.scalar(select(User).where(User.name_key == name_key(name)))

    def set_password(self, name: str, password: str) -> None:
        check_password_rules(password)
        with self.db.session() as s:
            user = self._require(s, name)
            user.password_hash = _hasher.hash(password)
            user.failed_logins, user.locked_until = 0, None
            s.execute(delete(WebSession).where(WebSession.user_id == user.id))

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
        with self.db.session() as s:
            self._require(s, name).role = role

    def set_active(self, name: str, active: bool) -> None:
        with self.db.session() as s:
            user = self._require(s, name)
            user.active = active
            if not active:
                s.execute(delete(WebSession).where(WebSession.user_id == user.id))

    def unlock(self, name: str) -> None:
        with self.db.session() as s:
            user = self._require(s, name)
            user.failed_logins, user.locked_until = 0, None

    @staticmethod
    def _require(s: Session, name: str) -> User:
        user = s.scalar(select(User).where(User.name_key == name_key(name)))
        if user is None:
            raise AccountError(f"no user named {name!r}")
        return user

    # Signing in.

    def login(self, name: str, password: str, now: datetime | None = None) -> LoginResult:
        """Check a password; ``max_failures`` failures in a row lock the account for a while.

        The turn is reserved before the slow check, so parallel guesses cannot all be
        checked against the same count: the guess after the last allowed one finds the
        account locked, and every later one too until the lock ends.
        """
        now = now or utcnow()
        turn = self._reserve(name_key(name), now)
        if turn is None:  # unknown, disabled or locked: the same cost as a real check
            _verify(_dummy_hash(), password)
            return LoginResult(None, locked=self._is_locked(name_key(name), now))
        user_id, user_name, role, password_hash, count = turn
        if count > self.max_failures:  # past the allowed checks: lock, do not check
            _verify(_dummy_hash(), password)
            return LoginResult(None, locked=True, known=True,
                               locked_now=self._lock(user_id, user_name, now))
        if not _verify(password_hash, password):
            locked_now = count >= self.max_failures and self._lock(user_id, user_name, now)
            return LoginResult(None, locked=count >= self.max_failures, known=True,
                               locked_now=locked_now)
        values: dict[str, object] = {"failed_logins": 0, "locked_until": None,
                                     "last_login_at": now}
        if _hasher.check_needs_rehash(password_hash):
            values["password_hash"] = _hasher.hash(password)
        with self.db.session() as s:
            s.execute(update(User).where(User.id == user_id).values(**values))
        return LoginResult(Account(user_id, user_name, role), known=True)

    def _reserve(self, key: str, now: datetime) -> tuple[int, str, str, str, int] | None:
        """Count one more attempt, atomically; None when the account is unknown, disabled
        or locked. The count returned is this attempt's turn since the last success."""
        with self.db.session() as s:
            row = s.execute(
                update(User)
                .where(User.name_key == key, User.active.is_(True),
                       or_(User.locked_until.is_(None), User.locked_until <= now))
                .values(failed_logins=User.failed_logins + 1)
                .returning(User.id, User.name, User.role, User.password_hash,
                           User.failed_logins)
            ).first()
        if row is None:
            return None
        return int(row[0]), str(row[1]), str(row[2]), str(row[3]), int(row[4])

    def _lock(self, user_id: int, user_name: str, now: datetime) -> bool:
        """Lock the account (unless already locked); True when this call locked it."""
        with self.db.session() as s:
            changed = s.execute(
                update(User)
                .where(User.id == user_id,
                       or_(User.locked_until.is_(None), User.locked_until <= now))
                .values(locked_until=now + self.lockout, failed_logins=0)
            ).rowcount  # type: ignore[attr-defined]
            if changed:
                s.add(AuditEntry(user_id=user_id, user_name=user_name, action="locked",
                                 address=current_address()))
        return bool(changed)

    def _is_locked(self, key: str, now: datetime) -> bool:
        with self.db.session() as s:
            until = s.scalar(select(User.locked_until).where(User.name_key == key))
        return until is not None and until > now

    def start_session(self, account: Account, now: datetime | None = None) -> tuple[str, str]:
        """A new session: the cookie token and the CSRF token."""
        now = now or utcnow()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.db.session() as s:
            s.execute(delete(WebSession).where(WebSession.expires_at < now))
            s.add(WebSession(token_hash=_token_hash(token), user_id=account.id, csrf_token=csrf,
                             created_at=now, last_seen_at=now,
                             expires_at=now + self.session_length))
        return token, csrf

    def session(self, token: str | None, now: datetime | None = None) -> SignedIn | None:
        """The signed-in user behind a cookie token, or None (expired, idle, unknown)."""
        if not token:
            return None
        now = now or utcnow()
        with self.db.session() as s:
            row = s.get(WebSession, _token_hash(token))
            if row is None:
                return None
            if row.expires_at <= now or now - row.last_seen_at > self.idle:
                s.delete(row)
                return None
            user = s.get(User, row.user_id)
            if user is None or not user.active:
                s.delete(row)
                return None
            if now - row.last_seen_at > timedelta(seconds=30):
                row.last_seen_at = now
            return SignedIn(Account(user.id, user.name, user.role), row.csrf_token)

    def end_session(self, token: str | None) -> None:
        if token:
            with self.db.session() as s:
                s.execute(delete(WebSession).where(WebSession.token_hash == _token_hash(token)))

    # The audit log.

    def audit(self, account: Account | None, action: str, target: str | None = None,
              name: str | None = None, address: str | None = None) -> None:
        """Record who did what, and from where (``address``: by default the one of the
        request or command being served, ``bot.store.audit_source``)."""
        with self.db.session() as s:
            s.add(AuditEntry(user_id=account.id if account else None,
                             user_name=account.name if account else (name or "?"),
                             action=action, target=target,
                             address=(address or current_address() or None)))

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        with self.db.session() as s:
            return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


def _verify(password_hash: str, password: str) -> bool:
    with _checks:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
