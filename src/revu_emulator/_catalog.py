"""What the emulated Moonshot sells: platforms, models with prices, rate-limit tiers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Platform = Literal["developer", "china", "code"]

PLATFORMS: tuple[Platform, ...] = ("developer", "china", "code")

# One server, three endpoint kinds, told apart by the path prefix.
PREFIXES: dict[Platform, str] = {
    "developer": "/developer/v1",
    "china": "/china/v1",
    "code": "/coding/v1",
}

DEFAULT_CONTEXT = 262_144


@dataclass(frozen=True)
class Model:
    """One model id as an endpoint lists it, with its price and sampling rules."""

    id: str
    platforms: tuple[Platform, ...]
    cache_hit_usd: float  # per 1M input tokens served from the prefix cache
    cache_miss_usd: float  # per 1M other input tokens
    output_usd: float  # per 1M completion tokens, reasoning included
    thinking: Literal["default_on", "always", "never"]
    fixed_sampling: bool  # K2.6/K2.5: temperature, top_p, n and penalties are fixed
    context: int = DEFAULT_CONTEXT
    created: int = 1_760_000_000

    def cost_usd(self, prompt_tokens: int, cached_tokens: int, completion_tokens: int) -> float:
        """What one call costs: cached input at the hit price, the rest at the miss price."""
        uncached = prompt_tokens - cached_tokens
        return (
            cached_tokens * self.cache_hit_usd
            + uncached * self.cache_miss_usd
            + completion_tokens * self.output_usd
        ) / 1_000_000


_PLATFORM_API: tuple[Platform, ...] = ("developer", "china")

MODELS: tuple[Model, ...] = (
    Model("kimi-k2.6", _PLATFORM_API, 0.16, 0.95, 4.00, "default_on", True),
    Model("kimi-k2.5", _PLATFORM_API, 0.10, 0.60, 3.00, "default_on", True),
    Model("kimi-k2-0905-preview", _PLATFORM_API, 0.15, 0.60, 2.50, "never", False),
    Model("kimi-k2-turbo-preview", _PLATFORM_API, 0.15, 1.15, 8.00, "never", False),
    Model("kimi-k2-thinking", _PLATFORM_API, 0.15, 0.60, 2.50, "always", False),
    # Kimi Code: one model id, behaving like K2.6 and metered like it against the plan credit.
    Model("kimi-for-coding", ("code",), 0.16, 0.95, 4.00, "default_on", True),
)


def models_for(platform: Platform) -> tuple[Model, ...]:
    """The models an endpoint lists and accepts."""
    return tuple(m for m in MODELS if platform in m.platforms)


def find_model(platform: Platform, model_id: str) -> Model | None:
    """The model with this id on this endpoint, or None (the caller answers 404)."""
    return next((m for m in models_for(platform) if m.id == model_id), None)


@dataclass(frozen=True)
class Tier:
    """Developer API limits by cumulative recharge (None: no limit)."""

    concurrency: int
    rpm: int
    tpm: int
    tpd: int | None


TIERS: dict[int, Tier] = {
    0: Tier(1, 3, 500_000, 1_500_000),
    1: Tier(50, 200, 2_000_000, None),
    2: Tier(100, 500, 3_000_000, None),
    3: Tier(200, 5_000, 3_000_000, None),
    4: Tier(400, 5_000, 4_000_000, None),
    5: Tier(1_000, 10_000, 5_000_000, None),
}

CODE_CONCURRENCY = 30
