"""Schema set-up: Aerich migrations on MariaDB, generate_schemas on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncmy
import pytest
from aerich.utils import compress_dict, decompress_dict, get_models_describe, import_py_file
from tortoise.context import TortoiseContext, get_current_context

from app.accounts.models import User
from app.db import tortoise_config
from app.migrate import APP, MIGRATIONS_DIR, migrate
from app.posts.models import OutboxMessage, Post
from app.settings import DatabaseSettings
from tests.backends.conftest import RealServices, unique

EMOJI_TEXT = "Zoë 🎉 family 👩‍👩‍👧 flags 🇫🇷 math 𝔸 — ünïcödé"


def _migration_files() -> list[Path]:
    return sorted(
        (MIGRATIONS_DIR / APP).glob("[0-9]*_*.py"), key=lambda p: int(p.name.split("_")[0])
    )


async def _admin_query(server_url: str, sql: str) -> list[tuple[object, ...]]:
    parts = urlsplit(server_url)
    conn = await asyncmy.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username,
        password=parts.password or "",
        charset="utf8mb4",
    )
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(sql)
            rows = await cursor.fetchall()
        await conn.commit()
        return list(rows or [])
    finally:
        await conn.ensure_closed()


def _config_named(connection: str, url: str) -> dict[str, Any]:
    """The app's config with its connection renamed.

    Tortoise caches each model's INSERT per connection name, not per dialect
    (tortoise.backends.base.executor.EXECUTOR_CACHE): rows written to MySQL as "default"
    would leave MySQL's SQL behind for later SQLite tests in this process.
    """
    config = tortoise_config(DatabaseSettings(url=url))
    config["connections"] = {connection: config["connections"]["default"]}
    for app in config["apps"].values():
        app["default_connection"] = connection
    return config


@pytest.fixture
async def mysql_url(real_services: RealServices) -> AsyncIterator[str]:
    """A fresh, empty database on the launcher's MariaDB, dropped afterwards."""
    name = unique("murmur_test").replace("-", "_")
    server = real_services.mysql_url
    await _admin_query(server, f"CREATE DATABASE `{name}`")
    yield f"{server}{name}"
    await _admin_query(server, f"DROP DATABASE `{name}`")


@pytest.mark.stack
async def test_migrate_creates_every_table_in_utf8mb4_unicode_ci(mysql_url: str) -> None:
    await migrate(mysql_url)

    database = urlsplit(mysql_url).path.lstrip("/")
    rows = await _admin_query(
        mysql_url,
        "SELECT table_name, table_collation FROM information_schema.tables "
        f"WHERE table_schema = '{database}'",
    )
    collations = {str(name): str(collation) for name, collation in rows}
    expected = {"users", "sessions", "posts", "attachments", "notifications", "outbox", "aerich"}
    assert expected <= set(collations)
    assert set(collations.values()) == {"utf8mb4_unicode_ci"}


@pytest.mark.stack
async def test_migrate_twice_applies_each_migration_once(mysql_url: str) -> None:
    await migrate(mysql_url)
    await migrate(mysql_url)

    database = urlsplit(mysql_url).path.lstrip("/")
    rows = await _admin_query(mysql_url, f"SELECT version FROM `{database}`.aerich")
    assert sorted(str(version) for (version,) in rows) == sorted(p.name for p in _migration_files())


@pytest.mark.stack
async def test_emoji_round_trip_through_mariadb(mysql_url: str) -> None:
    await migrate(mysql_url)

    async with TortoiseContext() as ctx:
        await ctx.init(_config_named("mariadb_test", mysql_url))
        user = await User.create(
            username="zoe", username_key="zoe", password_hash="x", display_name="Zoë 🎉"
        )
        post = await Post.create(author=user, text=EMOJI_TEXT)
        await OutboxMessage.create(topic="t", key="k", payload={"text": EMOJI_TEXT})

        assert (await Post.get(id=post.id)).text == EMOJI_TEXT
        assert (await User.get(id=user.id)).display_name == "Zoë 🎉"
        assert (await OutboxMessage.get(key="k")).payload == {"text": EMOJI_TEXT}
        # Four-byte UTF-8 on disk, not "?" from a three-byte charset on the way.
        _, rows = await ctx.db("mariadb_test").execute_query(
            "SELECT HEX(text) FROM posts WHERE id = %s", [post.id]
        )
        assert "F09F8E89" in next(iter(rows[0].values()))


async def test_sqlite_migrate_creates_the_tables_and_leaves_the_callers_context_alone(
    tmp_path: Path,
) -> None:
    url = f"sqlite://{tmp_path / 'murmur.sqlite3'}"

    await migrate(url)
    await migrate(url)  # a restart: tables exist, nothing fails

    assert get_current_context() is None
    async with TortoiseContext() as ctx:
        await ctx.init(tortoise_config(DatabaseSettings(url=url)))
        user = await User.create(username="zoe", username_key="zoe", password_hash="x")
        post = await Post.create(author=user, text=EMOJI_TEXT)
        assert (await Post.get(id=post.id)).text == EMOJI_TEXT


async def test_latest_migration_matches_the_models(tmp_path: Path) -> None:
    """Fails when a model changed without a new migration (python -m app.migrate --make)."""
    latest = _migration_files()[-1]
    recorded = decompress_dict(import_py_file(latest).MODELS_STATE)

    async with TortoiseContext() as ctx:
        url = f"sqlite://{tmp_path / 'describe.sqlite3'}"
        await ctx.init(tortoise_config(DatabaseSettings(url=url)))
        # In the form Aerich records it: tuples in a model's Meta come back as lists.
        current = decompress_dict(compress_dict(get_models_describe(APP)))

    assert recorded == current, f"models changed since {latest.name}; make a new migration"
