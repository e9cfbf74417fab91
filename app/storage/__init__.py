"""Object storage: a small interface and its backends (local folder, S3)."""

from app.storage.base import (
    ObjectNotFound,
    ObjectStore,
    ObjectTooLarge,
    StorageUnavailable,
    Stores,
)
from app.storage.factory import build_stores

__all__ = [
    "ObjectNotFound",
    "ObjectStore",
    "ObjectTooLarge",
    "Stores",
    "StorageUnavailable",
    "build_stores",
]
