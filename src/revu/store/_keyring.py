"""Keys at rest: AES-256-GCM under a keyring whose first key encrypts and every key decrypts.

`REVU_SECRET_KEYS` is a comma-separated list of `id:base64` entries (32-byte keys); an entry
without `id:` gets an id derived from the key. A ciphertext names the key that sealed it, and
its associated data binds it to one place (an organization's slot), so a ciphertext copied to
another row does not open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from revu.store._data_dir import read_or_create_secret, replace_secret
from revu.store._errors import StoreError

_FORMAT = "v1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KEYRING_FILE = "secret-keys"


class KeyringError(StoreError):
    """The keyring is missing, malformed, or cannot open a stored secret."""


@dataclass(frozen=True)
class KeyringKey:
    """One named 32-byte key."""

    id: str
    secret: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> KeyringKey:
        """A fresh random key with a derived id."""
        secret = AESGCM.generate_key(bit_length=256)
        return cls(id=_derived_id(secret), secret=secret)

    def entry(self) -> str:
        """The `id:base64` form used in `REVU_SECRET_KEYS` and the keyring file."""
        return f"{self.id}:{base64.b64encode(self.secret).decode('ascii')}"


@dataclass(frozen=True)
class Keyring:
    """Encrypts with the first key, decrypts with whichever key sealed the ciphertext."""

    keys: tuple[KeyringKey, ...]
    source: str = "REVU_SECRET_KEYS"

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyringError("the keyring is empty", "set REVU_SECRET_KEYS=id:base64key")
        ids = [key.id for key in self.keys]
        if len(set(ids)) != len(ids):
            raise KeyringError("the keyring has two keys with one id", f"fix {self.source}")

    @property
    def primary(self) -> KeyringKey:
        """The key new ciphertexts are sealed with."""
        return self.keys[0]

    @classmethod
    def parse(cls, text: str, source: str = "REVU_SECRET_KEYS") -> Keyring:
        """Parse `id:base64,id2:base64` (entries may also be separated by newlines)."""
        entries = [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]
        return cls(tuple(_parse_entry(entry, source) for entry in entries), source=source)

    def encrypt(self, plaintext: str, context: bytes) -> str:
        """Seal `plaintext`, bound to `context` (associated data), with the primary key."""
        nonce = os.urandom(12)
        sealed = AESGCM(self.primary.secret).encrypt(nonce, plaintext.encode("utf-8"), context)
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{_FORMAT}.{self.primary.id}.{body}"

    def decrypt(self, ciphertext: str, context: bytes) -> str:
        """Open a ciphertext sealed by any key of the ring for the same `context`."""
        key = self._key_for(ciphertext)
        try:
            raw = base64.urlsafe_b64decode(ciphertext.split(".", 2)[2])
            opened = AESGCM(key.secret).decrypt(raw[:12], raw[12:], context)
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise KeyringError(
                f"a stored key does not open with keyring key {key.id!r}",
                "it was sealed for another place or the key changed; set the key again",
            ) from exc
        return opened.decode("utf-8")

    def needs_rotation(self, ciphertext: str) -> bool:
        """Whether a ciphertext was sealed by a key other than the primary."""
        return key_id_of(ciphertext) != self.primary.id

    def _key_for(self, ciphertext: str) -> KeyringKey:
        key_id = key_id_of(ciphertext)
        for key in self.keys:
            if key.id == key_id:
                return key
        raise KeyringError(
            f"a stored key was sealed with keyring key {key_id!r}, which is not in the keyring",
            f"add that key back to {self.source}, or set the key again",
        )


def key_id_of(ciphertext: str) -> str:
    """The id of the keyring key that sealed `ciphertext`."""
    parts = ciphertext.split(".", 2)
    if len(parts) != 3 or parts[0] != _FORMAT:
        raise KeyringError("a stored key is not in revu's sealed format", "set the key again")
    return parts[1]


def load_keyring(env: Mapping[str, str] | None = None, *, data_dir: Path | None = None) -> Keyring:
    """The keyring from `REVU_SECRET_KEYS`; else, when `data_dir` is given (the embedded
    default), the keyring file there, generated on first use."""
    env = os.environ if env is None else env
    text = env.get("REVU_SECRET_KEYS", "").strip()
    if text:
        return Keyring.parse(text)
    if data_dir is None:
        raise KeyringError(
            "no keyring for keys at rest",
            "set REVU_SECRET_KEYS to the same id:base64key list on every machine "
            "(`revu secrets generate` prints one)",
        )
    path = data_dir / KEYRING_FILE
    text = read_or_create_secret(path, lambda: KeyringKey.generate().entry(), "a keyring")
    return Keyring.parse(text, source=str(path))


def prepend_key_to_file(path: Path, key: KeyringKey) -> None:
    """Make `key` the primary of the keyring file at `path`, keeping the older keys."""
    old = path.read_text(encoding="utf-8").strip() if path.exists() else ""
    replace_secret(path, key.entry() + ("\n" + old if old else ""))


def _parse_entry(entry: str, source: str) -> KeyringKey:
    key_id, sep, material = entry.rpartition(":")
    if not sep:
        key_id, material = "", entry
    try:
        secret = base64.b64decode(material, validate=True)
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != 32:
        raise KeyringError(
            f"a keyring entry in {source} is not a base64 32-byte key",
            "each entry is id:base64key; `revu secrets generate` prints one",
        )
    key_id = key_id or _derived_id(secret)
    if not _KEY_ID.match(key_id):
        raise KeyringError(
            f"keyring key id {key_id!r} in {source} is not valid",
            "use letters, digits, '-' or '_' (at most 32)",
        )
    return KeyringKey(id=key_id, secret=secret)


def _derived_id(secret: bytes) -> str:
    return "k" + hashlib.sha256(secret).hexdigest()[:8]
