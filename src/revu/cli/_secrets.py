"""`revu secrets`: the keyring that seals stored API keys (REVU_SECRET_KEYS)."""

from __future__ import annotations

from typing import Annotated

import typer

from revu.byok import read_environment
from revu.cli._app import app
from revu.cli._store import one_line_errors, with_store
from revu.store import (
    KEYRING_FILE,
    KeyringKey,
    Rotation,
    Store,
    load_keyring,
    prepend_key_to_file,
    rotate_keys,
    store_location,
)

secrets_app = typer.Typer(help="The keyring for API keys at rest.", no_args_is_help=True)
app.add_typer(secrets_app, name="secrets")


@secrets_app.command("generate")
def generate() -> None:
    """Print a new keyring entry (id:base64) to put first in REVU_SECRET_KEYS."""
    typer.echo(KeyringKey.generate().entry())


@secrets_app.command("rotate")
def rotate(
    new_key: Annotated[
        bool,
        typer.Option(
            "--new-key",
            help="First add a fresh key to the data dir's keyring file (embedded default only).",
        ),
    ] = False,
) -> None:
    """Re-encrypt every stored API key with the keyring's first key."""
    env = read_environment()
    if new_key:
        _add_key_to_file(env)

    async def work(store: Store) -> tuple[Rotation, str]:
        async with store.session() as session:
            return await rotate_keys(session, store.keyring), store.keyring.primary.id

    done, primary = with_store(work)
    typer.echo(
        f"Re-encrypted {done.rotated} of {done.sealed} stored keys with keyring key {primary!r}; "
        "every stored key now opens with it alone."
    )
    if done.rotated:
        typer.echo("Older keys may now leave the keyring.")


def _add_key_to_file(env: dict[str, str]) -> None:
    if env.get("REVU_SECRET_KEYS"):
        typer.echo(
            "revu: the keyring comes from REVU_SECRET_KEYS: put a new entry first there "
            "(`revu secrets generate` prints one) and run `revu secrets rotate` again",
            err=True,
        )
        raise typer.Exit(2)
    with one_line_errors():
        location = store_location(env)
        if not location.embedded:
            typer.echo(
                "revu: a shared database (REVU_DATABASE_URL) takes its keyring from "
                "REVU_SECRET_KEYS on every machine: put a new entry first there "
                "(`revu secrets generate` prints one) and run `revu secrets rotate` again",
                err=True,
            )
            raise typer.Exit(2)
        load_keyring(env, data_dir=location.data_dir)  # creates the file on first use
        key = KeyringKey.generate()
        prepend_key_to_file(location.data_dir / KEYRING_FILE, key)
    typer.echo(f"Added keyring key {key.id!r} first in {location.data_dir / KEYRING_FILE}.")
