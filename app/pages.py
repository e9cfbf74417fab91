"""What every server-rendered page gets in its template context."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.utils.scope.state import ScopeState

from app.accounts.models import User
from app.settings import get_settings
from app.social.notifications import unread_count


def csrf_token_of(request: Request) -> str:
    """The CSRF token the middleware set for this request (forms and JS send it back)."""
    return ScopeState.from_scope(request.scope).csrf_token or ""


def base_context(request: Request, viewer: User | None, **extra: Any) -> dict[str, Any]:
    """The context without database reads, for error pages (their handler cannot await)."""
    return {
        "current_user": viewer,
        "csrf_token": csrf_token_of(request),
        "replica_id": get_settings().server.replica_id,
        **extra,
    }


async def page_context(request: Request, viewer: User | None, **extra: Any) -> dict[str, Any]:
    """The base context, plus the unread notification count that seeds the header badge."""
    context = base_context(request, viewer, **extra)
    if viewer is not None and "unread_count" not in extra:
        context["unread_count"] = await unread_count(viewer.id)
    return context
