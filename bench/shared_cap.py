"""Shared cap: K worker processes, one key, one provider cap — per-process limiters vs Redis.

Starts the Moonshot emulator with a key capped at `--cap` concurrent calls and `--latency`
seconds per answer, then runs `--workers` OS processes that each submit `--calls` calls at
once through a Gateway: first with a LocalLimiter per process (what Kodus and LiteLLM's
router do: each process keeps its own count), then with one RedisLimiter shared by all.

    .venv/bin/python bench/shared_cap.py [--workers 4] [--calls 60] [--cap 30] [--latency 0.2]

Needs Redis (REVU_REDIS_URL, default redis://127.0.0.1:6379/0). Prints one table row per
limiter: calls answered, 429s the provider sent, the most calls on the wire at once (as sent
by the workers, and as admitted by the provider), wall time, and saturation = achieved
calls/s ÷ (cap / latency), the best any client could do; then the cost of one uncontended
acquire + release on Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import time
import uuid
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Literal

from revu.catalog import Thinking, Wire
from revu.llm import (
    Budget,
    ChatMessage,
    ChatRequest,
    Completion,
    Gateway,
    Lease,
    Limiter,
    LocalLimiter,
    RedisLimiter,
    Routing,
    Slot,
)
from revu_emulator import EmulatorClient, EmulatorServer

KEY = "sk-bench-shared"
Mode = Literal["local", "redis"]


@dataclass(frozen=True)
class WorkerRun:
    """What one worker process saw: answers, latencies, and when each lease was held."""

    answered: int
    failed: int
    latencies: list[float]
    spans: list[tuple[float, float]]
    began: float
    ended: float


@dataclass(frozen=True)
class Row:
    label: str
    calls: int
    answered: int
    refused_429: int
    max_in_flight: int
    max_admitted: int
    wall_s: float
    mean_latency_s: float
    utilisation: float
    saturation: float


class Metered:
    """A Limiter that notes when each lease is held (the call is on the wire inside it)."""

    def __init__(self, inner: Limiter) -> None:
        self.inner = inner
        self.spans: list[tuple[float, float]] = []
        self._held: dict[str, float] = {}

    async def acquire(self, key: str, budget: Budget, tokens: int) -> Lease:
        lease = await self.inner.acquire(key, budget, tokens)
        self._held[lease.id] = time.time()
        return lease

    async def release(self, lease: Lease) -> None:
        began = self._held.pop(lease.id, None)
        if began is not None:
            self.spans.append((began, time.time()))
        await self.inner.release(lease)

    async def cooldown(self, key: str, seconds: float) -> None:
        await self.inner.cooldown(key, seconds)

    async def aclose(self) -> None:
        await self.inner.aclose()


def worker(
    mode: Mode,
    redis_url: str,
    prefix: str,
    base_url: str,
    cap: int,
    calls: int,
    start: Barrier,
    out: Queue[WorkerRun],
) -> None:
    """One process: a Gateway with its limiter, `calls` calls submitted at once."""
    slot = Slot(
        name="main",
        provider="moonshot",
        wire=Wire.OPENAI,
        base_url=base_url,
        model="kimi-k2.6",
        api_key=KEY,
        plan="developer",
        max_concurrent=cap,
        thinking=Thinking.OFF,
    )

    async def main() -> WorkerRun:
        inner = RedisLimiter(redis_url, prefix=prefix) if mode == "redis" else LocalLimiter()
        limiter = Metered(inner)
        try:
            async with Gateway(Routing(main=slot), limiter=limiter) as gateway:
                asks = [
                    ChatRequest(messages=(ChatMessage("user", f"bench {i}"),), max_tokens=64)
                    for i in range(calls)
                ]
                await asyncio.to_thread(start.wait, 60)
                began = time.time()
                results = await asyncio.gather(
                    *(gateway.complete(a) for a in asks), return_exceptions=True
                )
                ended = time.time()
        finally:
            await limiter.aclose()
        answers = [r for r in results if isinstance(r, Completion)]
        latencies = [a.latency_s for a in answers]
        failed = calls - len(answers)
        return WorkerRun(len(answers), failed, latencies, limiter.spans, began, ended)

    out.put(asyncio.run(main()))


def max_overlap(spans: list[tuple[float, float]]) -> int:
    edges = sorted([(b, 1) for b, _ in spans] + [(e, -1) for _, e in spans])
    peak = current = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return peak


def run(
    mode: Mode,
    workers: int,
    processes: ForkServerContext,
    emulator: EmulatorClient,
    args: argparse.Namespace,
) -> Row:
    """One configuration: `workers` processes share the same total of calls."""
    emulator.reset()
    emulator.add_key(KEY, platform="developer", balance_usd=1_000, tier=3, max_concurrent=args.cap)
    emulator.configure(ttft_base_s=args.latency, output_tps=0.0)
    start, out = processes.Barrier(workers), processes.Queue()
    prefix = f"revu:bench:{uuid.uuid4().hex[:8]}"
    calls = args.workers * args.calls // workers
    base_url = emulator.base_url("developer")
    started = [
        processes.Process(
            target=worker,
            args=(mode, args.redis_url, prefix, base_url, args.cap, calls, start, out),
        )
        for _ in range(workers)
    ]
    for process in started:
        process.start()
    runs: list[WorkerRun] = [out.get(timeout=600) for _ in started]
    for process in started:
        process.join(30)
    stats = emulator.stats()
    wall = max(r.ended for r in runs) - min(r.began for r in runs)
    answered = sum(r.answered for r in runs)
    spans = [span for r in runs for span in r.spans]
    latencies = [latency for r in runs for latency in r.latencies]
    if mode == "redis":
        label = f"RedisLimiter shared by {workers} processes"
    elif workers == 1:
        label = "LocalLimiter, 1 process (baseline)"
    else:
        label = f"LocalLimiter in each of {workers} processes"
    return Row(
        label=label,
        calls=workers * calls,
        answered=answered,
        refused_429=int(stats["by_status"].get("429", 0)),
        max_in_flight=max_overlap(spans),
        max_admitted=int(emulator.key_stats(KEY)["max_in_flight"]),
        wall_s=wall,
        mean_latency_s=sum(latencies) / max(1, len(latencies)),
        utilisation=sum(end - began for began, end in spans) / wall / args.cap,
        saturation=(answered / wall) / (args.cap / args.latency),
    )


async def round_trip(redis_url: str, budget: Budget, calls: int = 2000) -> float:
    """Mean seconds of one uncontended acquire + release on a RedisLimiter."""
    key = uuid.uuid4().hex
    async with RedisLimiter(redis_url, prefix=f"revu:bench:{key[:8]}") as limiter:
        for _ in range(50):  # connections, subscription, script load
            await limiter.release(await limiter.acquire(key, budget, 1_000))
        began = time.perf_counter()
        for _ in range(calls):
            await limiter.release(await limiter.acquire(key, budget, 1_000))
        return (time.perf_counter() - began) / calls


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="worker processes (default 4)")
    parser.add_argument("--calls", type=int, default=60, help="calls per worker (default 60)")
    parser.add_argument("--cap", type=int, default=30, help="the key's max concurrency")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per answer")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REVU_REDIS_URL") or "redis://127.0.0.1:6379/0",
        help="Redis for the shared limiter (default: REVU_REDIS_URL or local)",
    )
    args = parser.parse_args()
    processes = multiprocessing.get_context("forkserver")
    processes.set_forkserver_preload(["revu.llm"])  # holds the Redis limiter too
    with EmulatorServer(port=0) as server:
        emulator = EmulatorClient(server.url)
        rows = [
            run("local", 1, processes, emulator, args),
            run("local", args.workers, processes, emulator, args),
            run("redis", args.workers, processes, emulator, args),
        ]
    print(
        f"{args.workers} processes × {args.calls} calls, cap {args.cap}, latency "
        f"{args.latency:g} s: at best {args.cap / args.latency:g} calls/s"
    )
    print(
        "| limiter | calls | answered | 429s | max in flight | max admitted | wall s "
        "| mean call s | cap used | saturation |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.label} | {row.calls} | {row.answered} | {row.refused_429} "
            f"| {row.max_in_flight} | {row.max_admitted} | {row.wall_s:.2f} "
            f"| {row.mean_latency_s:.2f} | {row.utilisation:.0%} | {row.saturation:.2f} |"
        )
    cap_only = asyncio.run(round_trip(args.redis_url, Budget(max_concurrent=args.cap)))
    windows = Budget(max_concurrent=args.cap, rpm=5_000, tpm=4_000_000)
    with_windows = asyncio.run(round_trip(args.redis_url, windows))
    print(
        f"uncontended acquire + release on Redis: {cap_only * 1e6:.0f} µs (cap only), "
        f"{with_windows * 1e6:.0f} µs (cap, RPM and TPM, 2,050 calls in the window)"
    )
    shared = rows[-1]
    ok = shared.refused_429 == 0 and shared.max_in_flight <= args.cap
    return 0 if ok and shared.answered == shared.calls else 1


if __name__ == "__main__":
    sys.exit(main())
