"""The names other layers import from revu.llm, revu.catalog and revu.byok stay put."""

from __future__ import annotations

import revu.byok
import revu.catalog
import revu.llm

LLM_NAMES = {
    "Gateway",
    "GatewayEvent",
    "Limiter",
    "LocalLimiter",
    "RedisLimiter",
    "LimiterUnavailable",
    "limiter_for",
    "LLMError",
    "NoSlotAnswered",
    "ContextTooLong",
    "ContentFiltered",
    "QuotaExhausted",
    "RateLimited",
    "Overloaded",
    "AuthError",
    "EndpointMismatch",
    "AccessTerminated",
    "ModelNotFound",
    "Transient",
    "Timeout",
    "Unreachable",
    "SettingFix",
    "BadRequest",
    "probe",
    "ProbeResult",
    "estimate_tokens",
    "RetryPolicy",
    "http_client",
    "Slot",
    "Routing",
    "ChatRequest",
    "ChatMessage",
    "Completion",
    "Usage",
    "Thinking",
    "Wire",
}


def test_llm_exports() -> None:
    assert set(revu.llm.__all__) >= LLM_NAMES
    for name in revu.llm.__all__:
        assert hasattr(revu.llm, name)


def test_catalog_and_byok_exports() -> None:
    assert {"Catalog", "load_catalog", "Provider", "Card", "Price", "Model"} <= set(
        revu.catalog.__all__
    )
    assert {
        "routing_from_env",
        "fixed_mode",
        "SettingsError",
        "env_hint",
        "env_diagnosis",
        "setting_variable",
    } <= set(revu.byok.__all__)


def test_every_error_is_an_llm_error_with_a_hint() -> None:
    for name in LLM_NAMES:
        value = getattr(revu.llm, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, revu.llm.LLMError)
