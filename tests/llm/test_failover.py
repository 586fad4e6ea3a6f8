"""Main → fallback: on quota, auth, mismatch, model not found, exhausted retries; not on content."""

from __future__ import annotations

import pytest

from revu.llm import (
    ContentFiltered,
    ContextTooLong,
    Gateway,
    GatewayEvent,
    NoSlotAnswered,
    QuotaExhausted,
    RetryPolicy,
    Routing,
)
from revu_emulator import EmulatorClient

from .conftest import FAST, SlotFactory, ask


async def test_quota_on_main_is_answered_by_the_fallback(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.add_key("sk-empty", balance_usd=0.0)
    events: list[GatewayEvent] = []
    routing = Routing(
        main=make_slot(key="sk-empty"),
        fallback=make_slot("code", name="fallback"),
    )
    async with Gateway(routing, retry=FAST, on_event=events.append) as gw:
        first = await gw.complete(ask())
        second = await gw.complete(ask())
    assert first.slot == "fallback" and first.fallback_used
    assert first.model == "kimi-for-coding"
    assert second.fallback_used
    # Quota is never retried, and after one refusal main is not asked again in this run.
    main_calls = [
        r for r in emulator.requests() if r["path"].startswith("/developer/") and r["status"] == 429
    ]
    assert len(main_calls) == 1
    assert [e.kind for e in events].count("failover") == 2


@pytest.mark.parametrize("main_key", ["sk-kimi-emulator", "sk-nobody"], ids=["mismatch", "bad-key"])
async def test_auth_errors_fail_over(make_slot: SlotFactory, main_key: str) -> None:
    routing = Routing(main=make_slot(key=main_key), fallback=make_slot("code", name="fallback"))
    async with Gateway(routing, retry=FAST) as gw:
        answer = await gw.complete(ask())
    assert answer.fallback_used


async def test_model_not_found_fails_over(make_slot: SlotFactory) -> None:
    routing = Routing(
        main=make_slot(model="kimi-k9"), fallback=make_slot(name="fallback", model="kimi-k2.5")
    )
    async with Gateway(routing, retry=FAST) as gw:
        answer = await gw.complete(ask())
    assert answer.slot == "fallback" and answer.model == "kimi-k2.5"


async def test_transient_errors_fail_over_after_retries(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    # The fault sequence is shared: make every call fail, then see main retry 3 times first.
    emulator.configure(faults={"server_error": 1.0})
    routing = Routing(main=make_slot(), fallback=make_slot("code", name="fallback"))
    policy = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02)
    async with Gateway(routing, retry=policy) as gw:
        with pytest.raises(NoSlotAnswered) as caught:
            await gw.complete(ask())
    paths = [r["path"] for r in emulator.requests()]
    assert sum(p.startswith("/developer/") for p in paths) == 3
    assert sum(p.startswith("/coding/") for p in paths) == 3
    message = str(caught.value)
    assert "main slot (moonshot): Transient" in message
    assert "fallback slot (moonshot): Transient" in message
    assert len(caught.value.errors) == 2


async def test_both_slots_failing_carries_both_diagnoses(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.add_key("sk-empty", balance_usd=0.0)
    routing = Routing(
        main=make_slot(key="sk-empty"),
        fallback=make_slot("developer", name="fallback", key="sk-kimi-emulator"),
    )
    async with Gateway(routing, retry=FAST) as gw:
        with pytest.raises(NoSlotAnswered) as caught:
            await gw.complete(ask())
    main_error, fallback_error = caught.value.errors
    assert isinstance(main_error, QuotaExhausted)
    assert fallback_error.slot == "fallback" and "Kimi Code Plan" in fallback_error.hint
    assert "QuotaExhausted" in str(caught.value) and "EndpointMismatch" in str(caught.value)


async def test_content_filter_does_not_fail_over(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.configure(content_filter_phrases=["forbidden"])
    routing = Routing(main=make_slot(), fallback=make_slot("code", name="fallback"))
    async with Gateway(routing, retry=FAST) as gw:
        with pytest.raises(ContentFiltered):
            await gw.complete(ask("a forbidden thing"))
    assert not any(r["path"].startswith("/coding/") for r in emulator.requests())


async def test_context_too_long_does_not_fail_over(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.configure(context_window=40)
    routing = Routing(main=make_slot(), fallback=make_slot("code", name="fallback"))
    async with Gateway(routing, retry=FAST) as gw:
        with pytest.raises(ContextTooLong):
            await gw.complete(ask("word " * 300, max_tokens=5))
    assert not any(r["path"].startswith("/coding/") for r in emulator.requests())


async def test_without_a_fallback_the_error_comes_as_is(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.add_key("sk-empty", balance_usd=0.0)
    async with Gateway(Routing(main=make_slot(key="sk-empty")), retry=FAST) as gw:
        with pytest.raises(QuotaExhausted):
            await gw.complete(ask())


async def test_a_long_rate_limit_sends_the_calls_to_the_fallback(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.add_key("sk-rpm", rpm=1)
    routing = Routing(main=make_slot(key="sk-rpm"), fallback=make_slot("code", name="fallback"))
    policy = RetryPolicy(base_delay_s=0.01, rate_limit_wait_s=1.0)
    async with Gateway(routing, retry=policy) as gw:
        answers = [await gw.complete(ask(f"c{i}")) for i in range(4)]
    assert [a.slot for a in answers] == ["main", "fallback", "fallback", "fallback"]
    assert emulator.stats()["by_status"].get("429") == 1  # main asked once more, then spared
