from __future__ import annotations

from store.fixtures import postgres_schema, private_store, store

__all__ = ["postgres_schema", "private_store", "store"]
