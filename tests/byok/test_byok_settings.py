"""Checking an organization's slot settings against the catalog, and resolving them to slots."""

from __future__ import annotations

from typing import Any

import pytest

from revu.byok import InvalidSetting, SlotSettingsIn, check_settings, slot_from_row
from revu.catalog import BUILTIN_CATALOG
from revu.llm import Thinking, Wire
from revu.store import SlotSetting


def checked(has_stored_key: bool = False, **fields: Any) -> Any:
    return check_settings(SlotSettingsIn(**fields), BUILTIN_CATALOG, has_stored_key=has_stored_key)


def test_a_card_fills_provider_model_and_thinking() -> None:
    result = checked(card="kimi-k2.6-coding", plan="developer", api_key="sk-dev-key-000000000000")
    values = result.values
    assert (values.provider, values.model, values.plan) == ("moonshot", "kimi-k2.6", "developer")
    assert result.thinking is Thinking.MEDIUM and values.thinking == "medium"
    assert values.base_url is None  # the plan's URL, resolved when used


def test_the_code_plan_uses_the_model_id_its_endpoint_lists() -> None:
    result = checked(card="kimi-k2.6-coding", plan="code", api_key="sk-kimi-0000000000000000")
    assert result.values.model == "kimi-for-coding"
    assert result.warnings == []


def test_an_explicit_thinking_level_wins_over_the_card() -> None:
    result = checked(card="kimi-k2.6-coding", thinking="off", api_key="sk-x-000000000000000")
    assert result.thinking is Thinking.OFF


@pytest.mark.parametrize(
    ("plan", "key", "expected"),
    [
        ("developer", "sk-kimi-abcdefghijklmnop", "choose Kimi Code Plan"),
        ("code", "sk-abcdefghijklmnopqrstu", "keys start with sk-kimi-"),
        ("code", "sk-kimi-abcdefghijklmnop", None),
        ("developer", "sk-abcdefghijklmnopqrstu", None),
    ],
)
def test_a_key_shaped_for_another_plan_is_flagged(
    plan: str, key: str, expected: str | None
) -> None:
    warnings = checked(card="kimi-k2.6-coding", plan=plan, api_key=key).warnings
    if expected is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and expected in warnings[0]
        assert key not in warnings[0]


def test_a_manual_endpoint_needs_its_base_url_and_model() -> None:
    with pytest.raises(InvalidSetting) as caught:
        checked(provider="openai_compatible", model="qwen")
    assert caught.value.field == "base_url"
    with pytest.raises(InvalidSetting) as caught:
        checked(provider="openai_compatible", base_url="http://llm.internal:8080/v1")
    assert caught.value.field == "model"
    fine = checked(provider="openai_compatible", base_url="http://llm.internal:8080/v1/", model="q")
    assert fine.values.base_url == "http://llm.internal:8080/v1" and fine.values.api_key is None


def test_a_bare_override_is_wrapped_under_the_provider_namespace() -> None:
    result = checked(
        card="kimi-k2.6-coding", api_key="sk-x-000000000000000", override_json={"max_tokens": 9}
    )
    assert result.override == {"openaiCompatible": {"max_tokens": 9}}


def test_override_keys_for_another_provider_are_reported() -> None:
    result = checked(
        card="kimi-k2.6-coding",
        api_key="sk-x-000000000000000",
        override_json='{"anthropic": {"top_k": 3}}',
    )
    assert any("reach no request" in warning for warning in result.warnings)


def test_sampling_overrides_on_a_fixed_sampling_model_are_flagged() -> None:
    result = checked(
        card="kimi-k2.6-coding",
        api_key="sk-x-000000000000000",
        override_json='{"temperature": 0.2}',
    )
    assert any("temperature" in warning for warning in result.warnings)


def test_a_stored_row_resolves_to_the_slot_the_gateway_runs() -> None:
    row = SlotSetting(
        org_id="o1",
        slot="fallback",
        provider="moonshot",
        plan="code",
        model="kimi-for-coding",
        base_url=None,
        max_concurrent=None,
        rpm=None,
        tpm=None,
        thinking="medium",
        override_json='{"max_tokens": 100}',
    )
    slot = slot_from_row(row, "sk-kimi-secret", BUILTIN_CATALOG)
    assert slot.name == "fallback" and slot.wire is Wire.OPENAI
    assert slot.base_url == "https://api.kimi.com/coding/v1"
    assert slot.max_concurrent == 30  # the plan's default when none is set
    assert slot.thinking is Thinking.MEDIUM
    assert slot.override == {"openaiCompatible": {"max_tokens": 100}}
    assert "sk-kimi-secret" not in repr(slot)
