"""One error taxonomy for every provider: what went wrong, and one line a person can act on.

Each class says whether revu's own retry loop may try again (`retryable`) and whether the
fallback slot should be asked (`failover`). The classification from HTTP answers lives in
`_classify.py`.

A hint reads right wherever it is shown (a terminal, the BYOK web page, the JSON API): it
names settings in words ("choose the Kimi Code Plan"), never environment variables. The
settings to change travel beside it as `SettingFix` values, which each surface words its own
way (`revu.byok.env_hint` adds "set REVU_LLM_PLAN=code" for the environment).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from revu.llm._types import SlotName

Setting = Literal[
    "provider",
    "plan",
    "model",
    "api_key",
    "base_url",
    "max_concurrent",
    "rpm",
    "tpm",
    "thinking",
    "override_json",
]


@dataclass(frozen=True)
class SettingFix:
    """One slot setting whose change may fix an error.

    `setting` is a slot field as the BYOK API names it (the environment's variable is the same
    name in upper case after REVU_LLM_ or REVU_FALLBACK_). `value` is the value to choose when
    revu knows it ("code"), else None: the person supplies it (their key, another model).
    `slot` names another slot than the one that failed ("configure a fallback").
    """

    setting: Setting
    value: str | None = None
    slot: SlotName | None = None


class LLMError(Exception):
    """A call to a model failed. `hint` is one line telling a person what to do; `fixes` are
    the settings whose change may help, any one of them (empty: nothing to set, e.g. retry)."""

    retryable = False  # revu may try the same slot again after a pause
    failover = False  # the fallback slot may answer instead
    kind = "error"  # a stable short name for JSON output

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        status: int | None = None,
        error_type: str | None = None,
        slot: str | None = None,
        provider: str | None = None,
        retry_after: float | None = None,
        fixes: Sequence[SettingFix] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.fixes = tuple(fixes)
        self.status = status
        self.error_type = error_type
        self.slot = slot
        self.provider = provider
        self.retry_after = retry_after

    def diagnosis(self, hint: Callable[[LLMError], str] | None = None) -> str:
        """The error in one line: where, class, message, and what to do.

        `hint` words the advice for one settings surface (see `revu.byok.env_hint`); by
        default the context-free `.hint`.
        """
        provider = f" ({self.provider})" if self.provider else ""
        where = f"{self.slot} slot{provider}" if self.slot else (self.provider or "")
        head = f"{where}: " if where else ""
        advice = hint(self) if hint is not None else self.hint
        tail = f" — {advice}" if advice else ""
        return f"{head}{type(self).__name__}: {self.message}{tail}"


class AuthError(LLMError):
    """The key is refused (401/403)."""

    failover = True
    kind = "auth"


class EndpointMismatch(AuthError):
    """The key belongs to another plan or region than the base URL it was sent to."""

    kind = "endpoint_mismatch"


class AccessTerminated(AuthError):
    """Kimi Code refused the client (its client policy), not the key."""

    kind = "access_terminated"


class QuotaExhausted(LLMError):
    """No balance or quota left: never retried, the fallback answers."""

    failover = True
    kind = "quota"


class RateLimited(LLMError):
    """Too many requests for now: wait the advertised time and try again."""

    retryable = True
    failover = True
    kind = "rate_limited"


class Overloaded(LLMError):
    """The provider's engine is busy: back off and try again."""

    retryable = True
    failover = True
    kind = "overloaded"


class ModelNotFound(LLMError):
    """The endpoint does not serve this model id (or not to this key)."""

    failover = True
    kind = "model_not_found"


class ContextTooLong(LLMError):
    """The prompt does not fit the model: split the call. No failover."""

    kind = "context_too_long"


class ContentFiltered(LLMError):
    """The provider's content filter refused the prompt. No failover."""

    kind = "content_filtered"


class Transient(LLMError):
    """A server error or a dropped connection: try again."""

    retryable = True
    failover = True
    kind = "transient"


class Timeout(Transient):
    """No answer in time."""

    kind = "timeout"


class Unreachable(Transient):
    """No connection at all: the host name does not resolve, or nothing listens there.

    Unlike a dropped connection this does not heal within seconds, so the retry policy tries
    it again only once, quickly, before the fallback is asked.
    """

    kind = "unreachable"


class BadRequest(LLMError):
    """The provider refused the request's shape: a bug in revu (or in the custom override)."""

    kind = "bad_request"


class NoSlotAnswered(LLMError):
    """Neither the main nor the fallback slot could answer; `.errors` holds each one's error."""

    kind = "no_slot_answered"

    def __init__(self, errors: Sequence[LLMError]) -> None:
        self.errors = tuple(errors)
        lines = "; ".join(e.diagnosis() for e in self.errors)
        super().__init__(
            f"no slot could answer: {lines}",
            hint=" / ".join(e.hint for e in self.errors if e.hint),
            status=self.errors[-1].status if self.errors else None,
            error_type=self.errors[-1].error_type if self.errors else None,
        )

    def diagnosis(self, hint: Callable[[LLMError], str] | None = None) -> str:
        """Each slot's diagnosis (its own hint and fixes), in one line."""
        return "no slot could answer: " + "; ".join(e.diagnosis(hint) for e in self.errors)
