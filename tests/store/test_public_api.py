"""The names other layers import from revu.store stay put."""

from __future__ import annotations

import revu.store


def test_the_store_exports_stay_put() -> None:
    assert set(revu.store.__all__) == {
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
    }
    for name in revu.store.__all__:
        assert getattr(revu.store, name) is not None
