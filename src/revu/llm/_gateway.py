"""The gateway: the one door to the models. Limits, retries, failover, usage and cost.

Callers hand it a `ChatRequest`; it picks the slot, waits for a permit from the limiter,
sends the request through the slot's protocol, retries what may be retried, asks the fallback
when the main slot cannot answer, and keeps a running total of tokens and cost.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Literal

import httpx2

from revu.catalog import Catalog, Model, Provider, Wire, load_catalog
from revu.llm._errors import (
    AuthError,
    LLMError,
    ModelNotFound,
    NoSlotAnswered,
    QuotaExhausted,
    RateLimited,
    Timeout,
)
from revu.llm._http import REVIEW_TIMEOUT, http_client
from revu.llm._limiter import Budget, Limiter, LocalLimiter, limit_key
from revu.llm._override import sampling_conflicts, unreached
from revu.llm._protocols import ChatProtocol, make_protocol
from revu.llm._request import build_body, default_max_tokens
from revu.llm._retry import RetryPolicy
from revu.llm._types import ChatRequest, Completion, Routing, Slot, SlotName, Usage
from revu.llm._usage import estimate_prompt_tokens, priced

EventKind = Literal["wait", "start", "retry", "failover", "finish", "fail"]


@dataclass(frozen=True)
class GatewayEvent:
    """Something happened to a call: for progress displays and logs.

    kinds: wait (queued for a permit), start (sent), retry (will try again after `delay_s`),
    failover (the fallback slot is asked), finish (answered, with `usage`), fail (gave up).
    """

    kind: EventKind
    call_id: int
    slot: SlotName
    label: str
    attempt: int
    in_flight: int  # calls of this gateway on the wire right now
    delay_s: float = 0.0
    error: LLMError | None = None
    usage: Usage | None = None


# Errors that will not heal during one review: after one, later calls go to the fallback first.
_BENCHING = (QuotaExhausted, AuthError, ModelNotFound)


def namespace_for(slot: Slot, provider: Provider | None) -> str:
    """The override namespace the slot's requests read."""
    if provider is not None:
        return provider.namespace
    return "anthropic" if slot.wire is Wire.ANTHROPIC else "openaiCompatible"


@dataclass
class _SlotRuntime:
    slot: Slot
    model: Model
    namespace: str
    budget: Budget
    key: str  # the limiter's: a hash of base URL and API key
    protocol: ChatProtocol


class Gateway:
    """Completions for callers that know nothing of providers. Use `async with` or `aclose()`."""

    def __init__(
        self,
        routing: Routing,
        *,
        limiter: Limiter | None = None,
        on_event: Callable[[GatewayEvent], None] | None = None,
        retry: RetryPolicy | None = None,
        catalog: Catalog | None = None,
        http_timeout: float | httpx2.Timeout = REVIEW_TIMEOUT,
    ) -> None:
        self.routing = routing
        self.retry = retry or RetryPolicy()
        self._catalog = catalog or load_catalog()
        self._owns_limiter = limiter is None
        self._limiter: Limiter = limiter or LocalLimiter()
        self._on_event = on_event
        self._ids = itertools.count(1)
        self._benched: tuple[float, LLMError] | None = None  # main: until when, and why
        self.usage = Usage()
        self.in_flight = 0
        self._runtimes: dict[str, _SlotRuntime] = {}
        self.warnings: list[str] = []
        self._runtimes["main"] = self._runtime(routing.main, http_timeout)
        if routing.fallback is not None:
            self._runtimes["fallback"] = self._runtime(routing.fallback, http_timeout)

    def _runtime(self, slot: Slot, timeout: float | httpx2.Timeout) -> _SlotRuntime:
        provider = self._catalog.provider(slot.provider)
        model = self._catalog.model(slot.provider, slot.model, slot.plan)
        plan = self._catalog.plan(slot.provider, slot.plan)
        budget = Budget(
            max_concurrent=slot.max_concurrent or (plan.max_concurrent if plan else None),
            rpm=slot.rpm or (plan.rpm if plan else None),
            tpm=slot.tpm or (plan.tpm if plan else None),
        )
        namespace = namespace_for(slot, provider)
        self.warnings += [f"{slot.name} slot: {w}" for w in unreached(slot.override, namespace)]
        fixed = sampling_conflicts(slot.override, namespace)
        if fixed and model.profile.fixed_sampling:
            self.warnings.append(
                f"{slot.name} slot: {slot.model} accepts only its own sampling; the override's "
                f"{', '.join(fixed)} will be refused"
            )
        if model.price is None and not model.subscription:
            self.warnings.append(
                f"{slot.name} slot: no price known for {slot.model}: its cost counts as 0 "
                "(unknown price)"
            )
        connections = max(64, budget.max_concurrent or 0)
        http = http_client(timeout=timeout, max_connections=connections)
        return _SlotRuntime(
            slot=slot,
            model=model,
            namespace=namespace,
            budget=budget,
            key=limit_key(slot.base_url, slot.api_key),
            protocol=make_protocol(slot, http),
        )

    # --- what callers ask --------------------------------------------------------------

    def context_window(self, slot: SlotName = "main") -> int:
        """The model's context window in tokens (a safe default for models the catalog lacks)."""
        return self._pick(slot).model.context_window

    def max_output_tokens(self, slot: SlotName = "main") -> int:
        """The output budget a request without max_tokens gets on this slot."""
        rt = self._pick(slot)
        return default_max_tokens(rt.model, rt.slot.thinking)

    def _pick(self, slot: SlotName) -> _SlotRuntime:
        return self._runtimes.get(slot) or self._runtimes["main"]

    async def complete(self, request: ChatRequest) -> Completion:
        """One answer, from the main slot or else the fallback. Raises LLMError subclasses:
        ContextTooLong and ContentFiltered as they come, NoSlotAnswered when both slots fail."""
        call_id = next(self._ids)
        errors: list[LLMError] = []
        order = [self._runtimes["main"]]
        if "fallback" in self._runtimes:
            order.append(self._runtimes["fallback"])
            if self._benched is not None and self._benched[0] > time.monotonic():
                errors.append(self._benched[1])
                order = order[1:]
        for runtime in order:
            if errors:
                self._emit("failover", call_id, runtime.slot.name, request, 1, error=errors[-1])
            try:
                answer = await self._on_slot(runtime, request, call_id)
            except LLMError as error:
                if not error.failover:
                    raise
                errors.append(error)
                if runtime is self._runtimes["main"] and self._benches(error):
                    until = time.monotonic() + (error.retry_after or math.inf)
                    self._benched = (until, error)
                continue
            return replace(answer, fallback_used=runtime is self._runtimes.get("fallback"))
        if len(errors) == 1:
            raise errors[0]
        raise NoSlotAnswered(errors)

    def _benches(self, error: LLMError) -> bool:
        """Whether later calls should skip main for a while (only worth it with a fallback)."""
        if "fallback" not in self._runtimes:
            return False
        if isinstance(error, RateLimited):  # told to wait longer than a call may: use fallback
            return (error.retry_after or 0.0) > self.retry.rate_limit_wait_s
        return isinstance(error, _BENCHING)

    async def _on_slot(self, rt: _SlotRuntime, request: ChatRequest, call_id: int) -> Completion:
        body = build_body(rt.slot, rt.model, rt.namespace, request)
        asked = body.get("max_tokens") or body.get("max_completion_tokens") or 0
        tokens = estimate_prompt_tokens(request.messages) + int(asked)
        policy = self.retry
        deadline: float | None = None
        waited_on_limits = 0.0
        attempt = 0
        while True:
            attempt += 1
            self._emit("wait", call_id, rt.slot.name, request, attempt)
            lease = await self._limiter.acquire(rt.key, rt.budget, tokens)
            began = time.monotonic()
            deadline = deadline or began + policy.deadline_s
            self.in_flight += 1
            error: LLMError | None = None
            try:
                self._emit("start", call_id, rt.slot.name, request, attempt)
                async with asyncio.timeout_at(_loop_time_at(deadline)):
                    answer = await rt.protocol.send(body)
            except LLMError as exc:
                error = exc
            except TimeoutError:
                error = Timeout(
                    f"no answer within the call's deadline of {policy.deadline_s:g} s",
                    hint="the provider is too slow right now; try again later",
                    slot=rt.slot.name,
                    provider=rt.slot.provider,
                )
            finally:
                self.in_flight -= 1
                await self._limiter.release(lease)
            if error is None:
                usage = priced(answer.usage, rt.model.price)
                self.usage = self.usage + usage
                self._emit("finish", call_id, rt.slot.name, request, attempt, usage=usage)
                return Completion(
                    content=answer.content,
                    reasoning=answer.reasoning,
                    finish_reason=answer.finish_reason,
                    usage=usage,
                    slot=rt.slot.name,
                    provider=rt.slot.provider,
                    model=rt.slot.model,
                    base_url=rt.slot.base_url,
                    latency_s=time.monotonic() - began,
                )
            if isinstance(error, RateLimited) and error.retry_after:
                # Everyone on this key pauses, not just this call: the limit is the account's.
                await self._limiter.cooldown(rt.key, error.retry_after)
            delay = policy.delay(attempt, error)
            out_of_time = time.monotonic() + delay > deadline
            if isinstance(error, RateLimited):
                waited_on_limits += delay
            if policy.gives_up(attempt, error, waited_on_limits=waited_on_limits) or out_of_time:
                self._emit("fail", call_id, rt.slot.name, request, attempt, error=error)
                raise error
            self._emit("retry", call_id, rt.slot.name, request, attempt, delay_s=delay, error=error)
            if isinstance(error, RateLimited) and error.retry_after:
                continue  # the limiter's cooldown does the waiting, for every caller
            await asyncio.sleep(delay)

    def _emit(
        self,
        kind: EventKind,
        call_id: int,
        slot: SlotName,
        request: ChatRequest,
        attempt: int,
        *,
        delay_s: float = 0.0,
        error: LLMError | None = None,
        usage: Usage | None = None,
    ) -> None:
        if self._on_event is not None:
            self._on_event(
                GatewayEvent(
                    kind=kind,
                    call_id=call_id,
                    slot=slot,
                    label=request.label,
                    attempt=attempt,
                    in_flight=self.in_flight,
                    delay_s=delay_s,
                    error=error,
                    usage=usage,
                )
            )

    # --- lifecycle ---------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP clients (and the limiter when the gateway made it)."""
        for rt in self._runtimes.values():
            await rt.protocol.aclose()
        if self._owns_limiter:
            await self._limiter.aclose()

    async def __aenter__(self) -> Gateway:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _loop_time_at(deadline_monotonic: float) -> float:
    """Translate a time.monotonic() instant to the running loop's clock."""
    return asyncio.get_running_loop().time() + (deadline_monotonic - time.monotonic())
