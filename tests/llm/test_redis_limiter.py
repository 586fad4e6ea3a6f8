"""The Redis limiter: caps that hold across limiter instances and OS processes, leases that
lapse when their holder dies, cooldowns, windows, and cancellation that leaves nothing behind.

Runs against the real Redis at 127.0.0.1:6379 (skipped when it is down); every test uses its
own key prefix and deletes its keys afterwards.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from multiprocessing.context import ForkServerContext
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event
from typing import Any

import pytest
import redis

from revu.catalog import Thinking, Wire
from revu.llm import Budget, Gateway, LocalLimiter, Routing, Slot, permit
from revu.llm._redis_limiter import LimiterUnavailable, RedisLimiter, limiter_for
from revu_emulator import EmulatorClient

from .conftest import FAST, SlotFactory, ask

pytestmark = pytest.mark.redis

URL = "redis://127.0.0.1:6379/0"
KEY = "0" * 64  # a limit_key-shaped hash

MakeLimiter = Callable[..., RedisLimiter]


@pytest.fixture(scope="module")
def redis_up() -> None:
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not running at 127.0.0.1:6379 ({exc}); scripts/services-up.sh")


@pytest.fixture
def prefix(redis_up: None) -> Iterator[str]:
    """A key prefix of this test alone; its keys are deleted afterwards."""
    name = f"revu:test:{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(URL)
    stale = list(client.scan_iter(match=f"{name}:*"))
    if stale:
        client.delete(*stale)


@pytest.fixture
async def make_limiter(prefix: str) -> AsyncIterator[MakeLimiter]:
    made: list[RedisLimiter] = []

    def build(**options: float) -> RedisLimiter:
        limiter = RedisLimiter(URL, prefix=prefix, **options)
        made.append(limiter)
        return limiter

    yield build
    for limiter in made:
        await limiter.aclose()


def keys_left(prefix: str, *parts: str) -> dict[str, int]:
    """Members of this test's sorted sets (queue, tickets, leases…) still in Redis."""
    client = redis.Redis.from_url(URL)
    return {part: client.zcard(f"{prefix}:{{{KEY}}}:{part}") for part in parts}


def max_overlap(spans: list[tuple[float, float]]) -> int:
    edges = sorted([(b, 1) for b, _ in spans] + [(e, -1) for _, e in spans])  # ends first
    peak = current = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return peak


@pytest.fixture(scope="session")
def processes() -> ForkServerContext:
    """OS processes forked from a server that imported revu once (an SDK import costs ~2 s)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["revu.llm", __name__])
    return context


def run_together(
    processes: ForkServerContext, target: Callable[..., None], count: int, *args: object
) -> list[Any]:
    """Start `count` processes of `target(*args, start, out)`, release them at once when all
    are ready, and collect what each put in `out`."""
    start, out = processes.Barrier(count + 1), processes.Queue()
    workers = [processes.Process(target=target, args=(*args, start, out)) for _ in range(count)]
    for worker in workers:
        worker.start()
    try:
        start.wait(timeout=30)
        results = [out.get(timeout=30) for _ in workers]
    finally:
        for worker in workers:
            worker.join(10)
            worker.kill()
    assert [worker.exitcode for worker in workers] == [0] * count
    return results


def hold_leases(prefix: str, calls: int, start: Barrier, out: Queue[Any]) -> None:
    """In a worker process: `calls` calls at once, each holding a lease (cap 5) for 50 ms."""

    async def main() -> list[tuple[float, float]]:
        spans: list[tuple[float, float]] = []
        async with RedisLimiter(URL, prefix=prefix, lease_ttl_s=5) as limiter:

            async def call() -> None:
                async with permit(limiter, KEY, Budget(max_concurrent=5), 1):
                    began = time.time()
                    await asyncio.sleep(0.05)
                    spans.append((began, time.time()))

            await asyncio.gather(*(call() for _ in range(calls)))
        return spans

    start.wait(timeout=30)
    out.put(asyncio.run(main()))


def test_the_cap_holds_across_os_processes(processes: ForkServerContext, prefix: str) -> None:
    spans = [span for run in run_together(processes, hold_leases, 4, prefix, 20) for span in run]
    assert len(spans) == 80  # every call completed
    assert max_overlap(spans) <= 5  # four processes, one cap: a LocalLimiter each would allow 20
    assert max_overlap(spans) >= 4  # and the cap is used, not serialised
    assert keys_left(prefix, "leases", "queue", "tickets") == {
        "leases": 0,
        "queue": 0,
        "tickets": 0,
    }


async def test_the_cap_holds_across_limiter_instances(make_limiter: MakeLimiter) -> None:
    limiters = [make_limiter() for _ in range(4)]
    current = peak = 0

    async def call(limiter: RedisLimiter) -> None:
        nonlocal current, peak
        async with permit(limiter, KEY, Budget(max_concurrent=5), 1):
            current += 1
            peak = max(peak, current)
            await asyncio.sleep(0.02)
            current -= 1

    began = time.monotonic()
    await asyncio.gather(*(call(limiters[i % 4]) for i in range(60)))
    assert peak == 5
    assert time.monotonic() - began < 1.5  # 12 rounds of 20 ms: waiters are woken, not polled
    assert await limiters[0].holders(KEY) == 0


async def test_waiters_are_served_in_arrival_order_across_instances(
    make_limiter: MakeLimiter,
) -> None:
    first, second = make_limiter(), make_limiter()
    budget = Budget(max_concurrent=1)
    held = await first.acquire(KEY, budget, 1)
    order: list[str] = []

    async def wait(name: str, limiter: RedisLimiter) -> None:
        lease = await limiter.acquire(KEY, budget, 1)
        order.append(name)
        await limiter.release(lease)

    tasks = []
    for name, limiter in (("a1", first), ("b1", second), ("a2", first), ("b2", second)):
        tasks.append(asyncio.create_task(wait(name, limiter)))
        await asyncio.sleep(0.05)  # queued: each has its ticket before the next arrives
    await first.release(held)
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert order == ["a1", "b1", "a2", "b2"]


def hold_one_lease(prefix: str, held: Event) -> None:
    """In a worker process: take the only permit (ttl 1 s), say so, and hang until killed."""

    async def main() -> None:
        limiter = RedisLimiter(URL, prefix=prefix, lease_ttl_s=1.0)
        await limiter.acquire(KEY, Budget(max_concurrent=1), 1)
        held.set()
        await asyncio.sleep(60)

    asyncio.run(main())


async def test_a_killed_holder_frees_its_permit_after_the_ttl(
    processes: ForkServerContext, make_limiter: MakeLimiter, prefix: str
) -> None:
    held = processes.Event()
    holder = processes.Process(target=hold_one_lease, args=(prefix, held))
    holder.start()
    try:
        assert await asyncio.to_thread(held.wait, 30)
        limiter = make_limiter(lease_ttl_s=1.0)
        waiting = asyncio.create_task(limiter.acquire(KEY, Budget(max_concurrent=1), 1))
        await asyncio.sleep(1.6)
        assert not waiting.done()  # alive, the holder renews its 1 s lease
        holder.kill()  # SIGKILL: no release, no clean-up
        killed = time.monotonic()
        lease = await asyncio.wait_for(waiting, 3)
        assert time.monotonic() - killed <= 1.5  # lapsed within the ttl: nothing leaks
        await limiter.release(lease)
    finally:
        holder.kill()
        holder.join()


async def test_a_cooldown_holds_every_instance(make_limiter: MakeLimiter) -> None:
    told, other = make_limiter(), make_limiter()
    await told.cooldown(KEY, 0.3)
    await told.cooldown(KEY, 0.1)  # a shorter one does not cut the pause
    began = time.monotonic()
    lease = await other.acquire(KEY, Budget(max_concurrent=5), 1)
    assert 0.28 <= time.monotonic() - began < 1.0
    await other.release(lease)


async def test_the_rpm_window_holds_across_instances(make_limiter: MakeLimiter) -> None:
    one, two = make_limiter(), make_limiter()
    budget = Budget(rpm=2)
    await one.release(await one.acquire(KEY, budget, 1))
    await two.release(await two.acquire(KEY, budget, 1))
    third = asyncio.create_task(one.acquire(KEY, budget, 1))
    await asyncio.sleep(0.2)
    assert not third.done()  # the minute's two calls are spent
    third.cancel()
    with pytest.raises(asyncio.CancelledError):
        await third


async def test_the_tpm_window_counts_tokens_but_lets_a_large_call_go_alone(
    make_limiter: MakeLimiter, prefix: str
) -> None:
    limiter = make_limiter()
    budget = Budget(tpm=1_000)
    await limiter.release(await limiter.acquire(KEY, budget, 800))
    blocked = asyncio.create_task(limiter.acquire(KEY, budget, 300))
    await asyncio.sleep(0.2)
    assert not blocked.done()
    blocked.cancel()
    # The running total is a cache of the window: lost (evicted), it is counted again.
    redis.Redis.from_url(URL).delete(f"{prefix}:{{{KEY}}}:spent")
    still = asyncio.create_task(limiter.acquire(KEY, budget, 300))
    await asyncio.sleep(0.2)
    assert not still.done()
    still.cancel()
    await limiter.release(await limiter.acquire(KEY, budget, 200))  # 800 + 200 fits
    other = KEY.replace("0", "1")
    alone = await limiter.acquire(other, budget, 5_000)  # larger than the budget, window empty
    await limiter.release(alone)


async def test_a_cancelled_waiter_leaves_nothing_behind(
    make_limiter: MakeLimiter, prefix: str
) -> None:
    holder, waiter = make_limiter(), make_limiter()
    budget = Budget(max_concurrent=1)
    held = await holder.acquire(KEY, budget, 1)
    waiting = asyncio.create_task(waiter.acquire(KEY, budget, 1))
    behind = asyncio.create_task(holder.acquire(KEY, budget, 1))
    await asyncio.sleep(0.1)
    assert keys_left(prefix, "queue")["queue"] == 2  # both hold tickets
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert keys_left(prefix, "queue", "tickets") == {"queue": 1, "tickets": 1}
    await holder.release(held)
    lease = await asyncio.wait_for(behind, 2)  # the cancelled one's turn went to the next
    assert await holder.holders(KEY) == 1
    await holder.release(lease)
    assert keys_left(prefix, "leases", "queue", "tickets") == {
        "leases": 0,
        "queue": 0,
        "tickets": 0,
    }


async def test_a_timed_out_acquire_holds_no_lease(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    budget = Budget(max_concurrent=3)
    # Many cancellations at once, some just as Redis admits them: none may keep a permit.
    for _ in range(5):
        tasks = [asyncio.create_task(limiter.acquire(KEY, budget, 1)) for _ in range(10)]
        await asyncio.sleep(0.002)
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if not isinstance(result, BaseException):
                await limiter.release(result)
    assert await limiter.holders(KEY) == 0


async def test_releasing_twice_is_harmless(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter()
    budget = Budget(max_concurrent=2)
    first = await limiter.acquire(KEY, budget, 1)
    second = await limiter.acquire(KEY, budget, 1)
    await limiter.release(first)
    await limiter.release(first)
    assert await limiter.holders(KEY) == 1  # the second lease is still held
    await limiter.release(second)
    assert await limiter.holders(KEY) == 0


async def test_closing_fails_the_waiters_and_takes_their_tickets_out(prefix: str) -> None:
    holder = RedisLimiter(URL, prefix=prefix)
    closing = RedisLimiter(URL, prefix=prefix)
    budget = Budget(max_concurrent=1)
    held = await holder.acquire(KEY, budget, 1)
    waiting = asyncio.create_task(closing.acquire(KEY, budget, 1))
    await asyncio.sleep(0.1)
    await closing.aclose()
    with pytest.raises(LimiterUnavailable, match="closed"):
        await waiting
    assert keys_left(prefix, "queue", "tickets") == {"queue": 0, "tickets": 0}
    await holder.release(held)
    await holder.aclose()


async def test_unreachable_redis_is_a_clear_error_not_a_missing_limit() -> None:
    limiter = RedisLimiter("redis://:hunter2@127.0.0.1:1/0")
    try:
        with pytest.raises(LimiterUnavailable) as caught:
            await limiter.acquire(KEY, Budget(max_concurrent=1), 1)
        line = caught.value.diagnosis()
        assert "REVU_REDIS_URL" in line and "127.0.0.1:1" in line
        assert "hunter2" not in line and "\n" not in line
        with pytest.raises(LimiterUnavailable):
            await limiter.check()
    finally:
        await limiter.aclose()


def test_the_factory_picks_the_shared_limiter_only_with_a_url() -> None:
    assert isinstance(limiter_for(None), LocalLimiter)
    assert isinstance(limiter_for(""), LocalLimiter)
    assert isinstance(limiter_for(URL), RedisLimiter)


def ask_through_gateway(
    prefix: str, base_url: str, calls: int, start: Barrier, out: Queue[Any]
) -> None:
    """In a worker process: a Gateway with a RedisLimiter asks `calls` questions at once."""
    slot = Slot(
        name="main",
        provider="moonshot",
        wire=Wire.OPENAI,
        base_url=base_url,
        model="kimi-k2.6",
        api_key="sk-shared",
        plan="developer",
        max_concurrent=5,
        thinking=Thinking.OFF,
    )

    async def main() -> int:
        async with (
            RedisLimiter(URL, prefix=prefix) as limiter,
            Gateway(Routing(main=slot), limiter=limiter, retry=FAST) as gateway,
        ):
            asks = [ask(f"call {i}", max_tokens=64) for i in range(calls)]
            return len(await asyncio.gather(*(gateway.complete(a) for a in asks)))

    start.wait(timeout=30)
    out.put(asyncio.run(main()))


def test_gateways_in_separate_processes_share_the_providers_cap(
    processes: ForkServerContext, emulator: EmulatorClient, prefix: str
) -> None:
    emulator.add_key("sk-shared", platform="developer", balance_usd=100, max_concurrent=5)
    emulator.configure(ttft_base_s=0.05)
    base_url = emulator.base_url("developer")
    answered = run_together(processes, ask_through_gateway, 3, prefix, base_url, 10)
    assert answered == [10, 10, 10]
    assert emulator.stats()["by_status"] == {"200": 30}  # not one 429
    assert emulator.key_stats("sk-shared")["max_in_flight"] == 5


async def test_a_gateway_in_this_process_keeps_its_cap_on_redis(
    emulator: EmulatorClient, make_slot: SlotFactory, make_limiter: MakeLimiter
) -> None:
    emulator.add_key("sk-shared", platform="developer", balance_usd=100, max_concurrent=5)
    emulator.configure(ttft_base_s=0.02)
    slot = make_slot(key="sk-shared", max_concurrent=5)
    limiter = make_limiter()
    async with (
        Gateway(Routing(main=slot), limiter=limiter, retry=FAST) as one,
        Gateway(Routing(main=slot), limiter=make_limiter(), retry=FAST) as two,
    ):
        calls = [gw.complete(ask(f"c{i}")) for i in range(20) for gw in (one, two)]
        assert len(await asyncio.gather(*calls)) == 40
    assert emulator.stats()["by_status"] == {"200": 40}
    assert emulator.key_stats("sk-shared")["max_in_flight"] <= 5
