"""Moonshot's error answers: status, error.type, message and headers, one constructor per row."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class MoonshotError(Exception):
    """An error answer, raised anywhere in request handling and rendered as Moonshot does."""

    status: int
    type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # set when fault injection, not the request, caused it

    def body(self) -> dict[str, dict[str, str]]:
        """The JSON body: {"error": {"type", "message"}}."""
        return {"error": {"type": self.type, "message": self.message}}


def account_label(key: str) -> str:
    """A stable account name for messages that never reveals the key."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"org-emu{digest[:8]}<ak-emu{digest[8:16]}>"


def invalid_authentication() -> MoonshotError:
    return MoonshotError(401, "invalid_authentication_error", "Invalid Authentication")


def permission_denied() -> MoonshotError:
    return MoonshotError(403, "permission_denied_error", "The API you are accessing is not open")


def access_terminated() -> MoonshotError:
    return MoonshotError(403, "access_terminated_error", "Access terminated")


def model_not_found(model_id: str) -> MoonshotError:
    return MoonshotError(
        404, "resource_not_found_error", f"Not found the model {model_id} or Permission denied"
    )


def route_not_found(path: str) -> MoonshotError:
    return MoonshotError(404, "resource_not_found_error", f"Not found: {path}")


def invalid_request(message: str) -> MoonshotError:
    return MoonshotError(400, "invalid_request_error", message)


def invalid_temperature() -> MoonshotError:
    return invalid_request("invalid temperature: only 1 is allowed for this model")


def input_too_long() -> MoonshotError:
    return invalid_request("Input token length too long")


def exceeded_token_limit(context: int) -> MoonshotError:
    return invalid_request(f"Your request exceeded model token limit : {context}")


def content_filtered() -> MoonshotError:
    return MoonshotError(
        400, "content_filter", "The request was rejected because it was considered high risk"
    )


def balance_exhausted(key: str) -> MoonshotError:
    return MoonshotError(
        429,
        "exceeded_current_quota_error",
        f"Your account {account_label(key)} is suspended, "
        "please check your plan and billing details",
    )


def token_quota_exceeded() -> MoonshotError:
    return MoonshotError(
        429, "exceeded_current_quota_error", "You exceeded your current token quota"
    )


def insufficient_balance(key: str) -> MoonshotError:
    return MoonshotError(
        403,
        "exceeded_current_quota_error",
        f"Your account {account_label(key)} has insufficient balance, please recharge",
    )


def membership_unverified() -> MoonshotError:
    # Kimi Code answers 402 with no Moonshot error type of its own; the type names the meaning.
    return MoonshotError(
        402,
        "exceeded_current_quota_error",
        "We're unable to verify your membership benefits at this time. "
        "Please ensure your membership is active and try again",
    )


def window_quota_exhausted() -> MoonshotError:
    return MoonshotError(
        429,
        "rate_limit_error",
        "You've reached your usage limit for this period. Please try again after the window resets",
    )


def _rate_limited(message: str, retry_after: int) -> MoonshotError:
    return MoonshotError(
        429, "rate_limit_reached_error", message, {"retry-after": str(retry_after)}
    )


def concurrency_reached(key: str, cap: int, retry_after: int) -> MoonshotError:
    return _rate_limited(
        f"Your account {account_label(key)} request reached organization max concurrency: {cap}, "
        f"please try again after {retry_after} seconds",
        retry_after,
    )


def rpm_reached(key: str, rpm: int, retry_after: int) -> MoonshotError:
    return _rate_limited(
        f"Your account {account_label(key)} request reached organization max RPM: {rpm}, "
        f"please try again after {retry_after} seconds",
        retry_after,
    )


def token_rate_reached(
    key: str, unit: str, current: int, limit: int, retry_after: int
) -> MoonshotError:
    return _rate_limited(
        f"Your account {account_label(key)} request reached organization {unit} rate limit, "
        f"current:{current}, limit:{limit}, please try again after {retry_after} seconds",
        retry_after,
    )


def engine_overloaded() -> MoonshotError:
    return MoonshotError(
        429,
        "engine_overloaded_error",
        "The engine is currently overloaded, please try again later",
    )


def server_error() -> MoonshotError:
    return MoonshotError(500, "server_error", "Internal server error, please try again later")


def gateway_timeout(seconds: float) -> MoonshotError:
    return MoonshotError(504, "server_error", f"Request timed out after {seconds:g} seconds")


def shutting_down() -> MoonshotError:
    return MoonshotError(503, "server_error", "The server is shutting down, please try again later")
