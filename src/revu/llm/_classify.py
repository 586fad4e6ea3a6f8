"""From a provider's refusal to revu's error taxonomy, by error type and message (MOONSHOT.md rows).

The status code alone is not enough: a 429 may be a full engine (retry), a rate limit (wait),
or an empty wallet (never retry); a 403 may be a quota, a permission, or Kimi Code's client
policy. Key shape and plan tell a wrong key from a key pasted for the wrong plan.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypedDict
from urllib.parse import urlsplit

from revu.llm._errors import (
    AccessTerminated,
    AuthError,
    BadRequest,
    ContentFiltered,
    ContextTooLong,
    EndpointMismatch,
    LLMError,
    ModelNotFound,
    Overloaded,
    QuotaExhausted,
    RateLimited,
    Timeout,
    Transient,
)
from revu.llm._types import Slot

KIMI_CODE_KEY_PREFIX = "sk-kimi-"
_CODE_URL = "https://api.kimi.com/coding/v1"
_DEVELOPER_URL = "https://api.moonshot.ai/v1"
_CHINA_URL = "https://api.moonshot.cn/v1"


@dataclass(frozen=True)
class Refusal:
    """A provider's error answer, reduced to what classification needs."""

    status: int | None
    error_type: str | None
    message: str
    retry_after: float | None = None


class _Context(TypedDict):
    status: int | None
    error_type: str | None
    slot: str | None
    provider: str | None
    retry_after: float | None


def setting(slot: Slot, name: str) -> str:
    """The variable that sets `name` for this slot: REVU_LLM_X or REVU_FALLBACK_X."""
    return f"REVU_{'LLM' if slot.name == 'main' else 'FALLBACK'}_{name}"


def _key_setting(slot: Slot) -> str:
    usual = {
        "moonshot": "MOONSHOT_API_KEY",
        "openai": "OPENAI_API_KEY",
        "anthropic": "ANTHROPIC_API_KEY",
        "openrouter": "OPENROUTER_API_KEY",
    }.get(slot.provider)
    own = setting(slot, "API_KEY")
    return f"{own} (or {usual})" if usual else own


def retry_after_from(headers: Mapping[str, str], message: str = "") -> float | None:
    """Seconds to wait, from retry-after-ms / retry-after (seconds or a date) or the message."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            try:
                when = parsedate_to_datetime(raw)
                return max(0.0, (when - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                pass
    found = re.search(r"after\s+(\d+(?:\.\d+)?)\s*s", message)
    return float(found.group(1)) if found else None


def classify(refusal: Refusal, slot: Slot, *, models: Sequence[str] | None = None) -> LLMError:
    """The LLMError for one refusal of `slot`'s endpoint. `models`: what GET /models listed."""
    status, etype, msg = refusal.status, (refusal.error_type or ""), refusal.message
    low = msg.lower()
    ctx: _Context = {
        "status": status,
        "error_type": refusal.error_type,
        "slot": slot.name,
        "provider": slot.provider,
        "retry_after": refusal.retry_after,
    }
    text = msg or f"HTTP {status}"

    if etype == "content_filter" or "high risk" in low or "content filter" in low:
        return ContentFiltered(
            text,
            hint="the provider's content filter refused this prompt; another model may accept it "
            f"({setting(slot, 'MODEL')})",
            **ctx,
        )
    if status in (400, 413) and _is_context_overflow(low):
        return ContextTooLong(
            text,
            hint="the prompt is larger than the model's context window; revu splits such calls, "
            "so report this if it keeps happening",
            **ctx,
        )
    if status == 401:
        return _unauthorized(text, slot, ctx)
    if status == 402 and slot.provider != "moonshot":
        return QuotaExhausted(text, hint=_quota_hint(slot, low), **ctx)
    if status == 402:
        return QuotaExhausted(
            text,
            hint="Kimi Code could not verify your membership: check the subscription at "
            "kimi.com/code, or configure a fallback (REVU_FALLBACK_PROVIDER)",
            **ctx,
        )
    if etype == "access_terminated_error" or "access terminated" in low:
        return AccessTerminated(
            text,
            hint="the Kimi Code endpoint admits only the coding agents Kimi approves, and revu "
            "identifies itself honestly (it will not pose as another client): use a Developer "
            f"API key instead ({setting(slot, 'PLAN')}=developer, {_DEVELOPER_URL})",
            **ctx,
        )
    if _is_quota(etype, low, status):
        return QuotaExhausted(text, hint=_quota_hint(slot, low), **ctx)
    if status == 403:
        return AuthError(
            text,
            hint=f"this key may not use this API or model: check its permissions on the "
            f"provider's console, or use another key ({_key_setting(slot)})",
            **ctx,
        )
    if status == 404:
        # "Not found the model X" names it; a 404 that names no model is a wrong path.
        if "model" in low:
            return ModelNotFound(text, hint=_model_hint(slot, models), **ctx)
        return EndpointMismatch(
            text,
            hint=f"{slot.base_url} has no chat endpoint: check {setting(slot, 'BASE_URL')}",
            **ctx,
        )
    if etype in ("engine_overloaded_error", "overloaded_error") or "overloaded" in low:
        return Overloaded(
            text,
            hint="the provider is overloaded right now; revu backs off and retries — try again "
            "later or configure a fallback (REVU_FALLBACK_*)",
            **ctx,
        )
    if status == 429:
        return RateLimited(
            text,
            hint=f"the provider's rate limit was reached: set {setting(slot, 'MAX_CONCURRENT')}, "
            f"{setting(slot, 'RPM')} or {setting(slot, 'TPM')} to your account's tier",
            **ctx,
        )
    if status in (408, 504):
        return Timeout(
            text,
            hint="the provider gave up before answering; the first call after idle can be slow — "
            "try again",
            **ctx,
        )
    if status is not None and status >= 500:
        return Transient(
            text, hint=f"the provider failed (HTTP {status}); revu retries — try again later", **ctx
        )
    if status is None:  # an error event inside a stream: the answer broke off
        return Transient(text, hint="the provider broke off its answer; revu retries", **ctx)
    if "temperature" in low or "top_p" in low:
        return BadRequest(
            text,
            hint="this model accepts only its own fixed sampling: remove temperature/top_p from "
            f"{setting(slot, 'OVERRIDE_JSON')}",
            **ctx,
        )
    return BadRequest(
        text,
        hint=f"the provider refused revu's request; check {setting(slot, 'OVERRIDE_JSON')} if "
        "set, else this is a revu bug worth reporting",
        **ctx,
    )


def _is_context_overflow(low: str) -> bool:
    return any(
        s in low
        for s in (
            "token length too long",
            "exceeded model token limit",
            "maximum context length",
            "context length",
            "context window",
            "prompt is too long",
            "too many tokens",
        )
    )


def _is_quota(etype: str, low: str, status: int | None) -> bool:
    if etype in ("exceeded_current_quota_error", "insufficient_quota", "billing_error"):
        return True
    if etype == "rate_limit_error" and "usage limit" in low:
        return True  # Kimi Code: the window's quota is used up, not a momentary limit
    if "credit balance" in low:  # Anthropic answers an empty account with a 400
        return True
    return status in (403, 429) and any(
        s in low for s in ("insufficient balance", "quota", "suspended", "billing")
    )


def _quota_hint(slot: Slot, low: str) -> str:
    if "usage limit" in low:
        return (
            "the Kimi Code usage limit for this period is used up: wait for the window to reset, "
            "or configure a fallback (REVU_FALLBACK_PROVIDER, REVU_FALLBACK_API_KEY)"
        )
    console = {
        "moonshot": "platform.moonshot.cn" if slot.plan == "china" else "platform.moonshot.ai",
        "openai": "platform.openai.com",
        "anthropic": "console.anthropic.com",
        "openrouter": "openrouter.ai",
    }.get(slot.provider, "the provider's console")
    return (
        f"the account has no balance or quota left: top it up at {console}, or configure a "
        "fallback (REVU_FALLBACK_PROVIDER, REVU_FALLBACK_API_KEY)"
    )


def _model_hint(slot: Slot, models: Sequence[str] | None) -> str:
    var = setting(slot, "MODEL")
    if models:
        shown = ", ".join(models[:12]) + (" …" if len(models) > 12 else "")
        return f"{slot.base_url} does not serve {slot.model!r}; it lists: {shown}. Set {var}"
    return f"{slot.base_url} does not serve {slot.model!r} to this key: set {var}"


def _unauthorized(text: str, slot: Slot, ctx: _Context) -> LLMError:
    plan_var = setting(slot, "PLAN")
    key_var = _key_setting(slot)
    if slot.provider == "moonshot":
        kimi_key = slot.api_key.startswith(KIMI_CODE_KEY_PREFIX)
        platform = _moonshot_platform(slot)
        if kimi_key and platform != "code":
            return EndpointMismatch(
                text,
                hint=f"this is a Kimi Code key: choose the Kimi Code Plan ({plan_var}=code, "
                f"{_CODE_URL})",
                **ctx,
            )
        if not kimi_key and platform == "code":
            return EndpointMismatch(
                text,
                hint=f"this is not a Kimi Code key (those start with {KIMI_CODE_KEY_PREFIX}): "
                f"choose the Developer API ({plan_var}=developer, {_DEVELOPER_URL}; "
                f"{plan_var}=china for a platform.moonshot.cn key) or paste your sk-kimi- key",
                **ctx,
            )
        if platform == "china":
            return AuthError(
                text,
                hint=f"api.moonshot.cn refused the key: check {key_var}; a key from "
                f"platform.moonshot.ai needs {plan_var}=developer ({_DEVELOPER_URL})",
                **ctx,
            )
        if platform == "developer":
            return AuthError(
                text,
                hint=f"api.moonshot.ai refused the key: check {key_var}; a key from "
                f"platform.moonshot.cn needs {plan_var}=china ({_CHINA_URL})",
                **ctx,
            )
    return AuthError(
        text,
        hint=f"the provider refused the key: check {key_var}",
        **ctx,
    )


def _moonshot_platform(slot: Slot) -> str | None:
    """Which Moonshot platform the slot really calls: the URL's host says, else the plan."""
    host = urlsplit(slot.base_url).hostname or ""
    for suffix, platform in (
        ("kimi.com", "code"),
        ("moonshot.cn", "china"),
        ("moonshot.ai", "developer"),
    ):
        if host == suffix or host.endswith("." + suffix):
            return platform
    return slot.plan


def unreachable(slot: Slot, detail: str) -> Transient:
    """A connection that never got an answer (DNS, refused, reset)."""
    host = urlsplit(slot.base_url).hostname or slot.base_url
    if host.endswith("moonshot.cn"):
        hint = (
            f"cannot reach {host}: it may be unreachable from outside mainland China; there, use "
            f"{setting(slot, 'PLAN')}=developer (api.moonshot.ai)"
        )
    else:
        hint = f"cannot reach {host}: check the network and {setting(slot, 'BASE_URL')}"
    return Transient(
        f"connection failed: {detail}", hint=hint, slot=slot.name, provider=slot.provider
    )


def timed_out(slot: Slot, seconds: float | None) -> Timeout:
    """No answer within the client's timeout."""
    limit = f" within {seconds:g} s" if seconds else ""
    return Timeout(
        f"no answer{limit}",
        hint="the provider did not answer in time; the first call after idle can be slow — "
        "try again",
        slot=slot.name,
        provider=slot.provider,
    )
