"""Settings from the environment and .env: defaults, precedence, errors naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from revu.byok import (
    SettingsError,
    env_diagnosis,
    env_hint,
    fixed_mode,
    routing_from_env,
    setting_variable,
)
from revu.catalog import Thinking, Wire
from revu.llm import AuthError, EndpointMismatch, NoSlotAnswered, QuotaExhausted, SettingFix

KEY = {"MOONSHOT_API_KEY": "sk-dev"}


@pytest.fixture(autouse=True)
def _no_user_providers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own providers.toml out of these tests."""
    monkeypatch.setenv("REVU_CONFIG_DIR", str(tmp_path / "config"))


def routing(**env: str):  # type: ignore[no-untyped-def]
    return routing_from_env(env, env_file=None)


def test_defaults_are_the_recommended_kimi_card_on_the_developer_plan() -> None:
    r = routing(**KEY)
    main = r.main
    assert (main.provider, main.plan, main.model) == ("moonshot", "developer", "kimi-k2.6")
    assert main.base_url == "https://api.moonshot.ai/v1"
    assert main.thinking is Thinking.MEDIUM and main.wire is Wire.OPENAI
    assert main.api_key == "sk-dev" and main.max_concurrent is None
    assert r.fallback is None


def test_code_plan_uses_its_model_id_url_and_cap() -> None:
    main = routing(REVU_LLM_PLAN="code", MOONSHOT_API_KEY="sk-kimi-x").main
    assert main.model == "kimi-for-coding"
    assert main.base_url == "https://api.kimi.com/coding/v1"
    assert main.max_concurrent == 30 and main.thinking is Thinking.MEDIUM


def test_explicit_settings_win() -> None:
    main = routing(
        REVU_LLM_PROVIDER="moonshot",
        REVU_LLM_PLAN="china",
        REVU_LLM_MODEL="kimi-k2-0905-preview",
        REVU_LLM_API_KEY="sk-explicit",
        MOONSHOT_API_KEY="sk-usual",
        REVU_LLM_BASE_URL="http://127.0.0.1:9/v1/",
        REVU_LLM_MAX_CONCURRENT="7",
        REVU_LLM_RPM="100",
        REVU_LLM_TPM="200000",
        REVU_LLM_THINKING="HIGH",
    ).main
    assert main.api_key == "sk-explicit" and main.base_url == "http://127.0.0.1:9/v1"
    assert (main.max_concurrent, main.rpm, main.tpm) == (7, 100, 200_000)
    assert main.thinking is Thinking.HIGH and main.plan == "china"


def test_instant_model_defaults_to_thinking_off() -> None:
    assert routing(REVU_LLM_MODEL="kimi-k2-0905-preview", **KEY).main.thinking is Thinking.OFF


@pytest.mark.parametrize(
    ("provider", "variable", "model", "wire"),
    [
        ("openai", "OPENAI_API_KEY", "gpt-5", Wire.OPENAI),
        ("anthropic", "ANTHROPIC_API_KEY", "claude-sonnet-4-6", Wire.ANTHROPIC),
        ("openrouter", "OPENROUTER_API_KEY", "moonshotai/kimi-k2-0905", Wire.OPENAI),
    ],
)
def test_each_provider_reads_its_usual_key_variable(
    provider: str, variable: str, model: str, wire: Wire
) -> None:
    main = routing(REVU_LLM_PROVIDER=provider, **{variable: "k-1"}).main
    assert main.api_key == "k-1" and main.model == model and main.wire is wire
    assert main.plan is None


def test_empty_values_count_as_unset() -> None:
    main = routing(REVU_LLM_PLAN="", REVU_LLM_MAX_CONCURRENT=" ", **KEY).main
    assert main.plan == "developer" and main.max_concurrent is None


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "REVU_LLM_API_KEY or MOONSHOT_API_KEY"),
        ({"REVU_LLM_PROVIDER": "moonshoot", **KEY}, "REVU_LLM_PROVIDER"),
        ({"REVU_LLM_PLAN": "pro", **KEY}, "REVU_LLM_PLAN"),
        (
            {"REVU_LLM_PROVIDER": "openai", "REVU_LLM_PLAN": "code", "OPENAI_API_KEY": "k"},
            "REVU_LLM_PLAN",
        ),
        ({"REVU_LLM_THINKING": "max", **KEY}, "REVU_LLM_THINKING"),
        ({"REVU_LLM_MAX_CONCURRENT": "ten", **KEY}, "REVU_LLM_MAX_CONCURRENT"),
        ({"REVU_LLM_RPM": "-1", **KEY}, "REVU_LLM_RPM"),
        ({"REVU_LLM_TPM": "1.5", **KEY}, "REVU_LLM_TPM"),
        ({"REVU_LLM_BASE_URL": "api.moonshot.ai/v1", **KEY}, "REVU_LLM_BASE_URL"),
        ({"REVU_LLM_OVERRIDE_JSON": "{thinking: off}", **KEY}, "REVU_LLM_OVERRIDE_JSON"),
        ({"REVU_LLM_OVERRIDE_JSON": "[1]", **KEY}, "REVU_LLM_OVERRIDE_JSON"),
        ({"REVU_LLM_OVERRIDE_JSON": '{"model": "x"}', **KEY}, "REVU_LLM_OVERRIDE_JSON"),
        ({"REVU_LLM_OVERRIDE_JSON": '{"messages": []}', **KEY}, "REVU_LLM_OVERRIDE_JSON"),
        (
            {"REVU_LLM_OVERRIDE_JSON": '{"openaiCompatible": {"stream": true}}', **KEY},
            "REVU_LLM_OVERRIDE_JSON",
        ),
        (
            {"REVU_FALLBACK_OVERRIDE_JSON": '{"stream": false}', **KEY},
            "REVU_FALLBACK_OVERRIDE_JSON",
        ),
        ({"REVU_LLM_PROVIDER": "openai_compatible", "REVU_LLM_MODEL": "m"}, "REVU_LLM_BASE_URL"),
        (
            {"REVU_LLM_PROVIDER": "openai_compatible", "REVU_LLM_BASE_URL": "http://x/v1"},
            "REVU_LLM_MODEL",
        ),
        ({"REVU_FALLBACK_THINKING": "lots", **KEY}, "REVU_FALLBACK_THINKING"),
        ({"REVU_FALLBACK_PROVIDER": "openai", **KEY}, "REVU_FALLBACK_API_KEY or OPENAI_API_KEY"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as caught:
        routing_from_env(env, env_file=None)
    message = str(caught.value)
    assert variable in message
    assert "\n" not in message


def test_override_is_namespaced_for_the_provider() -> None:
    main = routing(REVU_LLM_OVERRIDE_JSON='{"thinking": {"type": "disabled"}}', **KEY).main
    assert main.override == {"openaiCompatible": {"thinking": {"type": "disabled"}}}
    anthropic = routing(
        REVU_LLM_PROVIDER="anthropic",
        ANTHROPIC_API_KEY="k",
        REVU_LLM_OVERRIDE_JSON='{"anthropic": {"top_k": 3}, "openai": {"user": "x"}}',
    ).main
    assert anthropic.override == {"anthropic": {"top_k": 3}, "openai": {"user": "x"}}


def test_fallback_defaults_to_the_main_provider_and_plan() -> None:
    r = routing(
        REVU_LLM_PLAN="code",
        MOONSHOT_API_KEY="sk-kimi-main",
        REVU_FALLBACK_MODEL="kimi-for-coding",
        REVU_FALLBACK_API_KEY="sk-kimi-other",
    )
    assert r.fallback is not None
    assert r.fallback.name == "fallback" and r.fallback.plan == "code"
    assert r.fallback.api_key == "sk-kimi-other" and r.fallback.max_concurrent == 30


def test_fallback_on_another_provider_uses_that_providers_key() -> None:
    r = routing(REVU_FALLBACK_PROVIDER="openai", OPENAI_API_KEY="sk-openai", **KEY)
    assert r.fallback is not None
    assert (r.fallback.provider, r.fallback.model, r.fallback.api_key) == (
        "openai",
        "gpt-5",
        "sk-openai",
    )


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# revu settings\nREVU_LLM_PLAN=china\nMOONSHOT_API_KEY=sk-from-file\nREVU_LLM_RPM=5\n"
    )
    main = routing_from_env({"REVU_LLM_RPM": "9"}, env_file=env_file).main
    assert main.plan == "china" and main.api_key == "sk-from-file" and main.rpm == 9
    missing = routing_from_env(KEY, env_file=tmp_path / "missing.env")
    assert missing.main.api_key == "sk-dev"


def test_fixed_mode_follows_revu_llm_provider(tmp_path: Path) -> None:
    assert fixed_mode({"REVU_LLM_PROVIDER": "moonshot"}, env_file=None)
    assert not fixed_mode({"MOONSHOT_API_KEY": "k"}, env_file=None)
    assert not fixed_mode({"REVU_LLM_PROVIDER": ""}, env_file=None)
    env_file = tmp_path / ".env"
    env_file.write_text("REVU_LLM_PROVIDER=openai\n")
    assert fixed_mode({}, env_file=env_file)


def test_user_providers_file_errors_become_settings_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "providers.toml").write_text("[providers.x\n")
    monkeypatch.setenv("REVU_CONFIG_DIR", str(tmp_path))
    with pytest.raises(SettingsError) as caught:
        routing(**KEY)
    assert "providers.toml" in str(caught.value)


def test_fallback_on_the_same_plan_keeps_the_main_base_url() -> None:
    r = routing(REVU_LLM_BASE_URL="http://proxy:8080/v1", REVU_FALLBACK_MODEL="kimi-k2.5", **KEY)
    assert r.fallback is not None and r.fallback.base_url == "http://proxy:8080/v1"
    other = routing(
        REVU_LLM_BASE_URL="http://proxy:8080/v1", REVU_FALLBACK_PLAN="china", **KEY
    ).fallback
    assert other is not None and other.base_url == "https://api.moonshot.cn/v1"


def test_a_fix_is_worded_as_the_variable_of_the_slot_that_failed() -> None:
    hint = "this is a Kimi Code key: choose the Kimi Code Plan (https://api.kimi.com/coding/v1)"
    code = (SettingFix("plan", "code"),)
    assert env_hint(hint, code, "main") == f"{hint}; set REVU_LLM_PLAN=code"
    assert env_hint(hint, code, "fallback").endswith("; set REVU_FALLBACK_PLAN=code")
    assert env_hint(hint, (), "main") == hint
    assert setting_variable("fallback", "max_concurrent") == "REVU_FALLBACK_MAX_CONCURRENT"


def test_key_and_fallback_fixes_name_the_usual_variables() -> None:
    key = env_hint("check the key", (SettingFix("api_key"),), "main", "moonshot")
    assert key == "check the key; set REVU_LLM_API_KEY (or MOONSHOT_API_KEY)"
    elsewhere = (SettingFix("provider", slot="fallback"),)
    assert env_hint("top it up", elsewhere, "main", "moonshot").endswith(
        "set REVU_FALLBACK_PROVIDER"
    )
    choices = (SettingFix("max_concurrent"), SettingFix("rpm"), SettingFix("tpm"))
    assert env_hint("slow down", choices, "main").endswith(
        "set REVU_LLM_MAX_CONCURRENT or REVU_LLM_RPM or REVU_LLM_TPM"
    )


def test_env_diagnosis_words_each_slots_fixes_with_its_own_variables() -> None:
    main = QuotaExhausted(
        "insufficient balance",
        hint="top it up at platform.moonshot.ai, or configure a fallback slot",
        fixes=(SettingFix("provider", slot="fallback"),),
        slot="main",
        provider="moonshot",
    )
    fallback = EndpointMismatch(
        "Invalid Authentication",
        hint="this is a Kimi Code key: choose the Kimi Code Plan",
        fixes=(SettingFix("plan", "code"),),
        slot="fallback",
        provider="moonshot",
    )
    both = env_diagnosis(NoSlotAnswered([main, fallback]))
    assert both.startswith("no slot could answer: main slot (moonshot): QuotaExhausted")
    assert "configure a fallback slot; set REVU_FALLBACK_PROVIDER;" in both
    assert both.endswith("choose the Kimi Code Plan; set REVU_FALLBACK_PLAN=code")
    assert "REVU_" not in NoSlotAnswered([main, fallback]).diagnosis()
    one = AuthError("no", hint="check the key", fixes=(SettingFix("api_key"),), slot="main")
    assert env_diagnosis(one) == "main slot: AuthError: no — check the key; set REVU_LLM_API_KEY"
