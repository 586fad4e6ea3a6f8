"""A synchronous client for the emulator's admin API (stdlib only, safe to import anywhere)."""

from __future__ import annotations

import enum
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Literal

from revu_emulator._catalog import PREFIXES
from revu_emulator._redaction import key_label


class EmulatorError(RuntimeError):
    """The admin API refused a call (bad config, key or rule) or could not be reached."""


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET


class EmulatorClient:
    """Drives a running emulator over HTTP: keys, scripted answers, config, stats, reset."""

    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    def base_url(self, platform: Literal["developer", "china", "code"] = "developer") -> str:
        """The OpenAI-style base URL of one endpoint kind, e.g. http://127.0.0.1:PORT/coding/v1."""
        try:
            return self.url + PREFIXES[platform]
        except KeyError:
            raise ValueError(f"platform must be one of {', '.join(PREFIXES)}") from None

    def _call(self, method: str, action: str, payload: Mapping[str, Any] | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.url}/_emulator/{action}",
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = str(exc)
            raise EmulatorError(f"emulator refused {method} {action}: {message}") from None
        except OSError as exc:
            raise EmulatorError(f"emulator at {self.url} unreachable: {exc}") from None

    def add_key(
        self,
        key: str,
        platform: Literal["developer", "china", "code"] = "developer",
        balance_usd: float = 50.0,
        tier: int = 1,
        max_concurrent: int | None = None,
        rpm: int | None = None,
        tpm: int | None = None,
        window_requests: int | None = None,
        permission_denied: bool = False,
        *,
        tpd: int | None = None,
        quota_answer: Literal["suspended", "token_quota", "insufficient_balance"] = "suspended",
    ) -> dict[str, Any]:
        """Register or replace a key. Unset limits come from the tier (code: concurrency 30,
        no RPM/TPM). `quota_answer` picks the platform's answer once the balance is spent.
        Returns the effective limits."""
        result: dict[str, Any] = self._call(
            "POST",
            "keys",
            {
                "key": key,
                "platform": platform,
                "balance_usd": balance_usd,
                "tier": tier,
                "max_concurrent": max_concurrent,
                "rpm": rpm,
                "tpm": tpm,
                "tpd": tpd,
                "window_requests": window_requests,
                "permission_denied": permission_denied,
                "quota_answer": quota_answer,
            },
        )["limits"]
        return result

    def script(
        self,
        match: str,
        reply: str | Mapping[str, Any] | list[Any],
        *,
        regex: bool = False,
        reasoning: str | None = None,
        finish_reason: str = "stop",
        times: int | None = None,
        scope: Literal["all", "last_user"] = "all",
    ) -> int:
        """Answer requests whose text contains `match` (or matches it, regex=True) with `reply`
        (a string is sent as is, anything else as JSON). Rules are tried in the order added;
        one with `times` stops matching after that many answers. Returns the rule's index."""
        index: int = self._call(
            "POST",
            "scripts",
            {
                "match": match,
                "reply": reply,
                "regex": regex,
                "reasoning": reasoning,
                "finish_reason": finish_reason,
                "times": times,
                "scope": scope,
            },
        )["index"]
        return index

    def configure(
        self,
        *,
        ttft_base_s: float | _Unset = UNSET,
        ttft_per_token_s: float | _Unset = UNSET,
        output_tps: float | _Unset = UNSET,
        cold_start_s: float | _Unset = UNSET,
        idle_s: float | _Unset = UNSET,
        user_agent_allowlist: list[str] | _Unset | None = UNSET,
        content_filter_phrases: list[str] | _Unset = UNSET,
        context_window: int | Mapping[str, int] | _Unset | None = UNSET,
        faults: Mapping[str, float | int] | _Unset = UNSET,
        hang_s: float | _Unset = UNSET,
        code_window_s: float | _Unset = UNSET,
        cache_block_tokens: int | _Unset = UNSET,
        cache_ttl_s: float | _Unset = UNSET,
        stream_chunk_tokens: int | _Unset = UNSET,
        requests_kept: int | _Unset = UNSET,
        retry_after_header: bool | _Unset = UNSET,
    ) -> dict[str, Any]:
        """Change only the given settings (faults: only the given fault fields; any faults
        change restarts the fault sequence; retry_after_header=False leaves the retry-after
        header off rate-limit answers). Returns the whole config in force."""
        given = {name: value for name, value in locals().items() if name != "self"}
        changes = {
            k: dict(v) if isinstance(v, Mapping) else v for k, v in given.items() if v is not UNSET
        }
        config: dict[str, Any] = self._call("POST", "config", changes)
        return config

    def config(self) -> dict[str, Any]:
        """The config in force."""
        config: dict[str, Any] = self._call("GET", "config")
        return config

    def stats(self) -> dict[str, Any]:
        """Counters since the last reset: requests_total, by_status, by_error_type, faults,
        in_flight, max_in_flight, tokens, cost_usd, and per key under `keys`, named by
        `key_label(key)` (see key_stats)."""
        stats: dict[str, Any] = self._call("GET", "stats")
        return stats

    def key_stats(self, key: str) -> dict[str, Any]:
        """One key's entry in stats()["keys"] (stats name keys by `key_label`, not in full):
        platform, in_flight, max_in_flight, requests, balance_usd, tokens and cost_usd."""
        entry: dict[str, Any] = self.stats()["keys"][key_label(key)]
        return entry

    def requests(self) -> list[dict[str, Any]]:
        """Recent API requests, oldest first: method, path, headers (credentials redacted),
        body, status, error_type, fault, usage."""
        recent: list[dict[str, Any]] = self._call("GET", "requests")
        return recent

    def reset(self) -> None:
        """Back to the startup state: config, default keys and balances, no scripts, no stats."""
        self._call("POST", "reset", {})
