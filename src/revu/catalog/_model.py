"""The shapes of catalog facts: providers, plans, models, their quirks, prices and cards.

Every fact that can drift (a price, a context window, a base URL) carries the `Source` it was
taken from and when, so the catalog can say how old a number is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Thinking(StrEnum):
    """Reasoning level, mapped per provider by the gateway."""

    OFF = "off"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Wire(StrEnum):
    """The wire dialect a provider speaks (which SDK carries it)."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"


@dataclass(frozen=True)
class Source:
    """Where a fact comes from and when it was checked (ISO date)."""

    url: str
    date: str
    note: str = ""

    def to_json(self) -> dict[str, str]:
        out = {"url": self.url, "date": self.date}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Price:
    """USD per million tokens: prompt tokens served from the cache, the rest, and output."""

    cache_hit: float
    cache_miss: float
    output: float
    source: Source
    unsure: bool = False  # reported by third parties only

    def cost_usd(self, *, input_tokens: int, cached_tokens: int, output_tokens: int) -> float:
        """Cost of one call: cached input at the hit price, the rest at the miss price."""
        cached = min(cached_tokens, input_tokens)
        return (
            cached * self.cache_hit
            + (input_tokens - cached) * self.cache_miss
            + output_tokens * self.output
        ) / 1_000_000

    def to_json(self) -> dict[str, Any]:
        return {
            "cache_hit": self.cache_hit,
            "cache_miss": self.cache_miss,
            "output": self.output,
            "unit": "USD per 1M tokens",
            "unsure": self.unsure,
            "source": self.source.to_json(),
        }


class ThinkingStyle(StrEnum):
    """How a model is told its reasoning level."""

    NONE = "none"  # no reasoning control: nothing is sent
    TOGGLE = "toggle"  # Moonshot style: thinking: {type: enabled|disabled}
    REASONING_EFFORT = "reasoning_effort"  # OpenAI style: top-level reasoning_effort
    OPENROUTER = "openrouter"  # OpenRouter's unified reasoning: {effort} / {enabled: false}
    BUDGET = "budget"  # Anthropic style: thinking: {type: enabled, budget_tokens}
    ALWAYS = "always"  # thinks whatever is sent; nothing is sent


@dataclass(frozen=True)
class ModelProfile:
    """What a model tolerates: the quirks the request builder honours."""

    thinking: ThinkingStyle = ThinkingStyle.NONE
    default_thinking: Thinking = Thinking.OFF
    fixed_sampling: bool = False  # refuses temperature/top_p other than its own: never send them
    json_mode: bool = True  # accepts response_format {"type": "json_object"}
    max_tokens_field: str = "max_tokens"  # OpenAI reasoning models want max_completion_tokens
    effort_when_off: str | None = None  # reasoning_effort sent for Thinking.OFF (None: omit)
    send_thinking_off: bool = True  # TOGGLE: send {type: disabled} for OFF (unknown servers: no)
    stream_usage_option: bool = False  # needs stream_options.include_usage to report usage

    def to_json(self) -> dict[str, Any]:
        return {
            "thinking": self.thinking.value,
            "default_thinking": self.default_thinking.value,
            "fixed_sampling": self.fixed_sampling,
            "json_mode": self.json_mode,
        }


@dataclass(frozen=True)
class Model:
    """One model id as a provider (or one of its plans) serves it."""

    id: str
    context_window: int
    max_output: int
    profile: ModelProfile
    source: Source
    price: Price | None = None  # None: unknown or not per token (subscription)
    price_note: str = ""  # why there is no price, e.g. "included in the subscription"
    subscription: bool = False  # paid for by the plan's subscription: 0 per token, by design
    notes: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "context_window": self.context_window,
            "max_output": self.max_output,
            "price": self.price.to_json() if self.price else None,
            "price_note": self.price_note or ("" if self.price else "unknown price"),
            "subscription": self.subscription,
            "profile": self.profile.to_json(),
            "notes": self.notes,
            "source": self.source.to_json(),
        }


@dataclass(frozen=True)
class Plan:
    """A way to reach a provider: its base URL, default limits, and the models it lists."""

    id: str
    label: str
    base_url: str
    source: Source
    max_concurrent: int | None = None
    rpm: int | None = None
    tpm: int | None = None
    key_prefix: str | None = None  # the shape of this plan's keys, e.g. "sk-kimi-"
    models: tuple[Model, ...] | None = None  # None: the provider's model list
    model_aliases: dict[str, str] = field(default_factory=dict)  # card model -> id listed here
    notes: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "base_url": self.base_url,
            "max_concurrent": self.max_concurrent,
            "rpm": self.rpm,
            "tpm": self.tpm,
            "notes": self.notes,
            "source": self.source.to_json(),
        }
        if self.models is not None:
            out["models"] = [m.to_json() for m in self.models]
        if self.model_aliases:
            out["model_aliases"] = dict(self.model_aliases)
        return out


@dataclass(frozen=True)
class Provider:
    """Who revu talks to: the wire it speaks, where its key lives, its plans and models."""

    id: str
    label: str
    wire: Wire
    namespace: str  # the custom JSON override namespace: openaiCompatible | openai | anthropic
    key_env: str | None  # the provider's usual key variable
    plans: tuple[Plan, ...]
    models: tuple[Model, ...]
    default_profile: ModelProfile  # for model ids the catalog does not know
    default_context_window: int  # for model ids the catalog does not know
    default_max_output: int
    source: Source
    default_model: str | None = None  # None: the user must name one (REVU_LLM_MODEL)
    key_required: bool = True
    user_defined: bool = False

    @property
    def default_plan(self) -> Plan:
        return self.plans[0]

    def plan(self, plan_id: str | None) -> Plan | None:
        """The plan by id (None: the default plan)."""
        if plan_id is None:
            return self.default_plan
        return next((p for p in self.plans if p.id == plan_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "wire": self.wire.value,
            "override_namespace": self.namespace,
            "key_env": self.key_env,
            "default_model": self.default_model,
            "user_defined": self.user_defined,
            "plans": [p.to_json() for p in self.plans],
            "models": [m.to_json() for m in self.models],
            "source": self.source.to_json(),
        }


@dataclass(frozen=True)
class Card:
    """A curated, ready-to-pick configuration: provider, model, reasoning level."""

    id: str
    title: str
    provider: str
    model: str
    thinking: Thinking
    summary: str
    source: Source
    recommended: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "provider": self.provider,
            "model": self.model,
            "thinking": self.thinking.value,
            "recommended": self.recommended,
            "summary": self.summary,
            "source": self.source.to_json(),
        }
