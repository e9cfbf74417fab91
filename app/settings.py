"""Every setting Murmur reads, one small dataclass per concern.

All values come from environment variables prefixed ``MURMUR_``; nothing else in the code
reads ``os.environ``. The defaults run the whole product on a bare machine: SQLite, a local
folder as object store, an in-process bus and the encoder inside the web process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_PREFIX = "MURMUR_"
_MB = 1024 * 1024


def _env(name: str, default: str) -> str:
    return os.environ.get(_PREFIX + name, default)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(_PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{_PREFIX}{name} must be an integer, got {raw!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(_PREFIX + name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _data_dir() -> Path:
    return Path(_env("DATA_DIR", "var")).resolve()


@dataclass(frozen=True)
class ServerSettings:
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    """Interface the web server binds to."""
    port: int = field(default_factory=lambda: _env_int("PORT", 8000))
    """Port the web server listens on."""
    replica_id: str = field(default_factory=lambda: _env("REPLICA_ID", "web-1"))
    """Name of this web replica, shown in logs and the X-Murmur-Replica header."""
    trusted_proxies: str = field(default_factory=lambda: _env("TRUSTED_PROXIES", "127.0.0.1"))
    """Comma-separated addresses whose X-Forwarded-* headers are honoured."""
    log_level: str = field(default_factory=lambda: _env("LOG_LEVEL", "INFO").upper())
    """Logging level of every Murmur process."""
    cookie_secure: bool = field(default_factory=lambda: _env_bool("COOKIE_SECURE", False))
    """Mark the session cookie Secure (set when served over HTTPS)."""
    secret_key: str = field(default_factory=lambda: _env("SECRET_KEY", ""))
    """Signs CSRF tokens; every replica needs the same. Empty: one is kept in data_dir."""
    data_dir: Path = field(default_factory=_data_dir)
    """Folder for the embedded defaults' files (SQLite database, local object store)."""


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = field(
        default_factory=lambda: _env("DATABASE_URL", f"sqlite://{_data_dir() / 'murmur.sqlite3'}")
    )
    """Tortoise URL: sqlite:///abs/path.sqlite3 or mysql://user:pass@host:3306/murmur."""


@dataclass(frozen=True)
class StorageSettings:
    backend: str = field(default_factory=lambda: _env("STORAGE_BACKEND", "local"))
    """"local" (a folder) or "s3" (MinIO or any S3 API)."""
    local_root: Path = field(
        default_factory=lambda: Path(_env("STORAGE_ROOT", str(_data_dir() / "objects"))).resolve()
    )
    """Root folder of the local object store; one sub-folder per bucket."""
    buffer_bucket: str = field(default_factory=lambda: _env("BUFFER_BUCKET", "murmur-buffer"))
    """Bucket that holds uploads until the encoder has processed them."""
    media_bucket: str = field(default_factory=lambda: _env("MEDIA_BUCKET", "murmur-media"))
    """Bucket that holds finished media served to browsers."""
    s3_endpoint: str = field(default_factory=lambda: _env("S3_ENDPOINT", "http://127.0.0.1:9000"))
    """S3 API endpoint."""
    s3_region: str = field(default_factory=lambda: _env("S3_REGION", "us-east-1"))
    """S3 region name."""
    s3_access_key: str = field(default_factory=lambda: _env("S3_ACCESS_KEY", "murmur"))
    """S3 access key id."""
    s3_secret_key: str = field(default_factory=lambda: _env("S3_SECRET_KEY", "murmur-secret"))
    """S3 secret key."""
    media_url_prefix: str = field(default_factory=lambda: _env("MEDIA_URL_PREFIX", "/media"))
    """URL path under which browsers fetch finished media (served by the app or by Nginx)."""


@dataclass(frozen=True)
class BusSettings:
    backend: str = field(default_factory=lambda: _env("BUS_BACKEND", "memory"))
    """"memory" (in-process) or "kafka"."""
    kafka_bootstrap: str = field(default_factory=lambda: _env("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    """Kafka bootstrap servers, comma-separated."""
    jobs_topic: str = field(default_factory=lambda: _env("JOBS_TOPIC", "murmur.jobs"))
    """Topic of encoder jobs, keyed by post id."""
    jobs_partitions: int = field(default_factory=lambda: _env_int("JOBS_PARTITIONS", 6))
    """Partitions of the jobs topic when Murmur creates it."""
    events_topic: str = field(default_factory=lambda: _env("EVENTS_TOPIC", "murmur.events"))
    """Topic of events fanned out to every web replica."""
    encoder_group: str = field(default_factory=lambda: _env("ENCODER_GROUP", "murmur-encoders"))
    """Consumer group shared by the encoder workers."""


@dataclass(frozen=True)
class LimitSettings:
    max_image_bytes: int = field(default_factory=lambda: _env_int("MAX_IMAGE_BYTES", 20 * _MB))
    """Largest accepted image upload."""
    max_video_bytes: int = field(default_factory=lambda: _env_int("MAX_VIDEO_BYTES", 500 * _MB))
    """Largest accepted video upload."""
    max_images_per_post: int = 4
    """Images one post may carry."""
    max_text_chars: int = 1000
    """Longest post text, in characters."""
    feed_page_size: int = field(default_factory=lambda: _env_int("FEED_PAGE_SIZE", 20))
    """Posts per feed page."""


@dataclass(frozen=True)
class EncoderSettings:
    inline: bool = field(default_factory=lambda: _env_bool("ENCODER_INLINE", True))
    """Run an encoder worker inside the web process (the embedded default)."""
    ffmpeg_timeout_s: int = field(default_factory=lambda: _env_int("FFMPEG_TIMEOUT", 600))
    """Wall-clock limit for one ffmpeg or ffprobe run."""
    work_dir: Path = field(
        default_factory=lambda: Path(_env("ENCODER_WORK_DIR", str(_data_dir() / "work"))).resolve()
    )
    """Scratch folder for files being encoded."""
    health_port: int = field(default_factory=lambda: _env_int("ENCODER_HEALTH_PORT", 0))
    """Port of a standalone encoder's /healthz endpoint; 0 disables it."""


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    bus: BusSettings = field(default_factory=BusSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    encoder: EncoderSettings = field(default_factory=EncoderSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
