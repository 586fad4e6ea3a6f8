"""The catalog: Moonshot's plans and prices as MOONSHOT.md has them, cards, user providers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from revu.catalog import (
    BUILTIN_CATALOG,
    CatalogError,
    Thinking,
    ThinkingStyle,
    Wire,
    load_catalog,
)

C = BUILTIN_CATALOG


def test_moonshot_plans_and_base_urls() -> None:
    moonshot = C.provider("moonshot")
    assert moonshot is not None
    urls = {p.id: p.base_url for p in moonshot.plans}
    assert urls == {
        "developer": "https://api.moonshot.ai/v1",
        "china": "https://api.moonshot.cn/v1",
        "code": "https://api.kimi.com/coding/v1",
    }
    assert moonshot.default_plan.id == "developer"
    code = moonshot.plan("code")
    assert code is not None and code.max_concurrent == 30 and code.key_prefix == "sk-kimi-"


@pytest.mark.parametrize(
    ("model", "hit", "miss", "output"),
    [
        ("kimi-k2.6", 0.16, 0.95, 4.00),
        ("kimi-k2.5", 0.10, 0.60, 3.00),
        ("kimi-k2-0905-preview", 0.15, 0.60, 2.50),
        ("kimi-k2-turbo-preview", 0.15, 1.15, 8.00),
        ("kimi-k2-thinking", 0.15, 0.60, 2.50),
    ],
)
def test_moonshot_prices_and_context(model: str, hit: float, miss: float, output: float) -> None:
    info = C.model("moonshot", model)
    assert info.context_window == 262_144
    assert info.price is not None
    assert (info.price.cache_hit, info.price.cache_miss, info.price.output) == (hit, miss, output)


def test_the_recommended_card_is_kimi_k26_coding() -> None:
    card = C.recommended_card()
    assert card is not None
    assert (card.title, card.provider, card.model, card.thinking) == (
        "Kimi K2.6 Coding",
        "moonshot",
        "kimi-k2.6",
        Thinking.MEDIUM,
    )
    assert C.default_model("moonshot", "code") == "kimi-for-coding"
    assert C.default_thinking("moonshot", "kimi-for-coding", "code") is Thinking.MEDIUM
    assert C.model("moonshot", "kimi-for-coding", "code").profile.fixed_sampling


def test_kimi_profiles() -> None:
    k26 = C.model("moonshot", "kimi-k2.6").profile
    assert k26.fixed_sampling and k26.thinking is ThinkingStyle.TOGGLE and k26.json_mode
    assert C.model("moonshot", "kimi-k2-0905-preview").profile.thinking is ThinkingStyle.NONE
    assert C.model("moonshot", "kimi-k2-thinking").profile.thinking is ThinkingStyle.ALWAYS


@pytest.mark.parametrize(
    ("provider", "key_env", "wire", "namespace"),
    [
        ("moonshot", "MOONSHOT_API_KEY", Wire.OPENAI, "openaiCompatible"),
        ("openai", "OPENAI_API_KEY", Wire.OPENAI, "openai"),
        ("anthropic", "ANTHROPIC_API_KEY", Wire.ANTHROPIC, "anthropic"),
        ("openrouter", "OPENROUTER_API_KEY", Wire.OPENAI, "openaiCompatible"),
        ("openai_compatible", None, Wire.OPENAI, "openaiCompatible"),
    ],
)
def test_providers_know_key_wire_and_namespace(
    provider: str, key_env: str | None, wire: Wire, namespace: str
) -> None:
    p = C.provider(provider)
    assert p is not None
    assert (p.key_env, p.wire, p.namespace) == (key_env, wire, namespace)


def test_every_fact_has_a_source_and_a_date() -> None:
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for provider in C.providers:
        assert provider.source.url and iso.match(provider.source.date)
        for plan in provider.plans:
            assert iso.match(plan.source.date)
        for model in [*provider.models, *(m for p in provider.plans for m in p.models or ())]:
            assert model.source.url and iso.match(model.source.date), model.id
            if model.price is not None:
                assert model.price.source.url and iso.match(model.price.source.date)
            else:
                assert model.price_note, model.id  # says why: subscription, varies, unknown


def test_only_the_kimi_code_model_is_paid_by_subscription() -> None:
    paid_by_plan = {
        m.id
        for p in C.providers
        for m in [*p.models, *(m for plan in p.plans for m in plan.models or ())]
        if m.subscription
    }
    assert paid_by_plan == {"kimi-for-coding"}
    assert C.model("moonshot", "kimi-for-coding", "code").to_json()["subscription"] is True


def test_unknown_models_get_safe_defaults_and_no_price() -> None:
    info = C.model("openai_compatible", "my-local-llama")
    assert info.context_window == 32_768 and info.price is None
    assert info.price_note == "unknown price"
    assert C.model("moonshot", "kimi-k3-preview").context_window == 131_072


def test_json_carries_cards_plans_models_and_sources() -> None:
    data = C.to_json()
    assert data["cards"][0]["title"] == "Kimi K2.6 Coding" and data["cards"][0]["recommended"]
    moonshot = next(p for p in data["providers"] if p["id"] == "moonshot")
    code = next(p for p in moonshot["plans"] if p["id"] == "code")
    assert code["max_concurrent"] == 30
    assert code["models"][0]["id"] == "kimi-for-coding"
    k26 = next(m for m in moonshot["models"] if m["id"] == "kimi-k2.6")
    assert k26["price"]["cache_miss"] == 0.95 and k26["price"]["source"]["date"]


USER_TOML = """
[providers.deepseek]
label = "DeepSeek"
base_url = "https://api.deepseek.com/v1"
key_env = "DEEPSEEK_API_KEY"
max_concurrent = 10

[[providers.deepseek.models]]
id = "deepseek-chat"
context_window = 65536
price = { cache_hit = 0.07, cache_miss = 0.27, output = 1.10 }
thinking = "none"
"""


def test_users_add_openai_compatible_providers_without_code(tmp_path: Path) -> None:
    (tmp_path / "providers.toml").write_text(USER_TOML)
    catalog = load_catalog(tmp_path)
    deepseek = catalog.provider("deepseek")
    assert deepseek is not None and deepseek.user_defined
    assert deepseek.wire is Wire.OPENAI and deepseek.namespace == "openaiCompatible"
    assert deepseek.default_plan.base_url == "https://api.deepseek.com/v1"
    assert deepseek.default_plan.max_concurrent == 10
    assert catalog.default_model("deepseek") == "deepseek-chat"
    price = catalog.price("deepseek", "deepseek-chat")
    assert price is not None and price.cache_miss == 0.27
    assert catalog.model("deepseek", "deepseek-chat").context_window == 65_536
    assert catalog.provider("moonshot") is not None  # built-ins stay


def test_the_config_dir_comes_from_revu_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "providers.toml").write_text(USER_TOML)
    monkeypatch.setenv("REVU_CONFIG_DIR", str(tmp_path))
    assert load_catalog().provider("deepseek") is not None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[providers.x\n", "not valid TOML"),
        ('[providers.moonshot]\nbase_url = "https://x/v1"\n', "built-in"),
        ("[providers.x]\nlabel = 'X'\n", "base_url is required"),
        ("[providers.x]\nbase_url = 'ftp://x'\n", "http"),
        ("[providers.x]\nbase_url = 'https://x/v1'\nmax_concurrent = 0\n", "max_concurrent"),
        (
            "[providers.x]\nbase_url = 'https://x/v1'\n[[providers.x.models]]\nid='m'\n"
            "thinking='sometimes'\n",
            "thinking",
        ),
    ],
)
def test_a_malformed_user_file_is_one_clear_error(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "providers.toml"
    path.write_text(text)
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert str(path) in str(caught.value) and says in str(caught.value)
