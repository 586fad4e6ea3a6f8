"""The store's one error shape: what went wrong, and the setting that fixes it."""

from __future__ import annotations


class StoreError(Exception):
    """The database or the keyring cannot be used; `hint` says what to set."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})"
