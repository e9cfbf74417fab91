"""Database set-up for Tortoise ORM (SQLite by default, MySQL/MariaDB in production)."""

from __future__ import annotations

import logging
from typing import Any

from app.settings import DatabaseSettings

logger = logging.getLogger(__name__)

MODEL_MODULES = ["app.accounts.models", "app.posts.models", "app.social.models"]


def tortoise_config(settings: DatabaseSettings) -> dict[str, Any]:
    """The Tortoise config for settings.url; also what Aerich reads."""
    return {
        "connections": {"default": _connection(settings.url)},
        "apps": {
            "models": {"models": [*MODEL_MODULES, "aerich.models"], "default_connection": "default"}
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(url: str) -> str | dict[str, Any]:
    if url.startswith("mysql://"):
        # utf8mb4 on the connection, or emoji become "?" on their way to the server.
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}charset=utf8mb4"
    return url
