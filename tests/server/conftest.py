from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from revu.store import Store
from server.harness import Api, api_on
from store.fixtures import postgres_schema, private_store, store

__all__ = ["api", "postgres_schema", "private_store", "store"]


@pytest.fixture
async def api(store: Store) -> AsyncIterator[Api]:
    """The app over a migrated store (SQLite and PostgreSQL in turn), not in Fixed Mode."""
    async with api_on(store) as client:
        yield client
