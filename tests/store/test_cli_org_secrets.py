"""`revu org` and `revu secrets` on the embedded default (a data dir of the test's own)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revu.cli import app
from revu.store import Organizations, SlotSettings, SlotValues, open_store


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("REVU_DATABASE_URL", "REVU_SECRET_KEYS", "REVU_LLM_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REVU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path / "data"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_org_create_prints_the_token_once_and_it_signs_in(data_dir: Path) -> None:
    code, out, err = run("org", "create", "acme", "--json")
    assert code == 0, err
    printed = json.loads(out)
    assert printed["org"] == "acme" and printed["token"].startswith("revu_")
    assert "generated a keyring" in err  # first use of the data dir says so, once

    async def lookup() -> str | None:
        store = await open_store({"REVU_DATA_DIR": str(data_dir)})
        async with store.session() as session:
            org = await Organizations(session).by_token(printed["token"])
        await store.close()
        return org.name if org else None

    assert asyncio.run(lookup()) == "acme"
    assert printed["token"].encode() not in (data_dir / "revu.sqlite3").read_bytes()

    code, out, err = run("org", "create", "acme")
    assert code == 2 and "already exists" in err
    code, out, _ = run("org", "list", "--json")
    assert [o["org"] for o in json.loads(out)] == ["acme"]


def test_org_token_replaces_the_old_token(data_dir: Path) -> None:
    first = json.loads(run("org", "create", "acme", "--json")[1])["token"]
    code, out, _ = run("org", "token", "acme")
    assert code == 0 and "shown only this once" in out
    second = out.split("\n")[1].strip()
    assert second.startswith("revu_") and second != first
    assert run("org", "token", "nobody")[0] == 2


def test_secrets_rotate_with_a_new_key_keeps_every_stored_key_readable(data_dir: Path) -> None:
    env = {"REVU_DATA_DIR": str(data_dir)}
    keys = {"main": "sk-kimi-rotate-main-0000000000aa", "fallback": "sk-rotate-fallback-00000bb"}

    async def plant() -> str:
        store = await open_store(env)
        async with store.session() as session:
            org, _ = await Organizations(session).create("acme")
            slots = SlotSettings(session, store.keyring)
            for slot, key in keys.items():
                await slots.put(
                    org.id, slot, SlotValues(provider="moonshot", model="kimi-k2.6", api_key=key)
                )
        await store.close()
        return org.id

    async def read(org_id: str) -> dict[str, str | None]:
        store = await open_store(env)
        async with store.session() as session:
            slots = SlotSettings(session, store.keyring)
            found = {row.slot: slots.api_key(row) for row in await slots.for_org(org_id)}
        await store.close()
        return found

    org_id = asyncio.run(plant())
    old_ring = (data_dir / "secret-keys").read_text()
    code, out, err = run("secrets", "rotate", "--new-key")
    assert code == 0, err
    assert "Re-encrypted 2 of 2 stored keys" in out
    assert asyncio.run(read(org_id)) == keys
    # The old key may leave: only the new one remains in the file, and everything still opens.
    (data_dir / "secret-keys").write_text(
        (data_dir / "secret-keys").read_text().replace(old_ring.strip(), "").strip() + "\n"
    )
    assert asyncio.run(read(org_id)) == keys


def test_rotate_refuses_to_edit_a_keyring_from_the_environment(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = run("secrets", "generate")[1].strip()
    assert ":" in entry
    monkeypatch.setenv("REVU_SECRET_KEYS", entry)
    code, _, err = run("secrets", "rotate", "--new-key")
    assert code == 2 and "REVU_SECRET_KEYS" in err and entry not in err
    code, out, _ = run("secrets", "rotate")
    assert code == 0 and "0 of 0" in out


def test_rotate_new_key_refuses_a_shared_database_without_writing_a_keyring_file(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVU_DATABASE_URL", "postgresql://revu@127.0.0.1:9/none")
    code, _, err = run("secrets", "rotate", "--new-key")
    assert code == 2 and err.count("\n") == 1 and "REVU_SECRET_KEYS" in err
    assert not (data_dir / "secret-keys").exists()


def test_an_unreachable_database_is_one_line(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVU_DATABASE_URL", "postgresql://nobody:pw@127.0.0.1:9/none")
    monkeypatch.setenv("REVU_SECRET_KEYS", run("secrets", "generate")[1].strip())
    code, _, err = run("org", "list")
    assert code == 2
    assert err.count("\n") == 1 and "REVU_DATABASE_URL" in err and "pw" not in err
