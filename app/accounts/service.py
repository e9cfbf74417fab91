"""Sign-up, log-in and server-side sessions. Knows nothing of HTTP."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError

from app.accounts.models import Session, User
from app.errors import Conflict, InvalidInput, NotAuthenticated

logger = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"^[a-z0-9_]{3,30}$")
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
SESSION_LIFETIME = timedelta(days=30)

_hasher = PasswordHasher()
# Verifying against this keeps unknown-user log-ins as slow as wrong-password ones.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class SessionInfo:
    user: User
    session_id: str


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validate_username(username: str) -> str:
    if not USERNAME_RE.fullmatch(username):
        raise InvalidInput(
            "Usernames are 3 to 30 characters: lower-case letters a-z, digits and underscore."
        )
    return username


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"Passwords need at least {MIN_PASSWORD_CHARS} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"Passwords can be at most {MAX_PASSWORD_CHARS} characters.")
    return password


async def sign_up(username: str, password: str) -> User:
    """Create an account; usernames are unique ignoring case."""
    username = validate_username(username.strip())
    validate_password(password)
    key = username.lower()

    if await User.filter(username_key=key).exists():
        raise Conflict(f"The username {username!r} is taken. Try another one.")

    try:
        user = await User.create(
            username=username, username_key=key, password_hash=_hasher.hash(password)
        )
    except IntegrityError as exc:
        # Two sign-ups raced for the same name; the unique index decided.
        raise Conflict(f"The username {username!r} is taken. Try another one.") from exc

    logger.info("user signed up user_id=%s username=%s", user.id, username)
    return user


async def authenticate(username: str, password: str) -> User:
    user = await User.get_or_none(username_key=username.strip().lower())
    stored = user.password_hash if user else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        user = None

    if user is None:
        raise NotAuthenticated("That username and password do not match an account.")

    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        await user.save(update_fields=["password_hash"])
    return user


async def open_session(user: User) -> str:
    """Start a session; returns the token for the cookie (only its digest is stored)."""
    token = secrets.token_urlsafe(32)
    await Session.create(
        id=_token_digest(token),
        user=user,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=datetime.now(UTC) + SESSION_LIFETIME,
    )
    logger.info("session opened user_id=%s", user.id)
    return token


async def resolve_session(token: str | None) -> SessionInfo | None:
    """The live session for a cookie token, or None."""
    if not token or len(token) > 100:
        return None
    session = await Session.get_or_none(id=_token_digest(token)).select_related("user")
    if session is None:
        return None
    if session.expires_at <= datetime.now(UTC):
        await session.delete()
        return None
    return SessionInfo(user=session.user, session_id=session.id)


async def close_session(token: str | None) -> None:
    if token:
        await Session.filter(id=_token_digest(token)).delete()
