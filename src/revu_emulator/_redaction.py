"""Keeping keys out of logs and stats (stdlib only: the admin client uses it too)."""

from __future__ import annotations

import hashlib

REDACTED_HEADERS = frozenset({"authorization", "x-api-key"})


def key_label(key: str) -> str:
    """How stats name a key: a short prefix and a hash, never the whole key."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:6]
    return f"{key[: min(7, len(key) // 2)]}…{digest}"


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Headers as logged: credentials replaced by "[redacted]"."""
    return {k: "[redacted]" if k.lower() in REDACTED_HEADERS else v for k, v in headers.items()}
