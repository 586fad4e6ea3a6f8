"""The shared limiter: every process (and machine) on one Redis keeps one key's limits together.

Concurrency is held as leases, not counters: a lease is a member of a sorted set scored by
its expiry, renewed by a heartbeat while its call runs and removed on release, so a crashed
process's permits come back after `lease_ttl_s` instead of leaking. RPM and TPM are sliding
one-minute windows checked in the same atomic script. Waiters hold tickets in a queue (FIFO
across processes); one pump task per key and process offers its local head to Redis and
otherwise sleeps until a release is published on the key's channel (or a bounded timer, in
case a message was lost). docs/limiter.md explains the design.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from revu.llm._errors import LLMError
from revu.llm._limiter import Budget, Lease, Limiter, LocalLimiter
from revu.llm._redis_scripts import KeyNames, Scripts

log = logging.getLogger("revu.llm.limiter")

DEFAULT_PREFIX = "revu:limit"
_CANDIDATES = 32  # local waiters offered to Redis per round trip
_REGISTER = 256  # tickets registered per round trip
_SETTLE_S = 2.0  # how long a cancelled waiter (or aclose) waits for Redis to forget it
_HINT = "start Redis or fix REVU_REDIS_URL; unset it to limit calls per process only"


class LimiterUnavailable(LLMError):
    """The shared limiter's Redis cannot be reached: calls are refused rather than unlimited."""

    kind = "limiter_unavailable"


def redacted(url: str) -> str:
    """The Redis URL without its password, fit for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def limiter_for(redis_url: str | None) -> Limiter:
    """The limiter of a deployment: shared on Redis when REVU_REDIS_URL is set, else in-process."""
    return RedisLimiter(redis_url) if redis_url else LocalLimiter()


@dataclass(eq=False)
class _Waiter:
    id: str  # the ticket's id, and the lease's once admitted
    tokens: int
    began: float
    admitted: asyncio.Future[None]
    settled: asyncio.Future[None]  # Redis holds nothing more for this waiter (it gave up)
    registered: bool = False  # its ticket is in the Redis queue


@dataclass(eq=False)
class _Key:
    names: KeyNames
    budget: Budget = field(default_factory=Budget)
    waiters: deque[_Waiter] = field(default_factory=deque)
    forget: list[_Waiter] = field(default_factory=list)  # gave up while their ticket was queued
    held: set[str] = field(default_factory=set)  # leases of this process, renewed by heartbeat
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    pump: asyncio.Task[None] | None = None
    listening: bool = False


class RedisLimiter:
    """A `Limiter` whose caps hold across every process sharing a Redis (REVU_REDIS_URL).

    `lease_ttl_s`: how long a crashed holder's permit stays taken (renewed every third of
    it while a call runs). `poll_s`: the longest a waiter sleeps without news, in case a
    wake-up message was lost. `prefix`: the Redis key prefix (tests use their own).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        lease_ttl_s: float = 30.0,
        poll_s: float = 1.0,
    ) -> None:
        if lease_ttl_s < 0.3 or poll_s <= 0:
            raise ValueError("lease_ttl_s must be at least 0.3 s and poll_s positive")
        self.url = url
        self.prefix = prefix
        self.lease_ttl_s = lease_ttl_s
        self.poll_s = poll_s
        # What the scripts take: a lease's and a ticket's ttl, and how long an idle key's
        # Redis keys live (past the one-minute windows they hold).
        self._ttl_ms = math.ceil(lease_ttl_s * 1000)
        self._idle_ms = math.ceil(max(lease_ttl_s, 60.0) * 1000) + 60_000
        try:
            self._redis = aioredis.Redis.from_url(
                url,
                decode_responses=True,
                socket_connect_timeout=5,
                socket_timeout=10,
                health_check_interval=15,
            )
        except ValueError as exc:
            raise LimiterUnavailable(
                f"REVU_REDIS_URL is not a Redis URL ({redacted(url)}): {exc}",
                hint="use redis://host:6379/0, rediss://… or unix://…",
            ) from None
        self._owner = secrets.token_hex(6)
        self._ids = itertools.count(1)
        self._keys: dict[str, _Key] = {}
        self._channels: dict[str, _Key] = {}
        self._ready: dict[str, asyncio.Event] = {}
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._scripts = Scripts.on(self._redis)

    # --- the Limiter protocol ------------------------------------------------------------

    async def acquire(self, key: str, budget: Budget, tokens: int) -> Lease:
        """Wait (FIFO in this process, by ticket across processes) for a lease on `key`."""
        if self._closed:
            raise LimiterUnavailable("the shared limiter is closed", hint=_HINT)
        state = self._state(key)
        state.budget = budget  # the latest caller's budget wins: configuration may change
        loop = asyncio.get_running_loop()
        waiter = _Waiter(
            id=f"{self._owner}-{next(self._ids)}",
            tokens=tokens,
            began=time.monotonic(),
            admitted=loop.create_future(),
            settled=loop.create_future(),
        )
        state.waiters.append(waiter)
        if state.pump is None:
            state.pump = asyncio.create_task(self._pump(state), name=f"revu-limit-{key[:8]}")
        else:
            state.wake.set()
        try:
            await waiter.admitted
        except asyncio.CancelledError:
            state.wake.set()
            fut = waiter.admitted
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                state.held.discard(waiter.id)  # admitted just as we were cancelled: give back
                await self._give_back(state, waiter.id)
            else:  # the pump takes the ticket out of the queue; wait for it, briefly
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait({waiter.settled}, timeout=_SETTLE_S)
            raise
        return Lease(id=waiter.id, key=key, tokens=tokens, waited_s=time.monotonic() - waiter.began)

    async def release(self, lease: Lease) -> None:
        """Give the permit back; twice (or a lease of another limiter) is harmless.

        Never raises: if Redis is unreachable the lease is no longer renewed, so it lapses
        after `lease_ttl_s` and the cap still holds."""
        state = self._keys.get(lease.key)
        if state is None or lease.id not in state.held:
            return
        state.held.discard(lease.id)
        await self._give_back(state, lease.id)

    async def cooldown(self, key: str, seconds: float) -> None:
        """No new call on `key`, in any process, for `seconds` (extends, never shortens)."""
        ms = math.ceil(seconds * 1000)
        if ms <= 0:
            return
        try:
            await self._scripts.cooldown(keys=[self._state(key).names.cooldown], args=[ms])
        except (RedisError, OSError) as exc:
            raise self._unreachable(exc, "pause calls after a 429") from None

    async def aclose(self) -> None:
        """Fail the calls still waiting, take their tickets out, stop the heartbeat and the
        listener, close the connections. Leases still held lapse after `lease_ttl_s`."""
        if self._closed:
            return
        self._closed = True
        closed = LimiterUnavailable("the shared limiter was closed while calls waited", hint="")
        for state in self._keys.values():
            for waiter in state.waiters:
                if not waiter.admitted.done():
                    waiter.admitted.set_exception(closed)
                    waiter.admitted.exception()  # retrieved here: nobody may await it
            state.wake.set()
        pumps = [state.pump for state in self._keys.values() if state.pump is not None]
        for group in (pumps, list(self._background)):
            if group:
                _, late = await asyncio.wait(group, timeout=_SETTLE_S)
                for task in late:
                    task.cancel()
        helpers = [task for task in (self._heartbeat, self._reader) if task is not None]
        for helper in helpers:
            helper.cancel()
        if helpers:  # bounded: a cancel racing a read timeout can be swallowed (Python 3.11)
            await asyncio.wait(helpers, timeout=_SETTLE_S)
        if self._pubsub is not None:
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._redis.aclose()

    async def __aenter__(self) -> RedisLimiter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- for operators and tests ---------------------------------------------------------

    async def check(self) -> None:
        """Raise LimiterUnavailable unless Redis answers (for start-up checks)."""
        try:
            await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise self._unreachable(exc, "hold the shared LLM limits") from None

    async def holders(self, key: str) -> int:
        """Live leases on `key` across every process (permits in use right now)."""
        names = self._state(key).names
        return int(await self._scripts.holders(keys=[names.leases], args=[]))

    # --- the pump: one task per key, the only one that changes this process's tickets ----

    def _state(self, key: str) -> _Key:
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _Key(names=KeyNames.of(self.prefix, key))
            self._channels[state.names.channel] = state
        return state

    async def _pump(self, state: _Key) -> None:
        try:
            await self._listen(state)
            while True:
                self._sweep(state)
                if state.forget:
                    await self._forget(state)
                    continue
                if not state.waiters:
                    return  # no await since the check: a new acquire starts a new pump
                state.wake.clear()  # before asking: a release published meanwhile still wakes
                why, wait_ms = await self._offer(state)
                if not why or any(not w.registered for w in state.waiters):
                    continue
                if why == "queue":
                    timeout = self.poll_s
                elif why == "busy":  # a release wakes us; the first lease's expiry at worst
                    timeout = min(self.poll_s, wait_ms / 1000 + 0.002)
                else:  # rpm, tpm, cooldown: only time helps
                    timeout = wait_ms / 1000 + 0.002
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await state.wake.wait()
        except Exception as exc:  # every waiter must hear of it, or it would wait forever
            if not isinstance(exc, RedisError | OSError):
                log.exception("revu limiter: the pump failed")
            self._fail(state, self._unreachable(exc, "hold the shared LLM limits"))
        finally:
            state.pump = None

    async def _offer(self, state: _Key) -> tuple[str, int]:
        """Register new tickets and offer the local head; hand out the leases Redis grants."""
        fresh = list(itertools.islice((w for w in state.waiters if not w.registered), _REGISTER))
        heads = list(itertools.islice(state.waiters, _CANDIDATES))
        budget = state.budget
        args: list[Any] = [
            budget.max_concurrent or 0,
            budget.rpm or 0,
            budget.tpm or 0,
            self._ttl_ms,
            self._idle_ms,
            state.names.channel,
            len(fresh),
            *(w.id for w in fresh),
        ]
        for waiter in heads:
            args += [waiter.id, waiter.tokens]
        names = state.names
        keys = [*names.expiring(), names.cooldown]
        why, wait_ms, admitted = await self._scripts.acquire(keys=keys, args=args)
        for waiter in fresh:
            waiter.registered = True
        by_id = {w.id: w for w in heads}
        for lease_id in admitted:
            waiter = by_id[lease_id]
            state.waiters.remove(waiter)
            if waiter.admitted.done():  # gave up while Redis admitted it: give it back
                await self._give_back(state, waiter.id)
                _settle(waiter)
            else:
                state.held.add(waiter.id)
                waiter.admitted.set_result(None)
        if (admitted or fresh) and self._heartbeat is None:
            self._heartbeat = asyncio.create_task(self._beat(), name="revu-limit-heartbeat")
        return cast(str, why), int(wait_ms)

    def _sweep(self, state: _Key) -> None:
        """Take out waiters that gave up (cancelled, or failed by aclose)."""
        if all(not w.admitted.done() for w in state.waiters):
            return
        keep: deque[_Waiter] = deque()
        for waiter in state.waiters:
            if not waiter.admitted.done():
                keep.append(waiter)
            elif waiter.registered:
                state.forget.append(waiter)
            else:
                _settle(waiter)
        state.waiters = keep

    async def _forget(self, state: _Key) -> None:
        gone, state.forget = state.forget, []
        try:
            args = [state.names.channel, *(w.id for w in gone)]
            await self._scripts.forget(keys=[state.names.queue, state.names.tickets], args=args)
        finally:
            for waiter in gone:
                _settle(waiter)

    def _fail(self, state: _Key, error: LimiterUnavailable) -> None:
        for waiter in [*state.waiters, *state.forget]:
            if not waiter.admitted.done():
                waiter.admitted.set_exception(error)
            _settle(waiter)
        state.waiters.clear()
        state.forget.clear()

    async def _give_back(self, state: _Key, lease_id: str) -> None:
        """Remove a lease in Redis; shielded, so a cancelled caller still gives it back."""
        names = state.names
        task = asyncio.ensure_future(
            self._scripts.release(keys=[names.leases, names.queue], args=[lease_id, names.channel])
        )
        self._background.add(task)
        task.add_done_callback(self._given_back)
        with contextlib.suppress(RedisError, OSError):  # logged by _given_back
            await asyncio.shield(task)
        state.wake.set()  # our own waiters need not wait for the message to come round

    def _given_back(self, task: asyncio.Task[Any] | asyncio.Future[Any]) -> None:
        self._background.discard(cast("asyncio.Task[Any]", task))
        if not task.cancelled() and task.exception() is not None:
            log.warning(
                "revu limiter: could not give a lease back on Redis (%s); it lapses in %g s",
                _first_line(task.exception()),
                self.lease_ttl_s,
            )

    # --- wake-ups and heartbeat ----------------------------------------------------------

    async def _listen(self, state: _Key) -> None:
        """Subscribe to the key's channel before the first offer, so no release is missed."""
        if state.listening:
            return
        channel = state.names.channel
        ready = self._ready.setdefault(channel, asyncio.Event())
        if self._pubsub is None:
            self._pubsub = self._redis.pubsub()
        await self._pubsub.subscribe(channel)
        if self._reader is None:
            self._reader = asyncio.create_task(self._read(self._pubsub), name="revu-limit-wake")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2 * self.poll_s):
                await ready.wait()
        state.listening = True

    async def _read(self, pubsub: PubSub) -> None:
        while not self._closed:
            try:
                message = await pubsub.get_message(timeout=5.0)
            except (RedisError, OSError) as exc:
                # Messages may be lost while reconnecting: every pump looks again.
                log.warning("revu limiter: lost Redis wake-ups (%s)", _first_line(exc))
                for state in self._keys.values():
                    state.wake.set()
                await asyncio.sleep(self.poll_s)
                continue
            if message is None:
                continue
            if message["type"] == "subscribe" and message["channel"] in self._ready:
                self._ready[message["channel"]].set()
            elif message["type"] == "message" and message["channel"] in self._channels:
                self._channels[message["channel"]].wake.set()

    async def _beat(self) -> None:
        """Renew this process's leases and tickets every third of their ttl."""
        while not self._closed:
            await asyncio.sleep(self.lease_ttl_s / 3)
            for state in list(self._keys.values()):
                leases = list(state.held)
                tickets = [w.id for w in state.waiters if w.registered]
                if not leases and not tickets:
                    continue
                args: list[str | int] = [
                    self._ttl_ms,
                    self._idle_ms,
                    len(leases),
                    *leases,
                    *tickets,
                ]
                try:
                    lost = await self._scripts.renew(keys=state.names.expiring(), args=args)
                except (RedisError, OSError) as exc:
                    log.warning(
                        "revu limiter: cannot renew leases on Redis (%s); they lapse in %g s",
                        _first_line(exc),
                        self.lease_ttl_s,
                    )
                    continue
                for lease_id in lost:
                    if lease_id in state.held:  # this process stalled for longer than the ttl
                        log.warning("revu limiter: lease %s lapsed before its call ended", lease_id)

    def _unreachable(self, exc: BaseException, doing: str) -> LimiterUnavailable:
        where = f"Redis at {redacted(self.url)} (REVU_REDIS_URL)"
        if isinstance(exc, RedisConnectionError | RedisTimeoutError | OSError):
            message = f"cannot reach {where} to {doing}: {_first_line(exc)}"
        else:
            message = f"{where} failed to {doing}: {_first_line(exc)}"
        return LimiterUnavailable(message, hint=_HINT)


def _settle(waiter: _Waiter) -> None:
    if not waiter.settled.done():
        waiter.settled.set_result(None)


def _first_line(exc: BaseException | None) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
