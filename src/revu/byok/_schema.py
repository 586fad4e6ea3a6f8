"""The JSON shapes of the BYOK API: what a PUT sends and what a GET shows (keys masked)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

SlotLiteral = Literal["main", "fallback"]
ThinkingLiteral = Literal["off", "low", "medium", "high"]


class SlotSettingsIn(BaseModel):
    """PUT /api/v1/byok/{slot}: omit `api_key` to keep the stored one."""

    # hide_input_in_errors: a ValidationError's text must never carry the key.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True)

    card: str | None = Field(None, description="a catalog card id, e.g. kimi-k2.6-coding")
    provider: str | None = Field(None, description="catalog provider id (default: the card's)")
    plan: str | None = Field(None, description="moonshot: developer, code or china")
    model: str | None = Field(None, description="model id (default: the card's)")
    base_url: str | None = Field(None, description="overrides the plan's base URL")
    api_key: SecretStr | None = Field(None, description="write-only; omit to keep the stored key")
    max_concurrent: int | None = Field(None, gt=0, description="empty: the plan's default")
    rpm: int | None = Field(None, gt=0)
    tpm: int | None = Field(None, gt=0)
    thinking: ThinkingLiteral | None = Field(None, description="default: the card's level")
    override_json: str | dict[str, Any] | None = Field(
        None, description="custom JSON merged into every request body"
    )

    @field_validator("card", "provider", "plan", "model", "base_url", mode="after")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_key_is_unset(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value

    def key(self) -> str | None:
        """The key sent, in plaintext (None: keep the stored one)."""
        return self.api_key.get_secret_value() if self.api_key is not None else None

    def override_text(self) -> str | None:
        """The override as text (an object is serialized), None when empty."""
        if self.override_json is None:
            return None
        if isinstance(self.override_json, dict):
            return json.dumps(self.override_json, indent=2) if self.override_json else None
        return self.override_json.strip() or None


class Effective(BaseModel):
    """What the gateway will use once defaults are filled in."""

    base_url: str
    max_concurrent: int | None
    rpm: int | None
    tpm: int | None


class SlotView(BaseModel):
    """One slot as GET shows it: the key only masked, never in plaintext."""

    slot: SlotLiteral
    source: Literal["organization", "environment"]
    card: str | None
    provider: str
    provider_label: str
    plan: str | None
    plan_label: str | None
    model: str
    base_url: str | None
    api_key: str | None = Field(description="masked, e.g. sk-…abcd; null when no key is set")
    max_concurrent: int | None
    rpm: int | None
    tpm: int | None
    thinking: ThinkingLiteral
    override_json: str | None
    effective: Effective
    updated_at: datetime | None = None


class ByokView(BaseModel):
    """GET /api/v1/byok."""

    mode: Literal["byok", "fixed"]
    main: SlotView | None
    fallback: SlotView | None


class SavedSlot(BaseModel):
    """PUT's answer: the slot as stored, and warnings worth acting on (e.g. a key/plan mismatch)."""

    slot: SlotView
    warnings: list[str]


class PreviewIn(BaseModel):
    """POST …/preview: the settings to preview (the key is not needed)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, hide_input_in_errors=True)

    card: str | None = None
    provider: str | None = None
    plan: str | None = None
    model: str | None = None
    base_url: str | None = None
    thinking: ThinkingLiteral | None = None
    override_json: str | dict[str, Any] | None = None


class PreviewOut(BaseModel):
    """The request body these settings produce for a review call, and any warnings."""

    body: dict[str, Any]
    namespace: str
    warnings: list[str]
