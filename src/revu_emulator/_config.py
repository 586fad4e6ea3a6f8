"""The emulator's settings, keys and scripted rules, parsed from JSON at the admin edge."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from revu_emulator._catalog import CODE_CONCURRENCY, PLATFORMS, TIERS, Platform, Tier


class ConfigError(ValueError):
    """A setting, key or rule the emulator cannot accept (the admin API answers 400)."""


def _number(name: str, value: Any, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"{name} must be a number >= {minimum}, got {value!r}")
    return float(value)


def _count(name: str, value: Any, *, optional: bool = True) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name} must be a whole number >= 0, got {value!r}")
    return value


def _strings(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{name} must be a list of strings, got {value!r}")
    return list(value)


def _reject_unknown(kind: str, data: dict[str, Any], cls: type[Any]) -> None:
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown {kind} field(s): {', '.join(unknown)}")


@dataclass(frozen=True)
class Faults:
    """Per-request fault probabilities, drawn reproducibly from `seed` and the request index."""

    seed: int = 0
    overloaded: float = 0.0  # 429 engine_overloaded_error
    server_error: float = 0.0  # 500 server_error
    drop_stream: float = 0.0  # connection closed mid-response
    hang: float = 0.0  # no answer until the client gives up (or hang_s passes: 504)

    def merged(self, changes: dict[str, Any]) -> Faults:
        """These faults with the given fields changed (probabilities must sum to <= 1)."""
        _reject_unknown("faults", changes, Faults)
        values = dataclasses.asdict(self)
        for name, value in changes.items():
            if name == "seed":
                values[name] = _count("faults.seed", value, optional=False)
            else:
                values[name] = _number(f"faults.{name}", value)
        result = Faults(**values)
        if result.overloaded + result.server_error + result.drop_stream + result.hang > 1.0:
            raise ConfigError("fault probabilities must sum to at most 1")
        return result


@dataclass(frozen=True)
class EmulatorConfig:
    """Behaviour switches; the defaults (zero latency, no faults) suit tests."""

    ttft_base_s: float = 0.0
    ttft_per_token_s: float = 0.0  # per UNcached input token
    output_tps: float = 0.0  # completion tokens per second; 0 sends everything at once
    cold_start_s: float = 0.0  # added to the first call after idle_s without traffic
    idle_s: float = 300.0
    user_agent_allowlist: list[str] | None = None  # None: any non-empty User-Agent (Kimi Code)
    content_filter_phrases: list[str] = field(default_factory=list)  # case-insensitive
    context_window: int | dict[str, int] | None = None  # override for every model, or per model id
    faults: Faults = field(default_factory=Faults)
    hang_s: float = 300.0  # a hung request answers 504 after this long, as the platform does
    code_window_s: float = 5 * 3600.0  # Kimi Code quota window length
    cache_block_tokens: int = 32  # cached prefixes are counted in whole blocks
    cache_ttl_s: float = 3600.0
    stream_chunk_tokens: int = 8  # tokens per streamed delta
    requests_kept: int = 200  # size of the recent-requests log
    # False: 429 rate limits carry their wait only in the message, so clients must read it there.
    retry_after_header: bool = True

    def merged(self, changes: dict[str, Any]) -> EmulatorConfig:
        """This config with only the given fields changed; raises ConfigError on bad input."""
        _reject_unknown("config", changes, EmulatorConfig)
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "faults":
                if not isinstance(value, dict):
                    raise ConfigError("faults must be an object")
                values[name] = self.faults.merged(value)
            elif name == "user_agent_allowlist":
                values[name] = None if value is None else _strings(name, value)
            elif name == "content_filter_phrases":
                values[name] = _strings(name, value)
            elif name == "context_window":
                values[name] = _context_window(value)
            elif name == "retry_after_header":
                if not isinstance(value, bool):
                    raise ConfigError(f"{name} must be true or false, got {value!r}")
                values[name] = value
            elif name in ("cache_block_tokens", "stream_chunk_tokens", "requests_kept"):
                count = _count(name, value, optional=False)
                if not count:
                    raise ConfigError(f"{name} must be at least 1")
                values[name] = count
            else:
                values[name] = _number(name, value)
        return dataclasses.replace(self, **values)

    def context_for(self, model_id: str, default: int) -> int:
        """The context window a model enforces under this config."""
        if isinstance(self.context_window, int):
            return self.context_window
        if isinstance(self.context_window, dict):
            return self.context_window.get(model_id, default)
        return default

    def to_json(self) -> dict[str, Any]:
        """The config as the admin API shows it."""
        return dataclasses.asdict(self)


def _context_window(value: Any) -> int | dict[str, int] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return {
            str(k): cast(int, _count(f"context_window[{k}]", v, optional=False))
            for k, v in value.items()
        }
    count = _count("context_window", value, optional=False)
    assert count is not None
    return count


QuotaAnswer = Literal["suspended", "token_quota", "insufficient_balance"]
QUOTA_ANSWERS: tuple[QuotaAnswer, ...] = ("suspended", "token_quota", "insufficient_balance")


@dataclass(frozen=True)
class KeySpec:
    """A registered API key: its platform, balance and limits (None: the tier's or plan's)."""

    key: str
    platform: Platform = "developer"
    balance_usd: float = 50.0
    tier: int = 1
    max_concurrent: int | None = None
    rpm: int | None = None
    tpm: int | None = None
    tpd: int | None = None
    window_requests: int | None = None  # Kimi Code: requests per code_window_s; None: no quota
    permission_denied: bool = False
    # Which of Moonshot's quota answers a spent platform balance gets (MOONSHOT.md lists three).
    quota_answer: QuotaAnswer = "suspended"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeySpec:
        """Parse and check a key from the admin API or a config file."""
        _reject_unknown("key", data, KeySpec)
        key = data.get("key")
        if not isinstance(key, str) or not key:
            raise ConfigError("key must be a non-empty string")
        platform = data.get("platform", "developer")
        if platform not in PLATFORMS:
            raise ConfigError(f"platform must be one of {', '.join(PLATFORMS)}, got {platform!r}")
        tier = _count("tier", data.get("tier", 1), optional=False)
        if tier not in TIERS:
            raise ConfigError(f"tier must be 0..5, got {tier!r}")
        quota_answer = data.get("quota_answer", "suspended")
        if quota_answer not in QUOTA_ANSWERS:
            raise ConfigError(
                f"quota_answer must be one of {', '.join(QUOTA_ANSWERS)}, got {quota_answer!r}"
            )
        return cls(
            key=key,
            platform=platform,
            balance_usd=_number("balance_usd", data.get("balance_usd", 50.0), minimum=-1e12),
            tier=tier,
            max_concurrent=_count("max_concurrent", data.get("max_concurrent")),
            rpm=_count("rpm", data.get("rpm")),
            tpm=_count("tpm", data.get("tpm")),
            tpd=_count("tpd", data.get("tpd")),
            window_requests=_count("window_requests", data.get("window_requests")),
            permission_denied=bool(data.get("permission_denied", False)),
            quota_answer=quota_answer,
        )

    def limits(self) -> Tier:
        """Effective limits: explicit values, else the plan's (code) or the tier's."""
        base = Tier(CODE_CONCURRENCY, 0, 0, None) if self.platform == "code" else TIERS[self.tier]
        return Tier(
            concurrency=self.max_concurrent
            if self.max_concurrent is not None
            else base.concurrency,
            rpm=self.rpm if self.rpm is not None else base.rpm,
            tpm=self.tpm if self.tpm is not None else base.tpm,
            tpd=self.tpd if self.tpd is not None else base.tpd,
        )


DEFAULT_KEYS: tuple[KeySpec, ...] = (
    KeySpec("sk-emulator-developer", "developer", 50.0, 1),
    KeySpec("sk-emulator-china", "china", 50.0, 1),
    KeySpec("sk-kimi-emulator", "code", 50.0, max_concurrent=CODE_CONCURRENCY),
)


Scope = Literal["all", "last_user"]


@dataclass(frozen=True)
class ScriptRule:
    """A scripted answer: requests whose text matches get this reply."""

    match: str
    reply: str
    regex: bool = False
    reasoning: str | None = None
    finish_reason: str = "stop"
    times: int | None = None  # stop matching after this many answers; None: forever
    scope: Scope = "all"  # "all": every message's text joined; "last_user": the last user message

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScriptRule:
        """Parse and check a rule; a non-string reply is sent as its JSON text."""
        _reject_unknown("script", data, ScriptRule)
        match = data.get("match", "")
        if not isinstance(match, str):
            raise ConfigError("match must be a string")
        reply = data.get("reply", "")
        reply_text = reply if isinstance(reply, str) else json.dumps(reply)
        reasoning = data.get("reasoning")
        if reasoning is not None and not isinstance(reasoning, str):
            raise ConfigError("reasoning must be a string or null")
        scope = data.get("scope", "all")
        if scope not in ("all", "last_user"):
            raise ConfigError("scope must be 'all' or 'last_user'")
        return cls(
            match=match,
            reply=reply_text,
            regex=bool(data.get("regex", False)),
            reasoning=reasoning,
            finish_reason=str(data.get("finish_reason", "stop")),
            times=_count("times", data.get("times")),
            scope=scope,
        )


@dataclass(frozen=True)
class StartupState:
    """What the server starts with and returns to on reset."""

    config: EmulatorConfig
    keys: tuple[KeySpec, ...]
    scripts: tuple[ScriptRule, ...] = ()


def load_startup(path: Path | None, seed: int | None) -> StartupState:
    """Read a config file (config fields plus optional `keys` and `scripts` lists)."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"config {path} must hold a JSON object")
        data = loaded
    return startup_from_json(data, seed)


def startup_from_json(data: dict[str, Any], seed: int | None) -> StartupState:
    """Build the startup state from a config object; `seed` (if given) sets faults.seed."""
    data = dict(data)
    keys_data = data.pop("keys", [])
    scripts_data = data.pop("scripts", [])
    if not isinstance(keys_data, list) or not isinstance(scripts_data, list):
        raise ConfigError("keys and scripts must be lists")
    config = EmulatorConfig().merged(data)
    if seed is not None:
        config = config.merged({"faults": {"seed": seed}})
    keys = {k.key: k for k in DEFAULT_KEYS}
    for item in keys_data:
        spec = KeySpec.from_json(item)
        keys[spec.key] = spec
    scripts = tuple(ScriptRule.from_json(s) for s in scripts_data)
    return StartupState(config, tuple(keys.values()), scripts)
