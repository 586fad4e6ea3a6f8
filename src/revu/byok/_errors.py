"""What an organization's BYOK request can run into, each with a code, a message and a fix."""

from __future__ import annotations


class ByokError(Exception):
    """A refused BYOK request: `status` for HTTP, `code` for machines, `hint` for people."""

    status = 400
    code = "byok_error"

    def __init__(self, message: str, hint: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field


class InvalidSetting(ByokError):
    """One field of a slot setting is wrong; `field` names it."""

    status = 422
    code = "invalid_setting"


class FixedModeActive(ByokError):
    """The server's environment sets the model (REVU_LLM_PROVIDER): BYOK is read-only."""

    status = 409
    code = "fixed_mode"

    def __init__(self) -> None:
        super().__init__(
            "this server is in Fixed Mode: its environment (REVU_LLM_PROVIDER) sets the model "
            "for every organization",
            "ask the operator to unset REVU_LLM_PROVIDER to let organizations bring their own key",
        )


class SlotNotSet(ByokError):
    """The organization has not configured this slot."""

    status = 404
    code = "slot_not_set"

    def __init__(self, slot: str) -> None:
        super().__init__(
            f"the {slot} slot is not configured",
            f"set it first with PUT /api/v1/byok/{slot} or on the BYOK page",
        )


class StoredKeyUnreadable(ByokError):
    """A stored key no longer opens with the server's keyring."""

    status = 409
    code = "stored_key_unreadable"
