"""Persistence: SQLAlchemy 2 models and repositories, migrations, and the keyring for keys at rest.

The embedded default is a SQLite file in the data dir; `REVU_DATABASE_URL` points at PostgreSQL
when many machines share the work. `open_store()` creates and migrates the database on first use.
"""

from __future__ import annotations

from revu.store._data_dir import data_dir, read_or_create_secret
from revu.store._database import (
    Store,
    StoreLocation,
    create_engine,
    migrations_config,
    open_store,
    store_from_env,
    store_location,
)
from revu.store._errors import StoreError
from revu.store._keyring import (
    KEYRING_FILE,
    Keyring,
    KeyringError,
    KeyringKey,
    load_keyring,
    prepend_key_to_file,
)
from revu.store._models import Organization, Review, SlotSetting
from revu.store._organizations import OrganizationExists, Organizations, hash_token
from revu.store._reviews import Reviews
from revu.store._slot_settings import (
    Rotation,
    SlotSettings,
    SlotValues,
    key_outline,
    rotate_keys,
    slot_key_context,
)

__all__ = [
    "KEYRING_FILE",
    "Keyring",
    "KeyringError",
    "KeyringKey",
    "Organization",
    "OrganizationExists",
    "Organizations",
    "Review",
    "Reviews",
    "Rotation",
    "SlotSetting",
    "SlotSettings",
    "SlotValues",
    "Store",
    "StoreError",
    "StoreLocation",
    "create_engine",
    "data_dir",
    "hash_token",
    "key_outline",
    "load_keyring",
    "migrations_config",
    "open_store",
    "prepend_key_to_file",
    "read_or_create_secret",
    "rotate_keys",
    "slot_key_context",
    "store_from_env",
    "store_location",
]
