"""Store fixtures shared by the store, byok and server tests: every test gets a migrated store
on SQLite and, when PostgreSQL is reachable, on PostgreSQL (a fresh schema per test session)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest

from revu.store import Keyring, KeyringKey, Store, create_engine

POSTGRES_URLS = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)


async def _first_reachable(statement: str) -> str:
    errors = []
    for url in POSTGRES_URLS:
        try:
            conn = await asyncpg.connect(url, timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            errors.append(f"{url}: {exc}")
            continue
        try:
            await conn.execute(statement)
        finally:
            await conn.close()
        return url
    raise ConnectionError("; ".join(errors))


def _run_apart(statement: str) -> str:
    # The fixture may be first requested from inside a running event loop: use a thread's own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _first_reachable(statement)).result()


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[tuple[str, str]]:
    """(async URL, schema): a schema of its own for this test session, dropped afterwards."""
    schema = f"revu_test_{uuid.uuid4().hex[:12]}"
    try:
        url = _run_apart(f'CREATE SCHEMA "{schema}"')
    except ConnectionError as exc:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc})")
    yield url.replace("postgresql://", "postgresql+asyncpg://"), schema
    _run_apart(f'DROP SCHEMA "{schema}" CASCADE')


def new_keyring() -> Keyring:
    """A keyring of one fresh key."""
    return Keyring((KeyringKey.generate(),))


def engine_for(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An unmigrated store on `backend` ("sqlite" or "postgres") with a fresh keyring."""
    if backend == "sqlite":
        return Store(
            create_engine(f"sqlite+aiosqlite:///{tmp_path / 'revu.sqlite3'}"), new_keyring()
        )
    url, schema = request.getfixturevalue("postgres_schema")
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    return Store(engine, new_keyring())


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated store, on each backend in turn."""
    opened = engine_for(request.param, request, tmp_path)
    await opened.migrate()
    yield opened
    await opened.close()


@pytest.fixture(params=BACKENDS)
async def private_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated store with a database of its own, for tests that act on every row
    (key rotation): on PostgreSQL a schema of its own, dropped afterwards."""
    if request.param == "sqlite":
        opened = engine_for("sqlite", request, tmp_path)
        await opened.migrate()
        yield opened
        await opened.close()
        return
    url, session_schema = request.getfixturevalue("postgres_schema")
    schema = f"{session_schema}_{uuid.uuid4().hex[:6]}"
    await _first_reachable(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    opened = Store(engine, new_keyring())
    try:
        await opened.migrate()
        yield opened
    finally:
        await opened.close()
        await _first_reachable(f'DROP SCHEMA "{schema}" CASCADE')


def unique(name: str) -> str:
    """A name no other test uses (PostgreSQL tests share one schema per session)."""
    return f"{name}-{uuid.uuid4().hex[:8]}"
