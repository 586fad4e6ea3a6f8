from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from revu.store import Keyring, KeyringError, KeyringKey, load_keyring, prepend_key_to_file

KEY_A = base64.b64encode(b"a" * 32).decode()
KEY_B = base64.b64encode(b"b" * 32).decode()


def test_a_sealed_key_opens_only_for_its_own_context() -> None:
    ring = Keyring.parse(f"one:{KEY_A}")
    sealed = ring.encrypt("sk-secret-1234", b"org-1/main")
    assert "sk-secret" not in sealed
    assert ring.decrypt(sealed, b"org-1/main") == "sk-secret-1234"
    with pytest.raises(KeyringError, match="does not open"):
        ring.decrypt(sealed, b"org-2/main")


def test_every_key_decrypts_and_the_first_encrypts() -> None:
    old = Keyring.parse(f"old:{KEY_A}")
    sealed_by_old = old.encrypt("sk-old", b"ctx")
    both = Keyring.parse(f"new:{KEY_B},old:{KEY_A}")
    assert both.decrypt(sealed_by_old, b"ctx") == "sk-old"
    assert both.needs_rotation(sealed_by_old)
    sealed_by_new = both.encrypt("sk-new", b"ctx")
    assert sealed_by_new.split(".")[1] == "new"
    assert not both.needs_rotation(sealed_by_new)


def test_a_key_missing_from_the_ring_is_named_with_the_fix() -> None:
    sealed = Keyring.parse(f"gone:{KEY_A}").encrypt("sk-x", b"ctx")
    with pytest.raises(KeyringError) as caught:
        Keyring.parse(f"other:{KEY_B}").decrypt(sealed, b"ctx")
    assert "'gone'" in caught.value.message
    assert "REVU_SECRET_KEYS" in caught.value.hint


def test_entries_without_an_id_get_a_stable_derived_one() -> None:
    assert Keyring.parse(KEY_A).primary.id == Keyring.parse(KEY_A).primary.id
    assert Keyring.parse(KEY_A).primary.id != Keyring.parse(KEY_B).primary.id


@pytest.mark.parametrize(
    "text",
    [
        "k1:" + base64.b64encode(b"short").decode(),
        "k1:not base64 at all!!",
        f"bad id:{KEY_A}",
        f"k1:{KEY_A},k1:{KEY_B}",
    ],
)
def test_malformed_keyrings_are_refused_without_echoing_the_material(text: str) -> None:
    with pytest.raises(KeyringError) as caught:
        Keyring.parse(text)
    assert KEY_A not in str(caught.value) and KEY_B not in str(caught.value)
    assert "not base64 at all" not in str(caught.value)


def test_the_embedded_default_generates_a_private_keyring_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = load_keyring({}, data_dir=tmp_path)
    said = capsys.readouterr().err
    again = load_keyring({}, data_dir=tmp_path)
    assert "generated a keyring" in said and str(tmp_path) in said
    assert capsys.readouterr().err == ""
    assert again.primary == first.primary
    mode = stat.S_IMODE(os.stat(tmp_path / "secret-keys").st_mode)
    assert mode == 0o600


def test_without_a_data_dir_the_keyring_must_come_from_the_environment() -> None:
    with pytest.raises(KeyringError) as caught:
        load_keyring({}, data_dir=None)
    assert "REVU_SECRET_KEYS" in caught.value.hint
    assert load_keyring({"REVU_SECRET_KEYS": f"k:{KEY_A}"}).primary.id == "k"


def test_a_new_key_put_first_in_the_file_keeps_the_old_ones(tmp_path: Path) -> None:
    old = load_keyring({}, data_dir=tmp_path)
    fresh = KeyringKey.generate()
    prepend_key_to_file(tmp_path / "secret-keys", fresh)
    ring = load_keyring({}, data_dir=tmp_path)
    assert [key.id for key in ring.keys] == [fresh.id, old.primary.id]
    assert stat.S_IMODE(os.stat(tmp_path / "secret-keys").st_mode) == 0o600
