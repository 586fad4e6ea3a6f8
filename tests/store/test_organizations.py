from __future__ import annotations

import pytest
from sqlalchemy import select

from revu.store import Organization, OrganizationExists, Organizations, Store
from store.fixtures import unique


async def test_a_token_is_shown_once_and_stored_only_hashed(store: Store) -> None:
    name = unique("acme")
    async with store.session() as session:
        org, token = await Organizations(session).create(name)
    assert token.startswith("revu_") and len(token) > 40
    async with store.session() as session:
        stored = await session.scalar(select(Organization).where(Organization.name == name))
        assert stored is not None and token not in stored.token_hash
        found = await Organizations(session).by_token(token)
        assert found is not None and found.id == org.id
        assert await Organizations(session).by_token(token + "x") is None


async def test_names_are_unique(store: Store) -> None:
    name = unique("dup")
    async with store.session() as session:
        await Organizations(session).create(name)
    with pytest.raises(OrganizationExists):
        async with store.session() as session:
            await Organizations(session).create(name)


async def test_a_new_token_retires_the_old_one(store: Store) -> None:
    async with store.session() as session:
        org, old = await Organizations(session).create(unique("rotate"))
        new = await Organizations(session).new_token(org)
    async with store.session() as session:
        assert await Organizations(session).by_token(old) is None
        assert (await Organizations(session).by_token(new)) is not None
