"""The limiter: never more than the cap in flight, FIFO order, RPM/TPM windows, cooldowns."""

from __future__ import annotations

import asyncio
import time

from revu.llm import Budget, Gateway, GatewayEvent, LocalLimiter, Routing, limit_key, permit
from revu_emulator import EmulatorClient

from .conftest import FAST, SlotFactory, ask


async def test_a_200_call_burst_through_a_30_cap_stays_under_it(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    # Answers slow enough that 30 calls overlap even on a busy machine (the lower bound below).
    emulator.configure(ttft_base_s=0.1)
    peak = 0

    def watch(event: GatewayEvent) -> None:
        nonlocal peak
        peak = max(peak, event.in_flight)

    async with Gateway(Routing(main=make_slot("code")), retry=FAST, on_event=watch) as gw:
        answers = await asyncio.gather(*(gw.complete(ask(f"call {i}")) for i in range(200)))
        assert gw.in_flight == 0
        assert gw.usage.calls == 200
    stats = emulator.stats()
    assert len(answers) == 200
    assert stats["max_in_flight"] <= 30
    assert stats["max_in_flight"] >= 25  # and the cap is used, not starved
    assert stats["by_status"] == {"200": 200}
    assert peak <= 30


def test_limit_keys_hide_the_key() -> None:
    key = limit_key("https://api.moonshot.ai/v1", "sk-secret-value")
    assert "sk-secret" not in key and len(key) == 64
    assert key == limit_key("https://api.moonshot.ai/v1/", "sk-secret-value")
    assert key != limit_key("https://api.moonshot.cn/v1", "sk-secret-value")


async def test_waiters_are_served_first_come_first_served() -> None:
    limiter = LocalLimiter()
    budget = Budget(max_concurrent=1)
    order: list[int] = []
    gate = asyncio.Event()

    async def call(i: int) -> None:
        async with permit(limiter, "k", budget, 1):
            order.append(i)
            await gate.wait()

    first = asyncio.create_task(call(0))
    await asyncio.sleep(0)
    rest = []
    for i in range(1, 6):
        rest.append(asyncio.create_task(call(i)))
        await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(first, *rest)
    assert order == [0, 1, 2, 3, 4, 5]
    assert limiter.max_in_flight["k"] == 1


async def test_a_cancelled_waiter_gives_its_turn_away() -> None:
    limiter = LocalLimiter()
    budget = Budget(max_concurrent=1)
    held = await limiter.acquire("k", budget, 1)
    waiting = asyncio.create_task(limiter.acquire("k", budget, 1))
    behind = asyncio.create_task(limiter.acquire("k", budget, 1))
    await asyncio.sleep(0)
    waiting.cancel()
    await limiter.release(held)
    lease = await asyncio.wait_for(behind, 1)
    assert limiter.in_flight("k") == 1
    await limiter.release(lease)
    await limiter.release(lease)  # twice: harmless
    assert limiter.in_flight("k") == 0


async def test_cooldown_holds_every_caller() -> None:
    limiter = LocalLimiter()
    await limiter.cooldown("k", 0.2)
    began = time.monotonic()
    leases = await asyncio.gather(*(limiter.acquire("k", Budget(), 1) for _ in range(3)))
    assert time.monotonic() - began >= 0.19
    for lease in leases:
        await limiter.release(lease)


async def test_rpm_window_spaces_calls() -> None:
    limiter = LocalLimiter()
    budget = Budget(rpm=2)
    for _ in range(2):
        await limiter.release(await limiter.acquire("k", budget, 1))
    third = asyncio.create_task(limiter.acquire("k", budget, 1))
    await asyncio.sleep(0.05)
    assert not third.done()  # the minute's two calls are spent: it waits on a timer, not a loop
    third.cancel()


async def test_tpm_counts_input_and_max_tokens() -> None:
    limiter = LocalLimiter()
    budget = Budget(tpm=1_000)
    lease = await limiter.acquire("k", budget, 800)
    await limiter.release(lease)
    blocked = asyncio.create_task(limiter.acquire("k", budget, 300))
    await asyncio.sleep(0.05)
    assert not blocked.done()
    blocked.cancel()
    # A call larger than the whole budget still goes when the window is empty.
    alone = await LocalLimiter().acquire("k", budget, 5_000)
    assert alone.tokens == 5_000


async def test_gateway_cooldown_after_a_429_spares_the_other_calls(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    # The emulator allows 1 in flight; revu thinks 4. The first 429 (retry-after 1 s) pauses
    # the key for everyone, so the burst completes with few refusals instead of a storm.
    emulator.add_key("sk-narrow", max_concurrent=1)
    emulator.configure(ttft_base_s=0.05)
    slot = make_slot(key="sk-narrow", max_concurrent=4)
    async with Gateway(Routing(main=slot), retry=FAST) as gw:
        answers = await asyncio.gather(*(gw.complete(ask(f"c{i}")) for i in range(4)))
    assert len(answers) == 4
    refused = emulator.stats()["by_status"].get("429", 0)
    assert refused <= 6
