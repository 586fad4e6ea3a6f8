"""Keeping calls inside a provider's limits: concurrency, requests and tokens per minute, cooldowns.

`Limiter` is the one interface; `LocalLimiter` serves one process. A shared implementation
(Redis leases) plugs in behind the same interface: `acquire` hands out a `Lease` with an id
that `release` returns, and budgets travel with every call so no process needs configuration.
Keys are hashes of (base URL, API key): the key itself never reaches the limiter.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

_WINDOW_S = 60.0


def limit_key(base_url: str, api_key: str) -> str:
    """The limiter key of an endpoint and key: a sha256 hash, never the key itself."""
    return hashlib.sha256(f"{base_url.rstrip('/')}\n{api_key}".encode()).hexdigest()


@dataclass(frozen=True)
class Budget:
    """The limits of one (endpoint, key): None means no limit of that kind."""

    max_concurrent: int | None = None
    rpm: int | None = None
    tpm: int | None = None


@dataclass(frozen=True)
class Lease:
    """A permit to send one call; give it back with `Limiter.release`."""

    id: str
    key: str
    tokens: int
    waited_s: float


class Limiter(Protocol):
    """Admission control shared by every call on the same (endpoint, key)."""

    async def acquire(self, key: str, budget: Budget, tokens: int) -> Lease:
        """Wait (first come, first served) until a call of `tokens` may start; a lease."""
        ...

    async def release(self, lease: Lease) -> None:
        """The call of `lease` is over (answered or failed)."""
        ...

    async def cooldown(self, key: str, seconds: float) -> None:
        """No new call on `key` for `seconds` (the provider said: retry after)."""
        ...

    async def aclose(self) -> None:
        """Free any resources (connections to a shared store)."""
        ...


@asynccontextmanager
async def permit(limiter: Limiter, key: str, budget: Budget, tokens: int) -> AsyncIterator[Lease]:
    """`async with permit(...)`: acquire a lease and release it whatever happens."""
    lease = await limiter.acquire(key, budget, tokens)
    try:
        yield lease
    finally:
        await limiter.release(lease)


@dataclass
class _Waiter:
    tokens: int
    future: asyncio.Future[None]


@dataclass
class _KeyState:
    budget: Budget = field(default_factory=Budget)
    in_flight: int = 0
    starts: deque[float] = field(default_factory=deque)  # call start times in the last minute
    spent: deque[tuple[float, int]] = field(default_factory=deque)  # (time, tokens) last minute
    spent_total: int = 0
    cooldown_until: float = 0.0
    waiters: deque[_Waiter] = field(default_factory=deque)
    timer: asyncio.TimerHandle | None = None
    leases: set[str] = field(default_factory=set)


class LocalLimiter:
    """The in-process limiter: FIFO waiters, no polling (futures; timers only for time windows)."""

    def __init__(self) -> None:
        self._keys: dict[str, _KeyState] = {}
        self._ids = itertools.count(1)
        self.max_in_flight: dict[str, int] = {}  # high-water mark per key, for tests and benches

    def in_flight(self, key: str) -> int:
        state = self._keys.get(key)
        return state.in_flight if state else 0

    async def acquire(self, key: str, budget: Budget, tokens: int) -> Lease:
        state = self._keys.setdefault(key, _KeyState())
        state.budget = budget  # the latest caller's budget wins: configuration may change
        began = time.monotonic()
        if not state.waiters and self._admissible(state, tokens, began) == 0.0:
            self._admit(key, state, tokens, began)
        else:
            waiter = _Waiter(tokens, asyncio.get_running_loop().create_future())
            state.waiters.append(waiter)
            self._pump(key, state)
            try:
                await waiter.future
            except asyncio.CancelledError:
                if waiter.future.done() and not waiter.future.cancelled():
                    state.in_flight -= 1  # admitted just as we were cancelled: give it back
                    self._pump(key, state)
                else:
                    with contextlib.suppress(ValueError):
                        state.waiters.remove(waiter)
                    self._pump(key, state)
                raise
        lease = Lease(
            id=f"{key[:12]}-{next(self._ids)}",
            key=key,
            tokens=tokens,
            waited_s=time.monotonic() - began,
        )
        state.leases.add(lease.id)
        return lease

    async def release(self, lease: Lease) -> None:
        state = self._keys.get(lease.key)
        if state is None or lease.id not in state.leases:
            return  # released twice: harmless
        state.leases.discard(lease.id)
        state.in_flight -= 1
        self._pump(lease.key, state)

    async def cooldown(self, key: str, seconds: float) -> None:
        state = self._keys.setdefault(key, _KeyState())
        state.cooldown_until = max(state.cooldown_until, time.monotonic() + max(0.0, seconds))

    async def aclose(self) -> None:
        for state in self._keys.values():
            if state.timer is not None:
                state.timer.cancel()
                state.timer = None

    # --- admission ---------------------------------------------------------------------

    def _admissible(self, state: _KeyState, tokens: int, now: float) -> float | None:
        """0.0: may start now; a delay: may start after it; None: wait for a release."""
        budget = state.budget
        if budget.max_concurrent is not None and state.in_flight >= budget.max_concurrent:
            return None
        delay = max(0.0, state.cooldown_until - now)
        self._expire(state, now)
        if budget.rpm is not None and len(state.starts) >= budget.rpm:
            delay = max(delay, state.starts[0] + _WINDOW_S - now)
        # A call larger than the whole TPM budget still goes alone, else it would never go.
        if budget.tpm is not None and state.spent and state.spent_total + tokens > budget.tpm:
            freed, at = state.spent_total, now
            for when, amount in state.spent:
                freed -= amount
                at = when + _WINDOW_S
                if freed + tokens <= budget.tpm:
                    break
            delay = max(delay, at - now)
        return delay

    def _expire(self, state: _KeyState, now: float) -> None:
        while state.starts and state.starts[0] <= now - _WINDOW_S:
            state.starts.popleft()
        while state.spent and state.spent[0][0] <= now - _WINDOW_S:
            state.spent_total -= state.spent.popleft()[1]

    def _admit(self, key: str, state: _KeyState, tokens: int, now: float) -> None:
        state.in_flight += 1
        if state.budget.rpm is not None:
            state.starts.append(now)
        if state.budget.tpm is not None:
            state.spent.append((now, tokens))
            state.spent_total += tokens
        self.max_in_flight[key] = max(self.max_in_flight.get(key, 0), state.in_flight)

    def _pump(self, key: str, state: _KeyState) -> None:
        """Admit waiters from the head while they fit; arm one timer when time must pass."""
        if state.timer is not None:
            state.timer.cancel()
            state.timer = None
        while state.waiters:
            head = state.waiters[0]
            if head.future.done():  # cancelled while queued
                state.waiters.popleft()
                continue
            now = time.monotonic()
            delay = self._admissible(state, head.tokens, now)
            if delay is None:
                return  # a release will pump again
            if delay > 0:
                loop = asyncio.get_running_loop()
                state.timer = loop.call_later(delay, self._pump, key, state)
                return
            state.waiters.popleft()
            self._admit(key, state, head.tokens, now)
            head.future.set_result(None)
