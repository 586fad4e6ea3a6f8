"""What the server runs on: the store, the catalog, Fixed Mode, and the session secret."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from revu.byok import Byok, FixedMode, read_environment
from revu.catalog import Catalog, load_catalog
from revu.store import Keyring, Store, StoreLocation, read_or_create_secret, store_from_env

SESSION_SECRET_FILE = "session-secret"


@dataclass
class ServerContext:
    """Everything a request handler needs; built once per process."""

    store: Store
    catalog: Catalog
    fixed: FixedMode
    session_secret: str = field(repr=False)
    secure_cookies: bool = False  # set REVU_SECURE_COOKIES=1 behind HTTPS
    migrate_on_start: bool = False  # create and migrate the database when the app starts
    owns_store: bool = False  # close the store when the app stops

    @property
    def byok(self) -> Byok:
        """The BYOK service over this context."""
        return Byok(self.store, self.catalog, self.fixed)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerContext:
        """The context `revu serve` runs on; raises KeyringError/StoreError/CatalogError with
        a hint naming the variable to set."""
        # The process environment over `.env`, as everywhere else in revu.
        env = read_environment(environ, Path(".env") if environ is None else None)
        store = store_from_env(env)
        assert store.location is not None
        catalog = load_catalog()
        return cls(
            store=store,
            catalog=catalog,
            fixed=FixedMode.from_env(env, None, catalog=catalog),
            session_secret=session_secret(env, store.location, store.keyring),
            secure_cookies=env.get("REVU_SECURE_COOKIES", "").strip() in ("1", "true", "yes"),
            migrate_on_start=True,
            owns_store=True,
        )


def session_secret(env: Mapping[str, str], location: StoreLocation, keyring: Keyring) -> str:
    """`REVU_SESSION_SECRET`; else, embedded, a secret generated into the data dir; else one
    derived from the keyring's first key, which every machine of a deployment shares."""
    given = env.get("REVU_SESSION_SECRET", "").strip()
    if given:
        return given
    if location.embedded:
        return read_or_create_secret(
            Path(location.data_dir) / SESSION_SECRET_FILE,
            lambda: base64.urlsafe_b64encode(os.urandom(48)).decode("ascii"),
            "a session secret",
        )
    derived = HKDF(
        algorithm=hashes.SHA256(), length=48, salt=None, info=b"revu session cookies"
    ).derive(keyring.primary.secret)
    return base64.urlsafe_b64encode(derived).decode("ascii")
