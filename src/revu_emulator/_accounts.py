"""Per-key accounting: balance, in-flight calls, RPM/TPM/TPD windows and the Kimi Code quota."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from revu_emulator import _errors as errors
from revu_emulator._config import KeySpec

MINUTE = 60.0
DAY = 86_400.0


def _retry_after(seconds: float) -> int:
    return max(1, math.ceil(seconds))


@dataclass
class TokenWindow:
    """Tokens admitted in a sliding window, for TPM (one minute) and TPD (one day)."""

    span_s: float
    entries: deque[tuple[float, int]] = field(default_factory=deque)

    def used(self, now: float) -> int:
        while self.entries and self.entries[0][0] <= now - self.span_s:
            self.entries.popleft()
        return sum(tokens for _, tokens in self.entries)

    def wait_for(self, tokens: int, limit: int, now: float) -> float:
        """Seconds until `tokens` more fit under `limit` (the whole span if they never fit)."""
        excess = self.used(now) + tokens - limit
        for when, spent in self.entries:
            excess -= spent
            if excess <= 0:
                return when + self.span_s - now
        return self.span_s

    def add(self, tokens: int, now: float) -> None:
        self.entries.append((now, tokens))


@dataclass
class Account:
    """One key's live state. Limits are per key (the emulator treats each key as an account)."""

    spec: KeySpec
    balance_usd: float
    in_flight: int = 0
    max_in_flight: int = 0
    requests: int = 0
    minute_requests: deque[float] = field(default_factory=deque)
    tpm: TokenWindow = field(default_factory=lambda: TokenWindow(MINUTE))
    tpd: TokenWindow = field(default_factory=lambda: TokenWindow(DAY))
    window_started: float | None = None
    window_count: int = 0

    @classmethod
    def open(cls, spec: KeySpec) -> Account:
        return cls(spec=spec, balance_usd=spec.balance_usd)

    def check_balance(self) -> None:
        """Refuse when the balance is spent: 429 on the platforms (or the key's chosen quota
        answer: 429 token quota, 403 insufficient balance), 402 on Kimi Code."""
        if self.balance_usd > 0:
            return
        if self.spec.platform == "code":
            raise errors.membership_unverified()
        if self.spec.quota_answer == "token_quota":
            raise errors.token_quota_exceeded()
        if self.spec.quota_answer == "insufficient_balance":
            raise errors.insufficient_balance(self.spec.key)
        raise errors.balance_exhausted(self.spec.key)

    def admit(self, tokens: int, now: float, window_s: float) -> None:
        """Take a slot for one call counting `tokens` (input + max_tokens), or raise a 429."""
        key = self.spec.key
        limits = self.spec.limits()
        if self.spec.window_requests is not None:
            if self.window_started is None or now - self.window_started >= window_s:
                self.window_started, self.window_count = now, 0
            if self.window_count >= self.spec.window_requests:
                raise errors.window_quota_exhausted()
        if self.in_flight >= limits.concurrency:
            raise errors.concurrency_reached(key, limits.concurrency, 1)
        if limits.rpm:
            while self.minute_requests and self.minute_requests[0] <= now - MINUTE:
                self.minute_requests.popleft()
            if len(self.minute_requests) >= limits.rpm:
                wait = self.minute_requests[0] + MINUTE - now
                raise errors.rpm_reached(key, limits.rpm, _retry_after(wait))
        for unit, window, limit in (("TPM", self.tpm, limits.tpm), ("TPD", self.tpd, limits.tpd)):
            if limit and window.used(now) + tokens > limit:
                wait = window.wait_for(tokens, limit, now)
                current = window.used(now) + tokens
                raise errors.token_rate_reached(key, unit, current, limit, _retry_after(wait))
        if self.spec.window_requests is not None:
            self.window_count += 1
        self.minute_requests.append(now)
        self.tpm.add(tokens, now)
        self.tpd.add(tokens, now)
        self.requests += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def release(self) -> None:
        """Give the slot back when the answer is finished (or the client went away)."""
        self.in_flight = max(0, self.in_flight - 1)
