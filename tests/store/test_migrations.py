from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from revu.store import (
    KeyringError,
    Store,
    StoreError,
    migrations_config,
    open_store,
    store_from_env,
    store_location,
)
from revu.store._models import Base


async def test_migrations_create_every_table_and_run_again_harmlessly(store: Store) -> None:
    await store.migrate()  # the fixture already migrated once
    async with store.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    assert {"organizations", "slot_settings", "reviews", "alembic_version"} <= tables
    assert version == ScriptDirectory.from_config(migrations_config()).get_current_head()


async def test_first_use_creates_the_sqlite_file_and_keyring_in_the_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"REVU_DATA_DIR": str(tmp_path / "data")}
    store = await open_store(env)
    await store.close()
    assert "generated a keyring" in capsys.readouterr().err
    database = tmp_path / "data" / "revu.sqlite3"
    with sqlite3.connect(database) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "organizations" in names
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "secret-keys").st_mode) == 0o600

    store = await open_store(env)  # second use: same keyring, nothing said
    await store.close()
    assert capsys.readouterr().err == ""


def test_a_shared_database_needs_a_keyring_from_the_environment(tmp_path: Path) -> None:
    env = {
        "REVU_DATA_DIR": str(tmp_path),
        "REVU_DATABASE_URL": "postgresql://revu@db.example/revu",
    }
    location = store_location(env)
    assert location.url.startswith("postgresql+asyncpg://") and not location.embedded
    with pytest.raises(KeyringError) as caught:
        asyncio.run(open_store(env, migrate=False))
    assert "REVU_SECRET_KEYS" in caught.value.hint


def test_passwords_never_show_in_the_displayed_url(tmp_path: Path) -> None:
    env = {"REVU_DATA_DIR": str(tmp_path), "REVU_DATABASE_URL": "postgres://u:hunter2@h/db"}
    assert "hunter2" not in store_location(env).display


async def test_the_migrations_build_exactly_the_tables_the_models_describe(store: Store) -> None:
    # A model changed without a migration would pass every other test on a fresh database.
    def differences(sync: Connection) -> list[Any]:
        return compare_metadata(MigrationContext.configure(sync), Base.metadata)

    async with store.engine.connect() as conn:
        assert await conn.run_sync(differences) == []


def test_a_database_url_that_is_not_one_is_said_before_the_missing_keyring(
    tmp_path: Path,
) -> None:
    env = {"REVU_DATA_DIR": str(tmp_path), "REVU_DATABASE_URL": "nonsense"}
    with pytest.raises(StoreError) as caught:
        store_from_env(env)
    assert not isinstance(caught.value, KeyringError)
    assert "REVU_DATABASE_URL" in str(caught.value)
