"""Caseworker accounts: users, password checks with lockout, and sign-in sessions.

Passwords are hashed with Argon2id (argon2-cffi defaults). A session is a random
token in an HttpOnly cookie; the database keeps only its SHA-256, so a copy of
the database does not let anyone sign in. Each session has its own CSRF token.
The web app (``bot.app``) and ``bot users`` both work through this class.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import BotError
from bot.store.db import Database
from bot.store.models import AuditEntry, User, WebSession, utcnow

# The roles, lowest first: each can do what the ones before it can.
ROLES = ("caseworker", "editor", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD = 12

_hasher = PasswordHasher()


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
    account: Account | None
    locked: bool = False


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
        if not NAME_RE.match(name):
            raise AccountError(
                f"invalid user name {name!r}: 2 to 64 letters, digits, '.', '_', '@' or '-'"
            )
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
        check_password_rules(password)
        with self.db.session() as s:
            if s.scalar(select(User).where(User.name == name)) is not None:
                raise AccountError(f"a user named {name!r} exists already")
            user = User(name=name, role=role, password_hash=_hasher.hash(password))
            s.add(user)
            s.flush()
            return Account(user.id, user.name, user.role)

    def users(self) -> list[User]:
        with self.db.session() as s:
            return list(s.scalars(select(User).order_by(User.name)))

    def get(self, name: str) -> User | None:
        with self.db.session() as s:
            return s.scalar(select(User).where(User.name == name))

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
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise AccountError(f"no user named {name!r}")
        return user

    # Signing in.

    def login(self, name: str, password: str, now: datetime | None = None) -> LoginResult:
        """Check a password; repeated failures lock the account for a while."""
        now = now or utcnow()
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.name == name))
            if user is None or not user.active:
                _verify(_dummy_hash(), password)
                return LoginResult(None)
            if user.locked_until is not None and user.locked_until > now:
                return LoginResult(None, locked=True)
            if not _verify(user.password_hash, password):
                user.failed_logins += 1
                if user.failed_logins >= self.max_failures:
                    user.locked_until = now + self.lockout
                    user.failed_logins = 0
                    s.add(AuditEntry(user_id=user.id, user_name=user.name, action="locked"))
                    return LoginResult(None, locked=True)
                return LoginResult(None)
            user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            return LoginResult(Account(user.id, user.name, user.role))

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
              name: str | None = None) -> None:
        with self.db.session() as s:
            s.add(AuditEntry(user_id=account.id if account else None,
                             user_name=account.name if account else (name or "?"),
                             action=action, target=target))

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        with self.db.session() as s:
            return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
