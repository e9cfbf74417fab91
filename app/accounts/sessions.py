"""The session cookie and the request dependencies that read it."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import Cookie

from app.accounts.models import User
from app.accounts.service import SESSION_LIFETIME, SessionInfo, resolve_session
from app.errors import NotAuthenticated
from app.settings import get_settings

SESSION_COOKIE = "murmur_session"


def session_cookie(token: str, secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def expired_session_cookie(secure: bool) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value="",
        max_age=0,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


async def provide_session(request: Request) -> SessionInfo | None:
    """The request's session, looked up once and kept on the request."""
    if "session_info" not in request.state:
        request.state.session_info = await resolve_session(request.cookies.get(SESSION_COOKIE))
    return request.state.session_info  # type: ignore[no-any-return]


async def provide_viewer(request: Request) -> User:
    """The logged-in user; anything else is refused before the handler runs."""
    info = await provide_session(request)
    if info is None:
        raise NotAuthenticated("Log in to continue.")
    return info.user


async def provide_optional_viewer(request: Request) -> User | None:
    info = await provide_session(request)
    return info.user if info else None


def provide_secure_cookies(request: Request) -> bool:
    """Cookies get the Secure flag when configured, or when the request came over HTTPS
    (as X-Forwarded-Proto from a trusted proxy says)."""
    return get_settings().server.cookie_secure or request.url.scheme == "https"
