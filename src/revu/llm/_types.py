"""The values that cross the gateway's boundary: slots, requests, answers, usage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# The catalog (the layer below) owns these two words; the gateway's callers know them from here.
from revu.catalog._model import Thinking, Wire

__all__ = [
    "ChatMessage",
    "ChatRequest",
    "Completion",
    "Routing",
    "Slot",
    "SlotName",
    "Thinking",
    "Usage",
    "Wire",
]

SlotName = Literal["main", "fallback"]


@dataclass(frozen=True)
class Slot:
    """One resolved model configuration: who to call, with what, within which limits."""

    name: SlotName
    provider: str  # catalog provider id: moonshot, openai, anthropic, openrouter, a user one…
    wire: Wire
    base_url: str
    model: str
    api_key: str = field(repr=False)
    plan: str | None = None  # moonshot: developer | code | china
    max_concurrent: int | None = None
    rpm: int | None = None
    tpm: int | None = None
    thinking: Thinking = Thinking.OFF
    override: dict[str, Any] | None = None  # custom JSON override, already parsed and namespaced


@dataclass(frozen=True)
class Routing:
    """Which slots answer: main always, fallback when configured."""

    main: Slot
    fallback: Slot | None = None


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat request."""

    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class ChatRequest:
    """What a caller (the review engine, the probe) asks of the gateway."""

    messages: tuple[ChatMessage, ...]
    max_tokens: int | None = None  # None: the gateway picks a generous default for the slot
    json_mode: bool = False
    stream: bool = False
    label: str = ""  # free text for progress and logs, e.g. the file under review


@dataclass(frozen=True)
class Usage:
    """Token counts and cost of one call, or of many summed."""

    calls: int = 0
    input_tokens: int = 0  # all prompt tokens, cached included
    cached_tokens: int = 0
    output_tokens: int = 0  # completion tokens, reasoning included
    reasoning_tokens: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            calls=self.calls + other.calls,
            input_tokens=self.input_tokens + other.input_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
        )


@dataclass(frozen=True)
class Completion:
    """One answer, and which slot gave it."""

    content: str
    reasoning: str | None
    finish_reason: str | None
    usage: Usage
    slot: SlotName
    provider: str
    model: str
    base_url: str
    latency_s: float
    fallback_used: bool = False
