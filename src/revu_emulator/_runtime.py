"""Everything the emulator remembers between requests, rebuilt from scratch on reset."""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from revu_emulator._accounts import Account
from revu_emulator._cache import PrefixCache
from revu_emulator._config import EmulatorConfig, KeySpec, ScriptRule, StartupState
from revu_emulator._faults import FaultPlan
from revu_emulator._redaction import key_label, redact_headers
from revu_emulator._scripts import ScriptBook


@dataclass(frozen=True)
class Usage:
    """Token counts and cost of one answered call."""

    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    cost_usd: float

    def to_json(self) -> dict[str, Any]:
        """Moonshot's usage object: top-level cached_tokens, reasoning under completion details."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "cached_tokens": self.cached_tokens,
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
        }


@dataclass
class Totals:
    """Tokens and money, overall or for one key."""

    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float = 0.0

    def add(self, usage: Usage) -> None:
        self.input_tokens += usage.prompt_tokens
        self.cached_tokens += usage.cached_tokens
        self.output_tokens += usage.completion_tokens
        self.reasoning_tokens += usage.reasoning_tokens
        self.cost_usd += usage.cost_usd

    def to_json(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cached_tokens": self.cached_tokens,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "cost_usd": round(self.cost_usd, 10),
        }


@dataclass
class Stats:
    """Counters for the admin API."""

    requests_total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_error_type: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    totals: Totals = field(default_factory=Totals)
    per_key: dict[str, Totals] = field(default_factory=dict)


class Runtime:
    """Config, keys, scripts, caches, faults and stats as of the last reset."""

    def __init__(self, startup: StartupState, now: float) -> None:
        self.config: EmulatorConfig = startup.config
        self.accounts: dict[str, Account] = {k.key: Account.open(k) for k in startup.keys}
        self.scripts = ScriptBook()
        for rule in startup.scripts:
            self.scripts.add(rule)
        self.fault_plan = FaultPlan(self.config.faults)
        self.cache = PrefixCache(self.config.cache_ttl_s, self.config.cache_block_tokens)
        self.stats = Stats()
        self.log: deque[dict[str, Any]] = deque(maxlen=self.config.requests_kept)
        self.last_activity = now

    def configure(self, changes: dict[str, Any]) -> None:
        """Change only the given fields; new fault settings restart the fault sequence."""
        self.config = self.config.merged(changes)
        if "faults" in changes:
            self.fault_plan = FaultPlan(self.config.faults)
        self.cache.ttl_s = self.config.cache_ttl_s
        self.cache.block_tokens = self.config.cache_block_tokens
        if self.log.maxlen != self.config.requests_kept:
            self.log = deque(self.log, maxlen=self.config.requests_kept)

    def add_key(self, spec: KeySpec) -> None:
        """Register (or replace) a key with fresh counters and its balance."""
        self.accounts[spec.key] = Account.open(spec)

    def add_script(self, rule: ScriptRule) -> int:
        return self.scripts.add(rule)

    def enter(self) -> None:
        """Count an admitted call as in flight overall (`Account.admit` counts the key's own)."""
        self.stats.in_flight += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)

    def leave(self, account: Account) -> None:
        account.release()
        self.stats.in_flight = max(0, self.stats.in_flight - 1)
        self.last_activity = time.monotonic()

    def cold_start_s(self, now: float) -> float:
        """The cold-start delay for a call admitted now: after idle_s with nothing in flight."""
        config = self.config
        idle = self.stats.in_flight == 0 and now - self.last_activity >= config.idle_s
        self.last_activity = now
        return config.cold_start_s if idle else 0.0

    def bill(self, account: Account, usage: Usage) -> None:
        """Debit the key and count the tokens. The last call may overdraw, as on the platform."""
        account.balance_usd -= usage.cost_usd
        self.stats.totals.add(usage)
        self.stats.per_key.setdefault(account.spec.key, Totals()).add(usage)

    def record(
        self,
        *,
        method: str,
        path: str,
        headers: dict[str, str],
        body: Any,
        status: int,
        error_type: str | None,
        fault: str | None = None,
        usage: Usage | None = None,
    ) -> None:
        """Count a finished (or started, for streams) request and keep it in the recent log."""
        self.stats.requests_total += 1
        self.stats.by_status[str(status)] += 1
        if error_type:
            self.stats.by_error_type[error_type] += 1
        if fault:
            self.stats.faults[fault] += 1
        self.log.append(
            {
                "index": self.stats.requests_total - 1,
                "method": method,
                "path": path,
                "headers": redact_headers(headers),
                "body": body,
                "status": status,
                "error_type": error_type,
                "fault": fault,
                "usage": usage.to_json() if usage else None,
            }
        )

    def stats_json(self) -> dict[str, Any]:
        """The admin API's stats object."""
        stats = self.stats
        keys: dict[str, Any] = {}
        for key, account in self.accounts.items():
            totals = stats.per_key.get(key, Totals())
            keys[key_label(key)] = {
                "platform": account.spec.platform,
                "in_flight": account.in_flight,
                "max_in_flight": account.max_in_flight,
                "requests": account.requests,
                "balance_usd": round(account.balance_usd, 10),
                **totals.to_json(),
            }
        return {
            "requests_total": stats.requests_total,
            "by_status": dict(stats.by_status),
            "by_error_type": dict(stats.by_error_type),
            "faults": dict(stats.faults),
            "in_flight": stats.in_flight,
            "max_in_flight": stats.max_in_flight,
            **stats.totals.to_json(),
            "keys": keys,
        }
