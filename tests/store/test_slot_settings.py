from __future__ import annotations

from pathlib import Path

import pytest

from revu.store import (
    Keyring,
    KeyringError,
    KeyringKey,
    Organizations,
    SlotSettings,
    SlotValues,
    Store,
    create_engine,
    rotate_keys,
)
from store.fixtures import unique

PLANTED = "sk-planted-4f1c9e2b7a55d0c3-wxyz"


def _database_bytes(directory: Path) -> bytes:
    # The main file and its write-ahead log, if any is left.
    return b"".join(p.read_bytes() for p in directory.glob("revu.sqlite3*"))


async def _org(store: Store) -> str:
    async with store.session() as session:
        org, _ = await Organizations(session).create(unique("org"))
    return org.id


def _values(api_key: str | None = PLANTED, **changes: object) -> SlotValues:
    base: dict[str, object] = {"provider": "moonshot", "plan": "code", "model": "kimi-for-coding"}
    return SlotValues(api_key=api_key, **{**base, **changes})  # type: ignore[arg-type]


async def test_a_key_is_sealed_at_rest_and_opens_for_the_gateway(store: Store) -> None:
    org_id = await _org(store)
    async with store.session() as session:
        row = await SlotSettings(session, store.keyring).put(org_id, "main", _values())
        assert row.api_key_sealed is not None and PLANTED not in row.api_key_sealed
        assert row.api_key_last4 == "wxyz"
    async with store.session() as session:
        slots = SlotSettings(session, store.keyring)
        stored = await slots.get(org_id, "main")
        assert stored is not None and slots.api_key(stored) == PLANTED


async def test_saving_without_a_key_keeps_the_stored_one(store: Store) -> None:
    org_id = await _org(store)
    async with store.session() as session:
        await SlotSettings(session, store.keyring).put(org_id, "main", _values())
    async with store.session() as session:
        slots = SlotSettings(session, store.keyring)
        row = await slots.put(org_id, "main", _values(api_key=None, max_concurrent=7))
        assert row.max_concurrent == 7 and slots.api_key(row) == PLANTED


async def test_a_sealed_key_copied_to_another_org_does_not_open(store: Store) -> None:
    first, second = await _org(store), await _org(store)
    async with store.session() as session:
        slots = SlotSettings(session, store.keyring)
        source = await slots.put(first, "main", _values())
        copy = await slots.put(second, "main", _values(api_key="sk-other"))
        copy.api_key_sealed = source.api_key_sealed
        with pytest.raises(KeyringError):
            slots.api_key(copy)


async def test_deleting_clears_only_that_slot(store: Store) -> None:
    org_id = await _org(store)
    async with store.session() as session:
        slots = SlotSettings(session, store.keyring)
        await slots.put(org_id, "main", _values())
        await slots.put(org_id, "fallback", _values(api_key="sk-fallback"))
        assert await slots.delete(org_id, "fallback")
        assert not await slots.delete(org_id, "fallback")
        assert [row.slot for row in await slots.for_org(org_id)] == ["main"]


async def test_rotation_keeps_every_stored_key_readable(private_store: Store) -> None:
    store = private_store
    orgs = [await _org(store) for _ in range(3)]
    keys = {org_id: f"sk-key-{i}-abcd" for i, org_id in enumerate(orgs)}
    async with store.session() as session:
        for org_id, key in keys.items():
            await SlotSettings(session, store.keyring).put(org_id, "main", _values(api_key=key))

    fresh = KeyringKey.generate()
    both = Keyring((fresh, *store.keyring.keys))
    async with store.session() as session:
        done = await rotate_keys(session, both)
    assert (done.sealed, done.rotated) == (3, 3)
    async with store.session() as session:
        again = await rotate_keys(session, both)
    assert again.rotated == 0

    only_new = Keyring((fresh,))  # the old key may now leave the ring
    async with store.session() as session:
        slots = SlotSettings(session, only_new)
        for org_id, key in keys.items():
            row = await slots.get(org_id, "main")
            assert row is not None and slots.api_key(row) == key


async def test_the_key_is_absent_from_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "revu.sqlite3"
    store = Store(create_engine(f"sqlite+aiosqlite:///{path}"), Keyring((KeyringKey.generate(),)))
    await store.migrate()
    org_id = await _org(store)
    async with store.session() as session:
        await SlotSettings(session, store.keyring).put(org_id, "main", _values())
    await store.close()
    raw = _database_bytes(tmp_path)
    assert b"wxyz" in raw  # the masked tail is stored, so the file is the right one...
    assert PLANTED.encode() not in raw  # ...and the key itself is not
    assert PLANTED[:-4].encode() not in raw
