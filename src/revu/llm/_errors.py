"""One error taxonomy for every provider: what went wrong, and one line a person can act on.

Each class says whether revu's own retry loop may try again (`retryable`) and whether the
fallback slot should be asked (`failover`). The classification from HTTP answers lives in
`_classify.py`.
"""

from __future__ import annotations

from collections.abc import Sequence


class LLMError(Exception):
    """A call to a model failed. `hint` is one line telling a person what to do."""

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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.status = status
        self.error_type = error_type
        self.slot = slot
        self.provider = provider
        self.retry_after = retry_after

    def diagnosis(self) -> str:
        """The error in one line: class, message, and what to do."""
        where = f"{self.slot} slot ({self.provider})" if self.slot else (self.provider or "")
        head = f"{where}: " if where else ""
        tail = f" — {self.hint}" if self.hint else ""
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
