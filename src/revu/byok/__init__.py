"""BYOK: where a slot's configuration comes from (the environment in Fixed Mode, or an org's)."""

from __future__ import annotations

from revu.byok._env import (
    SettingsError,
    env_diagnosis,
    env_hint,
    fixed_mode,
    limiter_from_env,
    read_environment,
    routing_from_env,
    setting_variable,
)

__all__ = [
    "SettingsError",
    "env_diagnosis",
    "env_hint",
    "fixed_mode",
    "limiter_from_env",
    "read_environment",
    "routing_from_env",
    "setting_variable",
]

# Per-organization BYOK: validation, masking, resolution to slots, the service the server uses.
from revu.byok._errors import (
    ByokError,
    FixedModeActive,
    InvalidSetting,
    SlotNotSet,
    StoredKeyUnreadable,
)
from revu.byok._preview import preview_body
from revu.byok._schema import (
    ByokView,
    PreviewIn,
    PreviewOut,
    SavedSlot,
    SlotSettingsIn,
    SlotView,
)
from revu.byok._service import SLOTS, Byok, FixedMode
from revu.byok._validate import CheckedSettings, check_settings, key_plan_warnings
from revu.byok._view import mask, mask_key, slot_from_row

__all__ += [
    "SLOTS",
    "Byok",
    "ByokError",
    "ByokView",
    "CheckedSettings",
    "FixedMode",
    "FixedModeActive",
    "InvalidSetting",
    "PreviewIn",
    "PreviewOut",
    "SavedSlot",
    "SlotNotSet",
    "SlotSettingsIn",
    "SlotView",
    "StoredKeyUnreadable",
    "check_settings",
    "key_plan_warnings",
    "mask",
    "mask_key",
    "preview_body",
    "slot_from_row",
]
