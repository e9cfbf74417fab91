"""Bring a database's schema up to date with the models.

- MySQL / MariaDB (``mysql://`` URLs): Aerich applies, in order, every migration in
  ``migrations/models/`` that the ``aerich`` table does not list yet. Run it once before
  the web replicas start: ``python -m app.migrate`` (reads MURMUR_DATABASE_URL).
- SQLite (the embedded default): no migration files; Tortoise creates whatever tables are
  missing (``generate_schemas``, safe mode). The app does this itself at start-up.

After a model change: ``python -m app.migrate --url mysql://... --make NAME`` against a
scratch MariaDB database; it applies the existing migrations there, then writes the next
one from the difference. Aerich's own ``aerich migrate`` works too but skips the fixes
of ``_amend``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
from typing import Any

from aerich import Command
from tortoise.context import TortoiseContext

from app.db import tortoise_config
from app.settings import DatabaseSettings, get_settings

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
"""Aerich's location; the versions of the "models" app live in its models/ folder."""

APP = "models"

COLLATE = " COLLATE utf8mb4_unicode_ci"

_NOQA = "# ruff: noqa: E501\n"


async def migrate(url: str) -> None:
    """Create or upgrade the schema of the database at url."""
    # A child task gets a copy of the caller's context variables, so the Tortoise
    # context opened here neither leaks into nor closes the caller's.
    await asyncio.create_task(_migrate(url))


async def make_migration(url: str, name: str) -> str | None:
    """Write the next migration file from the models' difference to the database's last
    applied version; returns its file name, or None when nothing changed."""
    return await asyncio.create_task(_make_migration(url, name))


async def _migrate(url: str) -> None:
    config = tortoise_config(DatabaseSettings(url=url))
    async with TortoiseContext() as ctx:
        if not url.startswith("mysql://"):
            await ctx.init(config)
            await ctx.generate_schemas(safe=True)
            logger.info("schema of %s is up to date (generated)", _redact(url))
            return

        command = Command(tortoise_config=config, app=APP, location=str(MIGRATIONS_DIR))
        await command.init()
        applied = await command.upgrade(run_in_transaction=True)

    if applied:
        logger.info("applied migrations %s to %s", ", ".join(applied), _redact(url))
    else:
        logger.info("schema of %s is up to date", _redact(url))


async def _make_migration(url: str, name: str) -> str | None:
    if not url.startswith("mysql://"):
        raise ValueError(f"migrations are made against MySQL/MariaDB, got {_redact(url)}")
    config = tortoise_config(DatabaseSettings(url=url))
    versions = MIGRATIONS_DIR / APP
    async with TortoiseContext():
        command = Command(tortoise_config=config, app=APP, location=str(MIGRATIONS_DIR))
        await command.init()
        if any(versions.glob("0_*.py")):
            # Aerich diffs against the last version applied to this database, which
            # init() reads: apply the existing ones first, then read it again.
            await command.upgrade(run_in_transaction=True)
            await command.init()
            made = await command.migrate(name, no_input=True) or None
        else:
            await command.init_db(safe=True)
            made = sorted(path.name for path in versions.glob("0_*.py"))[0]

    if made is not None:
        _amend(versions / made, initial=made.startswith("0_"))
    return made


def _amend(path: Path, initial: bool) -> None:
    """Fix two things in a migration file Aerich 0.10.1 wrote (and exempt its SQL from
    the line limit).

    - Its SQL sits in plain Python strings, so an escaped quote in a table comment (from
      a model docstring with an apostrophe) reaches MySQL unescaped: make them raw.
    - Tortoise writes only CHARACTER SET, which leaves the collation to the server's
      default (utf8mb4_general_ci on MariaDB 10.11): pin utf8mb4_unicode_ci on every
      table created, and in the first migration on the database too, so the schema is
      the same on every server.
    """
    text = path.read_text(encoding="utf-8")
    if not text.startswith(_NOQA):
        text = _NOQA + text  # SQL lines are as long as Tortoise writes them
    text = text.replace('return """', 'return r"""')
    text = text.replace(f") CHARACTER SET utf8mb4{COLLATE}", ") CHARACTER SET utf8mb4")
    text = text.replace(") CHARACTER SET utf8mb4", f") CHARACTER SET utf8mb4{COLLATE}")
    if initial and "ALTER DATABASE" not in text:
        text = text.replace(
            'return r"""\n',
            f'return r"""\n        ALTER DATABASE CHARACTER SET utf8mb4{COLLATE};\n',
            1,
        )
    path.write_text(text, encoding="utf-8")


def __getattr__(name: str) -> Any:
    # Aerich's own CLI reads its config from a module attribute ([tool.aerich] tortoise_orm
    # = "app.migrate.TORTOISE_ORM"); built on access, so importing this module reads no
    # environment.
    if name == "TORTOISE_ORM":
        return tortoise_config(get_settings().database)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _redact(url: str) -> str:
    """The URL without its password, for logs."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: MURMUR_DATABASE_URL)")
    parser.add_argument("--make", metavar="NAME", help="write a new migration instead")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    url = args.url or get_settings().database.url
    if args.make:
        made = asyncio.run(make_migration(url, args.make))
        print(made or "no changes")
    else:
        asyncio.run(migrate(url))


if __name__ == "__main__":
    main()
