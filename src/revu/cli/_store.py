"""What the server-side commands (`revu org`, `revu secrets`, `revu serve`) share: the store
the environment names, and its problems as one line naming what to set."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer

from revu.byok import read_environment
from revu.catalog import CatalogError
from revu.store import Store, StoreError, open_store

T = TypeVar("T")


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Store, keyring and catalog problems as one line naming what to set; exit code 2."""
    try:
        yield
    except (StoreError, CatalogError) as exc:  # KeyringError is a StoreError
        typer.echo(f"revu: {exc}", err=True)
        raise typer.Exit(2) from None


def with_store(work: Callable[[Store], Awaitable[T]]) -> T:
    """Open the store the environment names (creating and migrating it), run `work`, close."""

    async def run() -> T:
        store = await open_store(read_environment())
        try:
            return await work(store)
        finally:
            await store.close()

    with one_line_errors():
        return asyncio.run(run())
