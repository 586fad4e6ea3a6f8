"""From a provider's refusal to revu's error taxonomy, by error type and message (MOONSHOT.md rows).

The status code alone is not enough: a 429 may be a full engine (retry), a rate limit (wait),
or an empty wallet (never retry); a 403 may be a quota, a permission, or Kimi Code's client
policy. Key shape and plan tell a wrong key from a key pasted for the wrong plan.

Hints name settings in words and carry the fix as `SettingFix` values (see `_errors.py`): the
same error reads right in a terminal and on the BYOK web page.
"""

from __future__ import annotations

import errno
import re
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypedDict
from urllib.parse import urlsplit

from revu.catalog import BUILTIN_CATALOG, Plan
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
    SettingFix,
    Timeout,
    Transient,
    Unreachable,
)
from revu.llm._types import Slot


def _moonshot_plan(plan_id: str) -> Plan:
    plan = BUILTIN_CATALOG.plan("moonshot", plan_id)
    assert plan is not None, plan_id
    return plan


_CODE = _moonshot_plan("code")
_DEVELOPER = _moonshot_plan("developer")
_CHINA = _moonshot_plan("china")
assert _CODE.key_prefix is not None
_KIMI_KEY_PREFIX: str = _CODE.key_prefix

_FALLBACK = SettingFix("provider", slot="fallback")  # "configure a fallback slot"


@dataclass(frozen=True)
class Refusal:
    """A provider's error answer, reduced to what classification needs."""

    status: int | None
    error_type: str | None
    message: str
    retry_after: float | None = None
    location: str | None = None  # a redirect's target, absolute


class _Context(TypedDict):
    status: int | None
    error_type: str | None
    slot: str | None
    provider: str | None
    retry_after: float | None


def _or_fallback(slot: Slot, advice: str) -> tuple[str, tuple[SettingFix, ...]]:
    """`advice`, plus "or configure a fallback slot" when the main slot failed."""
    if slot.name != "main":
        return advice, ()
    return f"{advice}, or configure a fallback slot", (_FALLBACK,)


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

    if status is not None and 300 <= status < 400:
        return _redirected(refusal, status, ctx)
    if etype == "content_filter" or "high risk" in low or "content filter" in low:
        return ContentFiltered(
            text,
            hint="the provider's content filter refused this prompt; another model may accept it",
            fixes=(SettingFix("model"),),
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
    if status == 402 and slot.provider == "moonshot":
        hint, fixes = _or_fallback(
            slot,
            "Kimi Code could not verify your membership: check the subscription at kimi.com/code",
        )
        return QuotaExhausted(text, hint=hint, fixes=fixes, **ctx)
    if status == 402:
        hint, fixes = _or_fallback(slot, _quota_advice(slot, low))
        return QuotaExhausted(text, hint=hint, fixes=fixes, **ctx)
    if etype == "access_terminated_error" or "access terminated" in low:
        return AccessTerminated(
            text,
            hint="the Kimi Code endpoint admits only the coding agents Kimi approves, and revu "
            "identifies itself honestly (it will not pose as another client): use a Developer "
            f"API key instead ({_DEVELOPER.base_url})",
            fixes=(SettingFix("plan", "developer"), SettingFix("api_key")),
            **ctx,
        )
    if _is_quota(etype, low, status):
        hint, fixes = _or_fallback(slot, _quota_advice(slot, low))
        return QuotaExhausted(text, hint=hint, fixes=fixes, **ctx)
    if status == 403:
        return AuthError(
            text,
            hint="this key may not use this API or model: check its permissions on the "
            "provider's console, or use another key",
            fixes=(SettingFix("api_key"),),
            **ctx,
        )
    if status == 404:
        # "Not found the model X" names it; a 404 that names no model is a wrong path.
        if "model" in low:
            return ModelNotFound(
                text, hint=_model_hint(slot, models), fixes=(SettingFix("model"),), **ctx
            )
        return EndpointMismatch(
            text,
            hint=f"{slot.base_url} has no chat endpoint: check the base URL",
            fixes=(SettingFix("base_url"),),
            **ctx,
        )
    if etype in ("engine_overloaded_error", "overloaded_error") or "overloaded" in low:
        hint, fixes = _or_fallback(
            slot, "the provider is overloaded right now; revu backs off and retries: try later"
        )
        return Overloaded(text, hint=hint, fixes=fixes, **ctx)
    if status == 429:
        return RateLimited(
            text,
            hint="the provider's rate limit was reached: set the slot's max concurrency, RPM or "
            "TPM to your account's tier",
            fixes=(SettingFix("max_concurrent"), SettingFix("rpm"), SettingFix("tpm")),
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
            "the custom JSON override",
            fixes=(SettingFix("override_json"),),
            **ctx,
        )
    return BadRequest(
        text,
        hint="the provider refused revu's request; check the custom JSON override if set, else "
        "this is a revu bug worth reporting",
        fixes=(SettingFix("override_json"),),
        **ctx,
    )


def _redirected(refusal: Refusal, status: int, ctx: _Context) -> EndpointMismatch:
    """revu follows no redirect (it would carry the key elsewhere): name where it pointed."""
    where = refusal.location
    if where:
        message = f"HTTP {status} redirect to {where}"
        hint = (
            f"the endpoint answered with a redirect to {where}: set the base URL to the final "
            "address"
        )
    else:
        message = f"HTTP {status} redirect"
        hint = "the endpoint answered with a redirect to no address: check the base URL"
    return EndpointMismatch(message, hint=hint, fixes=(SettingFix("base_url"),), **ctx)


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


def _quota_advice(slot: Slot, low: str) -> str:
    if "usage limit" in low:
        return "the Kimi Code usage limit for this period is used up: wait for the window to reset"
    console = {
        "moonshot": "platform.moonshot.cn" if slot.plan == "china" else "platform.moonshot.ai",
        "openai": "platform.openai.com",
        "anthropic": "console.anthropic.com",
        "openrouter": "openrouter.ai",
    }.get(slot.provider, "the provider's console")
    return f"the account has no balance or quota left: top it up at {console}"


def _model_hint(slot: Slot, models: Sequence[str] | None) -> str:
    if models:
        shown = ", ".join(models[:12]) + (" …" if len(models) > 12 else "")
        return f"{slot.base_url} does not serve {slot.model!r}; it lists: {shown}. Choose one"
    return f"{slot.base_url} does not serve {slot.model!r} to this key: choose another model"


def _unauthorized(text: str, slot: Slot, ctx: _Context) -> LLMError:
    key = SettingFix("api_key")
    if slot.provider == "moonshot":
        kimi_key = slot.api_key.startswith(_KIMI_KEY_PREFIX)
        platform = _moonshot_platform(slot)
        if kimi_key and platform != "code":
            return EndpointMismatch(
                text,
                hint=f"this is a Kimi Code key: choose the Kimi Code Plan ({_CODE.base_url})",
                fixes=(SettingFix("plan", "code"),),
                **ctx,
            )
        if not kimi_key and platform == "code":
            return EndpointMismatch(
                text,
                hint=f"this is not a Kimi Code key (those start with {_KIMI_KEY_PREFIX}): choose "
                f"the Developer API ({_DEVELOPER.base_url}; the mainland China plan for a "
                f"platform.moonshot.cn key), or use your {_KIMI_KEY_PREFIX} key",
                fixes=(SettingFix("plan", "developer"), SettingFix("plan", "china"), key),
                **ctx,
            )
        if platform == "china":
            return AuthError(
                text,
                hint="api.moonshot.cn refused the key: check it; a key from platform.moonshot.ai "
                f"needs the Developer API ({_DEVELOPER.base_url})",
                fixes=(key, SettingFix("plan", "developer")),
                **ctx,
            )
        if platform == "developer":
            return AuthError(
                text,
                hint="api.moonshot.ai refused the key: check it; a key from platform.moonshot.cn "
                f"needs the mainland China plan ({_CHINA.base_url})",
                fixes=(key, SettingFix("plan", "china")),
                **ctx,
            )
    return AuthError(text, hint="the provider refused the key: check it", fixes=(key,), **ctx)


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


def unreachable(slot: Slot, exc: BaseException) -> Transient:
    """A connection that failed: `Unreachable` when there is none to be had (the name does not
    resolve, nothing listens, no route), `Transient` when it broke off (reset, closed early)."""
    host = urlsplit(slot.base_url).hostname or slot.base_url
    if host.endswith("moonshot.cn"):
        hint = (
            f"cannot reach {host}: it may be unreachable from outside mainland China; there, use "
            f"the Developer API ({urlsplit(_DEVELOPER.base_url).hostname})"
        )
        fixes: tuple[SettingFix, ...] = (SettingFix("plan", "developer"),)
    else:
        hint = f"cannot reach {host}: check the network and the base URL"
        fixes = (SettingFix("base_url"),)
    cause = exc.__cause__ or exc  # the SDK's own error only says "Connection error."
    detail = f"{type(cause).__name__}: {cause}".rstrip(": ")
    kind = Unreachable if _never_connected(exc) else Transient
    return kind(
        f"connection failed: {detail}",
        hint=hint,
        fixes=fixes,
        slot=slot.name,
        provider=slot.provider,
    )


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what caused it, outermost first (SDK error, httpx2, httpcore2, socket)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


_NO_ROUTE = (errno.ENETUNREACH, errno.EHOSTUNREACH)


def _never_connected(exc: BaseException) -> bool:
    """No such host, connection refused, or no route: nothing a few seconds will change."""
    return any(
        isinstance(e, socket.gaierror | ConnectionRefusedError)
        or (isinstance(e, OSError) and e.errno in _NO_ROUTE)
        for e in _chain(exc)
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
