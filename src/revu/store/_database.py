"""The store: one async engine, its migrations, its sessions and the keyring for keys at rest."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from revu.store._data_dir import data_dir
from revu.store._errors import StoreError
from revu.store._keyring import Keyring, load_keyring

SQLITE_FILE = "revu.sqlite3"
# Any constant works; it only has to be the same in every process that migrates.
_MIGRATION_LOCK = 0x7265_7675


@dataclass(frozen=True)
class StoreLocation:
    """Where the store lives: the database URL, whether it is the embedded default, the data dir."""

    url: str
    embedded: bool
    data_dir: Path

    @property
    def display(self) -> str:
        """The URL with any password hidden."""
        return make_url(self.url).render_as_string(hide_password=True)


def store_location(env: Mapping[str, str] | None = None) -> StoreLocation:
    """`REVU_DATABASE_URL` (PostgreSQL at scale), else a SQLite file in `REVU_DATA_DIR`."""
    env = os.environ if env is None else env
    directory = data_dir(env)
    raw = env.get("REVU_DATABASE_URL", "").strip()
    if not raw:
        return StoreLocation(f"sqlite+aiosqlite:///{directory / SQLITE_FILE}", True, directory)
    url = _async_driver(raw)
    return StoreLocation(url, url.startswith("sqlite"), directory)


class Store:
    """An engine, a session factory and the keyring; `migrate()` brings the schema to head.
    `location` is where the environment said the store lives (None when built by hand)."""

    def __init__(
        self, engine: AsyncEngine, keyring: Keyring, location: StoreLocation | None = None
    ) -> None:
        self.engine = engine
        self.keyring = keyring
        self.location = location
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed when the block ends normally, rolled back otherwise."""
        async with self._sessions() as session, session.begin():
            yield session

    async def migrate(self) -> None:
        """Run every migration not yet applied (idempotent; safe with many processes at once).

        Raises StoreError when the database cannot be reached."""
        try:
            async with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    # Processes starting together take turns; the later ones find head.
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                    )
                await conn.run_sync(_upgrade_to_head)
        except (OSError, DBAPIError) as exc:
            shown = self.engine.url.render_as_string(hide_password=True)
            raise StoreError(
                f"cannot reach the database at {shown} ({type(exc).__name__})",
                "check REVU_DATABASE_URL and that the database is running",
            ) from None

    async def close(self) -> None:
        """Release the engine's connections."""
        await self.engine.dispose()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite files get foreign keys, WAL and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError("REVU_DATABASE_URL is not a database URL", _URL_HINT) from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_async_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database URL {parsed!r}", _URL_HINT) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def store_from_env(env: Mapping[str, str] | None = None) -> Store:
    """The store the environment names, not yet connected or migrated. The embedded default
    keeps its keyring in the data dir (generated on first use); a shared database needs
    `REVU_SECRET_KEYS`."""
    location = store_location(env)
    engine = create_engine(location.url)  # a URL that is not one says so before the keyring
    keyring = load_keyring(env, data_dir=location.data_dir if location.embedded else None)
    return Store(engine, keyring, location)


async def open_store(env: Mapping[str, str] | None = None, *, migrate: bool = True) -> Store:
    """Open (and, on first use, create and migrate) the store the environment names."""
    store = store_from_env(env)
    if migrate:
        try:
            await store.migrate()
        except StoreError:
            await store.close()
            raise
    return store


def migrations_config() -> Config:
    """Alembic's configuration for the migrations shipped in this package."""
    config = Config()
    config.set_main_option("script_location", str(files("revu.store") / "migrations"))
    return config


_URL_HINT = "set REVU_DATABASE_URL=postgresql+asyncpg://user@host/db, or unset it for SQLite"


def _upgrade_to_head(connection: Connection) -> None:
    config = migrations_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _async_driver(url: str) -> str:
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
