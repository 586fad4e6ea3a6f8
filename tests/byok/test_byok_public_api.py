"""The per-organization BYOK names the server (and later the worker) import stay put."""

from __future__ import annotations

import revu.byok

ORG_BYOK = {
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
}


def test_the_per_organization_exports_stay_put() -> None:
    assert set(revu.byok.__all__) >= ORG_BYOK
    for name in ORG_BYOK:
        assert getattr(revu.byok, name) is not None
