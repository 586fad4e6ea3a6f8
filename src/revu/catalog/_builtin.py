"""The providers, plans, models, prices and cards revu ships with.

Moonshot facts are those recorded in docs/MOONSHOT.md (taken from Moonshot's platform and
Kimi Code docs). OpenAI and Anthropic facts are the published list prices as known when this
file was written; each carries its date. Prices drift: check the source before trusting a cost.
"""

from __future__ import annotations

from revu.catalog._model import (
    Card,
    Model,
    ModelProfile,
    Plan,
    Price,
    Provider,
    Source,
    Thinking,
    ThinkingStyle,
    Wire,
)

# --- Moonshot ------------------------------------------------------------------------------

_MOONSHOT_PRICES = Source(
    "https://platform.moonshot.ai/docs/pricing/chat", "2026-11-24", "recorded in docs/MOONSHOT.md"
)
_MOONSHOT_DOCS = Source(
    "https://platform.moonshot.ai/docs", "2026-11-24", "recorded in docs/MOONSHOT.md"
)
_KIMI_CODE_DOCS = Source(
    "https://www.kimi.com/code/docs", "2026-11-24", "recorded in docs/MOONSHOT.md"
)

# K2.6 / K2.5: thinking on by default, fixed sampling (any temperature but their own is a 400).
_KIMI_THINKING = ModelProfile(
    thinking=ThinkingStyle.TOGGLE, default_thinking=Thinking.MEDIUM, fixed_sampling=True
)
_KIMI_INSTANT = ModelProfile(thinking=ThinkingStyle.NONE, default_thinking=Thinking.OFF)
_KIMI_ALWAYS = ModelProfile(
    thinking=ThinkingStyle.ALWAYS, default_thinking=Thinking.MEDIUM, fixed_sampling=True
)
_KIMI_CONTEXT = 262_144


def _kimi(
    model_id: str,
    profile: ModelProfile,
    prices: tuple[float, float, float],
    *,
    unsure: bool = False,
    notes: str = "",
) -> Model:
    hit, miss, out = prices
    return Model(
        id=model_id,
        context_window=_KIMI_CONTEXT,
        max_output=65_536,  # output shares the context window; Moonshot documents no lower cap
        profile=profile,
        source=_MOONSHOT_DOCS,
        price=Price(hit, miss, out, _MOONSHOT_PRICES, unsure=unsure),
        notes=notes,
    )


_MOONSHOT_MODELS = (
    _kimi(
        "kimi-k2.6",
        _KIMI_THINKING,
        (0.16, 0.95, 4.00),
        unsure=True,
        notes="thinking on by default; fixed sampling",
    ),
    _kimi(
        "kimi-k2.5",
        _KIMI_THINKING,
        (0.10, 0.60, 3.00),
        notes="thinking on by default; fixed sampling",
    ),
    _kimi(
        "kimi-k2-0905-preview",
        _KIMI_INSTANT,
        (0.15, 0.60, 2.50),
        notes="no thinking; generally fastest for routine reviews",
    ),
    _kimi("kimi-k2-turbo-preview", _KIMI_INSTANT, (0.15, 1.15, 8.00), unsure=True),
    _kimi("kimi-k2-thinking", _KIMI_ALWAYS, (0.15, 0.60, 2.50), unsure=True, notes="always thinks"),
)

_KIMI_FOR_CODING = Model(
    id="kimi-for-coding",
    context_window=_KIMI_CONTEXT,
    max_output=65_536,
    profile=_KIMI_THINKING,
    source=_KIMI_CODE_DOCS,
    price=None,
    price_note="included in the Kimi Code subscription (~300-1200 requests per 5 h)",
    subscription=True,
    notes="the Kimi Code endpoint's id for its current model (K2.6)",
)

MOONSHOT = Provider(
    id="moonshot",
    label="Moonshot (Kimi)",
    wire=Wire.OPENAI,
    namespace="openaiCompatible",
    key_env="MOONSHOT_API_KEY",
    plans=(
        Plan(
            id="developer",
            label="Developer API (international)",
            base_url="https://api.moonshot.ai/v1",
            source=_MOONSHOT_DOCS,
            notes="pay per token; limits by recharge tier (tier 1: 50 concurrent, 200 RPM, 2M TPM)",
        ),
        Plan(
            id="code",
            label="Kimi Code Plan (subscription)",
            base_url="https://api.kimi.com/coding/v1",
            source=_KIMI_CODE_DOCS,
            max_concurrent=30,
            key_prefix="sk-kimi-",
            models=(_KIMI_FOR_CODING,),
            model_aliases={"kimi-k2.6": "kimi-for-coding"},
            notes="keys sk-kimi-... from kimi.com/code; capped at 30 concurrent; approved coding "
            "clients only",
        ),
        Plan(
            id="china",
            label="Developer API (mainland China)",
            base_url="https://api.moonshot.cn/v1",
            source=_MOONSHOT_DOCS,
            notes="keys from platform.moonshot.cn; billed in CNY (costs shown at the USD list "
            "price); may be unreachable from abroad",
        ),
    ),
    models=_MOONSHOT_MODELS,
    default_profile=ModelProfile(thinking=ThinkingStyle.TOGGLE),
    default_context_window=131_072,
    default_max_output=32_768,
    source=_MOONSHOT_DOCS,
    default_model="kimi-k2.6",
)

# --- OpenAI --------------------------------------------------------------------------------

_OPENAI_PRICES = Source(
    "https://openai.com/api/pricing", "2025-10-01", "list prices as known then; check before use"
)
_OPENAI_DOCS = Source("https://platform.openai.com/docs/models", "2025-10-01")

# Reasoning models: reasoning_effort, max_completion_tokens, no temperature.
_OPENAI_REASONING = ModelProfile(
    thinking=ThinkingStyle.REASONING_EFFORT,
    default_thinking=Thinking.MEDIUM,
    fixed_sampling=True,
    max_tokens_field="max_completion_tokens",
    effort_when_off="minimal",
    stream_usage_option=True,
)
_OPENAI_CHAT = ModelProfile(
    thinking=ThinkingStyle.NONE,
    max_tokens_field="max_completion_tokens",
    stream_usage_option=True,
)


def _openai(
    model_id: str, context: int, max_output: int, profile: ModelProfile, p: tuple[float, ...]
) -> Model:
    return Model(
        id=model_id,
        context_window=context,
        max_output=max_output,
        profile=profile,
        source=_OPENAI_DOCS,
        price=Price(cache_hit=p[0], cache_miss=p[1], output=p[2], source=_OPENAI_PRICES),
    )


OPENAI = Provider(
    id="openai",
    label="OpenAI",
    wire=Wire.OPENAI,
    namespace="openai",
    key_env="OPENAI_API_KEY",
    plans=(
        Plan(
            id="default",
            label="OpenAI API",
            base_url="https://api.openai.com/v1",
            source=_OPENAI_DOCS,
        ),
    ),
    models=(
        _openai("gpt-5", 400_000, 128_000, _OPENAI_REASONING, (0.125, 1.25, 10.00)),
        _openai("gpt-5-mini", 400_000, 128_000, _OPENAI_REASONING, (0.025, 0.25, 2.00)),
        _openai(
            "o4-mini",
            200_000,
            100_000,
            ModelProfile(
                thinking=ThinkingStyle.REASONING_EFFORT,
                default_thinking=Thinking.MEDIUM,
                fixed_sampling=True,
                max_tokens_field="max_completion_tokens",
                effort_when_off="low",  # o-series cannot stop reasoning; low is the least
                stream_usage_option=True,
            ),
            (0.275, 1.10, 4.40),
        ),
        _openai("gpt-4.1", 1_047_576, 32_768, _OPENAI_CHAT, (0.50, 2.00, 8.00)),
        _openai("gpt-4.1-mini", 1_047_576, 32_768, _OPENAI_CHAT, (0.10, 0.40, 1.60)),
    ),
    default_profile=_OPENAI_CHAT,
    default_context_window=128_000,
    default_max_output=16_384,
    source=_OPENAI_DOCS,
    default_model="gpt-5",
)

# --- Anthropic -----------------------------------------------------------------------------

_ANTHROPIC_PRICES = Source(
    "https://www.anthropic.com/pricing#api",
    "2025-10-15",
    "list prices as known then; cache writes billed here at the base input price",
)
_ANTHROPIC_DOCS = Source("https://docs.anthropic.com/en/docs/about-claude/models", "2025-10-15")
_CLAUDE = ModelProfile(
    thinking=ThinkingStyle.BUDGET,
    default_thinking=Thinking.OFF,
    fixed_sampling=False,
    json_mode=False,
)


# The installed anthropic SDK's model list and deprecation table: newer than the price list.
_ANTHROPIC_SDK = Source(
    "https://github.com/anthropics/anthropic-sdk-python",
    "2026-11-24",
    "model ids and deprecations of anthropic 2.13.0; no price or context published there",
)


def _claude(
    model_id: str, max_output: int, p: tuple[float, float, float], notes: str = ""
) -> Model:
    return Model(
        id=model_id,
        context_window=200_000,
        max_output=max_output,
        profile=_CLAUDE,
        source=_ANTHROPIC_DOCS,
        price=Price(cache_hit=p[0], cache_miss=p[1], output=p[2], source=_ANTHROPIC_PRICES),
        notes=notes,
    )


ANTHROPIC = Provider(
    id="anthropic",
    label="Anthropic",
    wire=Wire.ANTHROPIC,
    namespace="anthropic",
    key_env="ANTHROPIC_API_KEY",
    plans=(
        Plan(
            id="default",
            label="Anthropic API",
            base_url="https://api.anthropic.com",
            source=_ANTHROPIC_DOCS,
        ),
    ),
    models=(
        Model(
            id="claude-sonnet-4-6",
            context_window=200_000,  # the Claude line's usual window; not published in the SDK
            max_output=64_000,
            profile=_CLAUDE,
            source=_ANTHROPIC_SDK,
            price=None,
            price_note="unknown price",
            notes="current Sonnet per the SDK; context assumed 200k",
        ),
        _claude("claude-haiku-4-5", 64_000, (0.10, 1.00, 5.00)),
        _claude(
            "claude-sonnet-4-5",
            64_000,
            (0.30, 3.00, 15.00),
            notes="deprecated: end of life 2026-11-30 (anthropic SDK)",
        ),
    ),
    default_profile=_CLAUDE,
    default_context_window=200_000,
    default_max_output=32_000,
    source=_ANTHROPIC_DOCS,
    default_model="claude-sonnet-4-6",
)

# --- OpenRouter ----------------------------------------------------------------------------

_OPENROUTER_DOCS = Source("https://openrouter.ai/docs", "2025-10-01")
_ROUTED_NOTE = "varies by upstream (see openrouter.ai/models)"
_ROUTED_REASONING = ModelProfile(
    thinking=ThinkingStyle.OPENROUTER,
    default_thinking=Thinking.OFF,
    send_thinking_off=False,
)


def _routed(model_id: str, context: int, profile: ModelProfile, notes: str = "") -> Model:
    return Model(
        id=model_id,
        context_window=context,
        max_output=32_768,
        profile=profile,
        source=_OPENROUTER_DOCS,
        price=None,
        price_note=_ROUTED_NOTE,
        notes=notes,
    )


OPENROUTER = Provider(
    id="openrouter",
    label="OpenRouter",
    wire=Wire.OPENAI,
    namespace="openaiCompatible",
    key_env="OPENROUTER_API_KEY",
    plans=(
        Plan(
            id="default",
            label="OpenRouter",
            base_url="https://openrouter.ai/api/v1",
            source=_OPENROUTER_DOCS,
        ),
    ),
    models=(
        _routed(
            "moonshotai/kimi-k2-0905", _KIMI_CONTEXT, _KIMI_INSTANT, "Kimi K2 0905 via OpenRouter"
        ),
        _routed("openai/gpt-5", 400_000, _ROUTED_REASONING),
        _routed("anthropic/claude-sonnet-4.5", 200_000, _ROUTED_REASONING),
    ),
    default_profile=_ROUTED_REASONING,
    default_context_window=128_000,
    default_max_output=16_384,
    source=_OPENROUTER_DOCS,
    default_model="moonshotai/kimi-k2-0905",
)

# --- Any OpenAI-compatible endpoint --------------------------------------------------------

_GENERIC_SOURCE = Source("https://platform.openai.com/docs/api-reference/chat", "2025-10-01")

OPENAI_COMPATIBLE = Provider(
    id="openai_compatible",
    label="OpenAI-compatible endpoint",
    wire=Wire.OPENAI,
    namespace="openaiCompatible",
    key_env=None,
    plans=(
        Plan(
            id="default",
            label="your endpoint (set REVU_LLM_BASE_URL)",
            base_url="",
            source=_GENERIC_SOURCE,
        ),
    ),
    models=(),
    # Unknown servers: only ask for thinking when the user does; never send the disabled form.
    default_profile=ModelProfile(thinking=ThinkingStyle.TOGGLE, send_thinking_off=False),
    default_context_window=32_768,
    default_max_output=8_192,
    source=_GENERIC_SOURCE,
    default_model=None,
    key_required=False,
)

BUILTIN_PROVIDERS = (MOONSHOT, OPENAI, ANTHROPIC, OPENROUTER, OPENAI_COMPATIBLE)

# --- Cards ---------------------------------------------------------------------------------

BUILTIN_CARDS = (
    Card(
        id="kimi-k2.6-coding",
        title="Kimi K2.6 Coding",
        provider="moonshot",
        model="kimi-k2.6",
        thinking=Thinking.MEDIUM,
        summary="Moonshot's K2.6 with medium thinking: revu's recommended reviewer. On the Kimi "
        "Code Plan it runs as kimi-for-coding.",
        source=_MOONSHOT_DOCS,
        recommended=True,
    ),
    Card(
        id="kimi-k2-fast",
        title="Kimi K2 0905 (fast)",
        provider="moonshot",
        model="kimi-k2-0905-preview",
        thinking=Thinking.OFF,
        summary="No thinking: the quickest and cheapest Kimi for routine reviews.",
        source=_MOONSHOT_DOCS,
    ),
    Card(
        id="openai-gpt-5",
        title="OpenAI GPT-5",
        provider="openai",
        model="gpt-5",
        thinking=Thinking.MEDIUM,
        summary="GPT-5 with medium reasoning effort.",
        source=_OPENAI_DOCS,
    ),
    Card(
        id="claude-sonnet-4-6",
        title="Claude Sonnet 4.6",
        provider="anthropic",
        model="claude-sonnet-4-6",
        thinking=Thinking.LOW,
        summary="Anthropic's current Sonnet with a 5k-token thinking budget (price unknown to "
        "revu: costs show as 0).",
        source=_ANTHROPIC_SDK,
    ),
)
