"""The LLM gateway: slots, protocols over the official SDKs, limits, retries, failover, cost."""

from __future__ import annotations

from revu.llm._errors import (
    AccessTerminated,
    AuthError,
    BadRequest,
    ContentFiltered,
    ContextTooLong,
    EndpointMismatch,
    LLMError,
    ModelNotFound,
    NoSlotAnswered,
    Overloaded,
    QuotaExhausted,
    RateLimited,
    Setting,
    SettingFix,
    Timeout,
    Transient,
    Unreachable,
)
from revu.llm._gateway import Gateway, GatewayEvent
from revu.llm._http import REVIEW_TIMEOUT, http_client
from revu.llm._limiter import Budget, Lease, Limiter, LocalLimiter, limit_key, permit
from revu.llm._override import (
    NAMESPACES,
    OverrideError,
    namespaced,
    parse_override,
    sampling_conflicts,
    unreached,
)
from revu.llm._probe import PROBE_MAX_TOKENS, PROBE_TIMEOUT_S, ProbeResult, probe
from revu.llm._redis_limiter import LimiterUnavailable, RedisLimiter, limiter_for
from revu.llm._request import build_body
from revu.llm._retry import RetryPolicy
from revu.llm._types import (
    ChatMessage,
    ChatRequest,
    Completion,
    Routing,
    Slot,
    SlotName,
    Thinking,
    Usage,
    Wire,
)
from revu.llm._usage import estimate_prompt_tokens, estimate_tokens

__all__ = [
    "NAMESPACES",
    "PROBE_MAX_TOKENS",
    "PROBE_TIMEOUT_S",
    "REVIEW_TIMEOUT",
    "AccessTerminated",
    "AuthError",
    "BadRequest",
    "Budget",
    "ChatMessage",
    "ChatRequest",
    "Completion",
    "ContentFiltered",
    "ContextTooLong",
    "EndpointMismatch",
    "Gateway",
    "GatewayEvent",
    "LLMError",
    "Lease",
    "Limiter",
    "LimiterUnavailable",
    "LocalLimiter",
    "ModelNotFound",
    "NoSlotAnswered",
    "Overloaded",
    "OverrideError",
    "ProbeResult",
    "QuotaExhausted",
    "RateLimited",
    "RedisLimiter",
    "RetryPolicy",
    "Routing",
    "Setting",
    "SettingFix",
    "Slot",
    "SlotName",
    "Thinking",
    "Timeout",
    "Transient",
    "Unreachable",
    "Usage",
    "Wire",
    "build_body",
    "estimate_prompt_tokens",
    "estimate_tokens",
    "http_client",
    "limit_key",
    "limiter_for",
    "namespaced",
    "parse_override",
    "permit",
    "probe",
    "sampling_conflicts",
    "unreached",
]
