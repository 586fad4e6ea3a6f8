"""Usage and cost: counted per call from the provider's usage, priced from the catalog."""

from __future__ import annotations

import pytest

from revu.catalog import BUILTIN_CATALOG
from revu.llm import Gateway, Routing, Usage, estimate_tokens
from revu.llm._usage import priced
from revu_emulator import EmulatorClient

from .conftest import FAST, SlotFactory, ask


async def test_cost_matches_the_catalog_and_cached_tokens_are_cheaper(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.configure(cache_block_tokens=16)
    prefix = "Shared review instructions that every call repeats. " * 40
    async with Gateway(Routing(main=make_slot()), retry=FAST) as gw:
        first = await gw.complete(ask(prefix + "file one"))
        second = await gw.complete(ask(prefix + "file two"))
        total = gw.usage
    price = BUILTIN_CATALOG.price("moonshot", "kimi-k2.6", "developer")
    assert price is not None
    for answer in (first, second):
        u = answer.usage
        expected = (
            u.cached_tokens * 0.16
            + (u.input_tokens - u.cached_tokens) * 0.95
            + u.output_tokens * 4.0
        ) / 1e6
        assert u.cost_usd == pytest.approx(expected)
    assert first.usage.cached_tokens == 0
    assert second.usage.cached_tokens > 0  # Moonshot's top-level usage.cached_tokens was read
    assert second.usage.reasoning_tokens > 0
    assert total.calls == 2
    assert total.cost_usd == pytest.approx(first.usage.cost_usd + second.usage.cost_usd)
    # The emulator bills with the same price list: revu's cost agrees with the provider's.
    assert emulator.stats()["cost_usd"] == pytest.approx(total.cost_usd, rel=1e-6)


def test_known_usage_is_priced_exactly() -> None:
    price = BUILTIN_CATALOG.price("moonshot", "kimi-k2.5")
    usage = Usage(calls=1, input_tokens=1_000_000, cached_tokens=400_000, output_tokens=100_000)
    assert priced(usage, price).cost_usd == pytest.approx(0.4 * 0.10 + 0.6 * 0.60 + 0.1 * 3.00)


def test_unknown_price_costs_nothing() -> None:
    usage = Usage(calls=1, input_tokens=1000, output_tokens=10)
    assert priced(usage, None).cost_usd == 0.0


async def test_kimi_code_costs_nothing_per_token(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    async with Gateway(Routing(main=make_slot("code")), retry=FAST) as gw:
        answer = await gw.complete(ask())
        assert gw.warnings == []  # a subscription is not an unknown price
    assert answer.usage.input_tokens > 0 and answer.usage.cost_usd == 0.0


def test_estimate_tokens_is_near_a_quarter_of_the_characters_and_errs_high() -> None:
    text = "def add(a, b):\n    return a + b\n" * 100
    estimate = estimate_tokens(text)
    assert len(text) / 4 <= estimate <= len(text) / 3
    assert estimate_tokens("") == 0
    assert estimate_tokens("代码审查") == 4
