"""revu's own retries: overloaded and transient answers back off; quota is never retried."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from revu.catalog import Thinking, Wire
from revu.llm import (
    Gateway,
    GatewayEvent,
    Overloaded,
    QuotaExhausted,
    RateLimited,
    RetryPolicy,
    Routing,
    Slot,
    Transient,
    Unreachable,
)
from revu_emulator import EmulatorClient

from .conftest import FAST, SlotFactory, ask


async def test_an_overloaded_burst_is_absorbed_by_retries(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.configure(faults={"seed": 7, "overloaded": 0.3})
    retries: list[GatewayEvent] = []

    def on_event(event: GatewayEvent) -> None:
        if event.kind == "retry":
            retries.append(event)

    policy = RetryPolicy(max_attempts=8, base_delay_s=0.005, max_delay_s=0.02)
    async with Gateway(Routing(main=make_slot()), retry=policy, on_event=on_event) as gw:
        answers = await asyncio.gather(*(gw.complete(ask(f"file {i}")) for i in range(60)))
    assert len(answers) == 60 and all(a.slot == "main" for a in answers)
    stats = emulator.stats()
    assert stats["by_error_type"].get("engine_overloaded_error", 0) > 5
    assert len(retries) == stats["by_error_type"]["engine_overloaded_error"]
    assert all(isinstance(e.error, Overloaded) for e in retries)


async def test_drops_mid_stream_are_retried(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.configure(faults={"seed": 3, "drop_stream": 0.4})
    async with Gateway(Routing(main=make_slot()), retry=FAST) as gw:
        answers = await asyncio.gather(
            *(gw.complete(ask(f"file {i}", stream=True)) for i in range(20))
        )
    assert all(a.finish_reason == "stop" for a in answers)


async def test_quota_is_never_retried(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.add_key("sk-empty", balance_usd=0.0)
    async with Gateway(Routing(main=make_slot(key="sk-empty")), retry=FAST) as gw:
        with pytest.raises(QuotaExhausted):
            await gw.complete(ask())
    assert emulator.stats()["requests_total"] == 1


async def test_rate_limit_waits_the_advertised_time_then_succeeds(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.add_key("sk-narrow", max_concurrent=1)
    emulator.configure(ttft_base_s=0.3)
    retries: list[GatewayEvent] = []
    slot = make_slot(key="sk-narrow", max_concurrent=2)  # revu believes 2; the account has 1
    async with Gateway(
        Routing(main=slot),
        retry=FAST,
        on_event=lambda e: retries.append(e) if e.kind == "retry" else None,
    ) as gw:
        answers = await asyncio.gather(gw.complete(ask("a")), gw.complete(ask("b")))
    assert len(answers) == 2
    assert retries and isinstance(retries[0].error, RateLimited)
    assert retries[0].delay_s >= 1.0  # "please try again after 1 seconds" / retry-after: 1


async def test_rate_limit_wait_is_read_from_the_message_without_a_header(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    # MOONSHOT.md's 429 says "please try again after {t} seconds"; the header may be absent.
    emulator.configure(retry_after_header=False, ttft_base_s=0.3)
    emulator.add_key("sk-narrow", max_concurrent=1)
    events: list[GatewayEvent] = []
    slot = make_slot(key="sk-narrow", max_concurrent=2)  # revu believes 2; the account has 1
    began = time.monotonic()
    async with Gateway(Routing(main=slot), retry=FAST, on_event=events.append) as gw:
        answers = await asyncio.gather(gw.complete(ask("a")), gw.complete(ask("b")))
    elapsed = time.monotonic() - began
    assert len(answers) == 2 and not [e for e in events if e.kind == "fail"]
    retries = [e for e in events if e.kind == "retry"]
    assert len(retries) == 1 and isinstance(retries[0].error, RateLimited)
    assert retries[0].error.retry_after == 1.0  # "... please try again after 1 seconds"
    assert retries[0].delay_s >= 1.0
    assert elapsed >= 1.0 + 0.3  # the advertised second, then the second call's own answer
    assert emulator.stats()["by_status"] == {"200": 2, "429": 1}


async def test_rate_limit_gives_up_after_its_budget(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.add_key("sk-rpm", rpm=1)
    policy = RetryPolicy(base_delay_s=0.01, rate_limit_wait_s=0.5)
    async with Gateway(Routing(main=make_slot(key="sk-rpm")), retry=policy) as gw:
        await gw.complete(ask())
        with pytest.raises(RateLimited):
            await gw.complete(ask())  # the advertised ~60 s is past the 0.5 s budget


async def test_the_call_deadline_bounds_retries(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.configure(faults={"server_error": 1.0})
    policy = RetryPolicy(max_attempts=100, base_delay_s=0.05, max_delay_s=0.05, deadline_s=0.3)
    async with Gateway(Routing(main=make_slot()), retry=policy) as gw:
        with pytest.raises(Transient):
            await gw.complete(ask())
    assert 2 <= emulator.stats()["requests_total"] <= 8


async def test_a_host_that_does_not_resolve_fails_after_one_quick_retry() -> None:
    slot = Slot(
        name="main",
        provider="moonshot",
        wire=Wire.OPENAI,
        base_url="https://api.moonshot.invalid/v1",  # .invalid never resolves
        model="kimi-k2.6",
        api_key="sk-x",
        thinking=Thinking.OFF,
    )
    starts: list[GatewayEvent] = []
    began = time.monotonic()
    async with Gateway(  # the real policy: 6 attempts and ~31 s of backoff for what may heal
        Routing(main=slot), on_event=lambda e: starts.append(e) if e.kind == "start" else None
    ) as gw:
        with pytest.raises(Unreachable) as caught:
            await gw.complete(ask())
    assert len(starts) == 2
    assert time.monotonic() - began < 5
    assert "cannot reach api.moonshot.invalid" in caught.value.hint


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=8.0, jitter=0.5)
    rng = random.Random(1)
    error = Overloaded("busy")
    delays = [policy.delay(n, error, rng) for n in range(1, 6)]
    assert 0.75 <= delays[0] <= 1.25 and 1.5 <= delays[1] <= 2.5
    assert all(d <= 8.0 * 1.25 for d in delays)
    assert len({round(policy.delay(1, error, rng), 6) for _ in range(10)}) > 1  # spread
    assert 3.0 <= policy.delay(1, RateLimited("wait", retry_after=3.0), rng) <= 3.5
