"""An in-process API client over a test store: real app, real store, no network."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx2

from revu.byok import FixedMode
from revu.catalog import BUILTIN_CATALOG
from revu.server import ServerContext, create_app
from revu.store import Organizations, Store
from store.fixtures import unique


def context_for(store: Store, fixed: FixedMode | None = None) -> ServerContext:
    """A server context over `store` with the built-in catalog."""
    return ServerContext(
        store=store,
        catalog=BUILTIN_CATALOG,
        fixed=fixed or FixedMode(active=False),
        session_secret="test-session-secret",
    )


@dataclass
class Api:
    """An HTTP client on the app, and the means to make organizations."""

    client: httpx2.AsyncClient
    store: Store

    async def org(self, name: str = "acme") -> tuple[str, str]:
        """A new organization: (id, token)."""
        async with self.store.session() as session:
            org, token = await Organizations(session).create(unique(name))
        return org.id, token

    async def call(
        self, method: str, path: str, token: str | None, json: Any = None
    ) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.request(method, path, headers=headers, json=json)


@asynccontextmanager
async def api_on(store: Store, fixed: FixedMode | None = None) -> AsyncIterator[Api]:
    """An Api over a fresh app on `store`."""
    app = create_app(context_for(store, fixed))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://revu.test") as client:
        yield Api(client, store)
