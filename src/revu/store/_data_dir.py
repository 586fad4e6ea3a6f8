"""The embedded default's data directory, and the secret files revu keeps in it (mode 0600)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import platformdirs

from revu.store._errors import StoreError


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """`REVU_DATA_DIR`, else the platform's user data dir for revu (created if missing)."""
    env = os.environ if env is None else env
    raw = env.get("REVU_DATA_DIR", "").strip()
    path = Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir("revu"))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the data dir {path} ({exc.strerror or type(exc).__name__})",
            "set REVU_DATA_DIR to a directory revu may write",
        ) from None
    return path


def read_or_create_secret(path: Path, make: Callable[[], str], what: str) -> str:
    """The secret stored at `path`; on first use generate it with mode 0600 and say so once.

    The file is created with O_EXCL so two processes starting together agree on one secret:
    the loser of the race reads what the winner wrote.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    value = make()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    print(
        f"revu: generated {what} at {path} (mode 0600); keep it with the database.", file=sys.stderr
    )
    return value


def replace_secret(path: Path, value: str) -> None:
    """Write `value` to `path` with mode 0600, all at once: a reader sees the old file or the
    new one, never half of it."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    tmp.replace(path)


def _read_when_written(path: Path) -> str:
    # A concurrent creator may not have written yet; the secret is one short line.
    for _ in range(50):
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
        time.sleep(0.02)
    raise StoreError(f"{path} is empty", "delete it to let revu generate a new one")
