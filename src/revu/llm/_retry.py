"""revu's own retry policy (the SDKs' retries are off): backoff with jitter, honest waits."""

from __future__ import annotations

import random
from dataclasses import dataclass

from revu.llm._errors import LLMError, RateLimited, Unreachable


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one call tries one slot before giving up (and failing over).

    Tests shrink the delays; the defaults suit real providers.
    """

    max_attempts: int = 6  # attempts per slot for retryable errors (overloaded, transient)
    unreachable_attempts: int = 2  # no such host, connection refused: one quick retry only
    base_delay_s: float = 1.0  # first backoff; doubles per attempt
    max_delay_s: float = 30.0  # cap of one computed backoff (an advertised wait is honoured)
    jitter: float = 0.5  # backoffs spread over ±jitter/2 so that a burst does not retry in step
    rate_limit_wait_s: float = 120.0  # total wait on rate limits before the fallback is asked
    deadline_s: float = 900.0  # per call and slot, from its first start, retries included

    def delay(self, attempt: int, error: LLMError, rng: random.Random | None = None) -> float:
        """Seconds to wait before attempt `attempt + 1` after `error`."""
        r: float = (rng or random).uniform(1 - self.jitter / 2, 1 + self.jitter / 2)
        if error.retry_after is not None:
            # The provider said when: wait that long, plus a little spread for the herd.
            return error.retry_after + self.base_delay_s * (r - (1 - self.jitter / 2))
        computed = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return computed * r

    def gives_up(self, attempt: int, error: LLMError, *, waited_on_limits: float) -> bool:
        """Whether the call stops trying this slot (`waited_on_limits`: the next wait included)."""
        if not error.retryable:
            return True
        if isinstance(error, RateLimited):
            # Waits are paced by the provider's advice; the count only stops a zero-wait loop.
            return waited_on_limits > self.rate_limit_wait_s or attempt >= 4 * self.max_attempts
        if isinstance(error, Unreachable):  # a name that does not resolve will not in 30 s
            return attempt >= min(self.unreachable_attempts, self.max_attempts)
        return attempt >= self.max_attempts
