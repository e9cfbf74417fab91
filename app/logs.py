"""Log format shared by the web replicas and the encoders."""

from __future__ import annotations

import logging

from app.settings import get_settings

_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging() -> None:
    """One format to stderr, once per process, at MURMUR_LOG_LEVEL (INFO by default)."""
    root = logging.getLogger()
    if getattr(root, "_murmur_configured", False):
        return
    level = get_settings().server.log_level
    logging.basicConfig(level=level, format=_FORMAT)
    # aiokafka and botocore chatter at INFO about every connection.
    for noisy in ("aiokafka", "botocore", "aiobotocore", "tortoise", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
    root._murmur_configured = True  # type: ignore[attr-defined]
