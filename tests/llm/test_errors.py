"""Every error row of MOONSHOT.md, over HTTP through the openai SDK, maps to its class and hint.

Hints are context-free (no environment variable: the web page shows them too); the settings to
change come as `fixes`.
"""

from __future__ import annotations

import socket
from dataclasses import replace
from typing import Literal

import httpx2
import pytest

from revu.catalog import Thinking, Wire
from revu.llm import (
    AccessTerminated,
    AuthError,
    BadRequest,
    ContentFiltered,
    ContextTooLong,
    EndpointMismatch,
    Gateway,
    LLMError,
    ModelNotFound,
    Overloaded,
    QuotaExhausted,
    RateLimited,
    RetryPolicy,
    Routing,
    SettingFix,
    Slot,
    Timeout,
    Transient,
    Unreachable,
)
from revu.llm._classify import Refusal, classify, retry_after_from, unreachable
from revu_emulator import EmulatorClient

from .conftest import SlotFactory, ask

ONCE = RetryPolicy(max_attempts=1, rate_limit_wait_s=0.0, base_delay_s=0.01)


async def failure(slot: Slot, text: str = "Review this change.", **kwargs: object) -> LLMError:
    """The error one call on `slot` raises (no retries, no fallback)."""
    async with Gateway(Routing(main=slot), retry=ONCE, http_timeout=5.0) as gw:
        with pytest.raises(LLMError) as caught:
            await gw.complete(ask(text, **kwargs))  # type: ignore[arg-type]
    error = caught.value
    assert error.hint and "REVU_" not in error.hint
    return error


async def test_context_too_long(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.configure(context_window=50)
    error = await failure(make_slot(), "word " * 400, max_tokens=10)
    assert type(error) is ContextTooLong
    assert error.status == 400 and "context window" in error.hint


async def test_fixed_temperature_is_a_bad_request_pointing_at_the_override(
    make_slot: SlotFactory,
) -> None:
    error = await failure(make_slot(override={"openaiCompatible": {"temperature": 0.2}}))
    assert type(error) is BadRequest
    assert "custom JSON override" in error.hint
    assert error.fixes == (SettingFix("override_json"),)


async def test_content_filter(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.configure(content_filter_phrases=["forbidden topic"])
    error = await failure(make_slot(), "about a forbidden topic")
    assert type(error) is ContentFiltered
    assert error.error_type == "content_filter" and error.fixes == (SettingFix("model"),)


async def test_unknown_key_is_an_auth_error(make_slot: SlotFactory) -> None:
    error = await failure(make_slot(key="sk-nobody"))
    assert type(error) is AuthError
    assert error.status == 401 and "refused the key" in error.hint
    assert SettingFix("api_key") in error.fixes


async def test_kimi_code_key_on_the_developer_plan(make_slot: SlotFactory) -> None:
    error = await failure(make_slot("developer", key="sk-kimi-emulator"))
    assert type(error) is EndpointMismatch
    assert error.hint == (
        "this is a Kimi Code key: choose the Kimi Code Plan (https://api.kimi.com/coding/v1)"
    )
    assert error.fixes == (SettingFix("plan", "code"),)


async def test_kimi_code_key_on_the_china_plan(make_slot: SlotFactory) -> None:
    error = await failure(make_slot("china", key="sk-kimi-emulator"))
    assert type(error) is EndpointMismatch
    assert error.fixes == (SettingFix("plan", "code"),)


async def test_developer_key_on_the_code_plan(make_slot: SlotFactory) -> None:
    error = await failure(make_slot("code", key="sk-emulator-developer"))
    assert type(error) is EndpointMismatch
    assert "not a Kimi Code key" in error.hint and "Developer API" in error.hint
    assert SettingFix("plan", "developer") in error.fixes


async def test_china_key_on_the_international_platform(make_slot: SlotFactory) -> None:
    error = await failure(make_slot("developer", key="sk-emulator-china"))
    assert type(error) is AuthError
    assert "mainland China plan" in error.hint and SettingFix("plan", "china") in error.fixes


async def test_international_key_on_the_china_platform(make_slot: SlotFactory) -> None:
    error = await failure(make_slot("china", key="sk-emulator-developer"))
    assert type(error) is AuthError
    assert "Developer API" in error.hint and SettingFix("plan", "developer") in error.fixes


async def test_a_fallback_slot_error_says_which_slot(make_slot: SlotFactory) -> None:
    slot = make_slot("developer", name="fallback", key="sk-kimi-emulator")
    async with Gateway(Routing(main=slot), retry=ONCE) as gw:
        with pytest.raises(EndpointMismatch) as caught:
            await gw.complete(ask())
    assert caught.value.slot == "fallback" and caught.value.fixes == (SettingFix("plan", "code"),)
    assert caught.value.diagnosis().startswith("fallback slot (moonshot): EndpointMismatch")


async def test_membership_402(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.add_key("sk-kimi-broke", platform="code", balance_usd=0.0)
    error = await failure(make_slot("code", key="sk-kimi-broke"))
    assert type(error) is QuotaExhausted
    assert error.status == 402 and "kimi.com/code" in error.hint
    assert error.fixes == (SettingFix("provider", slot="fallback"),)  # configure a fallback


async def test_permission_denied(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.add_key("sk-closed", permission_denied=True)
    error = await failure(make_slot(key="sk-closed"))
    assert type(error) is AuthError
    assert error.error_type == "permission_denied_error" and "permissions" in error.hint


async def test_access_terminated(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.configure(user_agent_allowlist=["approved-agent/"])
    error = await failure(make_slot("code"))
    assert type(error) is AccessTerminated
    assert "identifies itself honestly" in error.hint
    assert SettingFix("plan", "developer") in error.fixes


async def test_model_not_found_lists_the_endpoints_models(make_slot: SlotFactory) -> None:
    error = await failure(make_slot("code", model="kimi-k2.6"))
    assert type(error) is ModelNotFound
    assert "kimi-for-coding" in error.hint and error.fixes == (SettingFix("model"),)


async def test_wrong_base_url_path(emulator: EmulatorClient) -> None:
    slot = Slot(
        name="main",
        provider="moonshot",
        wire=Wire.OPENAI,
        base_url=emulator.url + "/nowhere/v1",
        model="kimi-k2.6",
        api_key="sk-emulator-developer",
        plan="developer",
    )
    error = await failure(slot)
    assert type(error) is EndpointMismatch
    assert "base URL" in error.hint and error.fixes == (SettingFix("base_url"),)


async def test_engine_overloaded(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.configure(faults={"overloaded": 1.0})
    error = await failure(make_slot())
    assert type(error) is Overloaded and error.status == 429


async def test_balance_exhausted_is_quota_not_rate_limit(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.add_key("sk-empty", balance_usd=0.0)
    error = await failure(make_slot(key="sk-empty"))
    assert type(error) is QuotaExhausted
    assert error.status == 429 and "platform.moonshot.ai" in error.hint


@pytest.mark.parametrize(
    ("answer", "status"), [("token_quota", 429), ("insufficient_balance", 403)]
)
async def test_moonshots_other_quota_answers_are_quota(
    emulator: EmulatorClient,
    make_slot: SlotFactory,
    answer: Literal["token_quota", "insufficient_balance"],
    status: int,
) -> None:
    emulator.add_key("sk-spent", balance_usd=0.0, quota_answer=answer)
    error = await failure(make_slot(key="sk-spent"))
    assert type(error) is QuotaExhausted and error.failover and not error.retryable
    assert error.status == status and "top it up at platform.moonshot.ai" in error.hint


@pytest.mark.parametrize(
    ("refusal", "kind"),
    [
        (Refusal(401, "incorrect_api_key_error", "Invalid Authentication"), AuthError),
        (Refusal(500, "unexpected_output", "unexpected output"), Transient),
        (
            Refusal(
                429,
                "rate_limit_reached_error",
                "Your account org-1<ak-1> request reached organization TPM rate limit, "
                "current:3000100, limit:3000000, please try again after 7 seconds",
            ),
            RateLimited,
        ),
        (
            Refusal(
                429,
                "rate_limit_reached_error",
                "Your account org-1<ak-1> request reached organization max concurrency: 30, "
                "please try again after 2 seconds",
            ),
            RateLimited,
        ),
    ],
    ids=["incorrect-api-key", "unexpected-output", "tpm", "concurrency"],
)
def test_rows_the_emulator_does_not_answer_are_classified_too(
    refusal: Refusal, kind: type[LLMError]
) -> None:
    # The wait is read from the message when no retry-after header carries it.
    waited = replace(refusal, retry_after=retry_after_from({}, refusal.message))
    error = classify(waited, endpoint("https://api.moonshot.ai/v1", provider="moonshot"))
    assert type(error) is kind and error.hint
    if kind is RateLimited:
        assert error.retry_after is not None and error.retry_after >= 2


async def test_rate_limit_carries_the_advertised_wait(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.add_key("sk-slow", rpm=1)
    slot = make_slot(key="sk-slow")
    async with Gateway(Routing(main=slot), retry=ONCE) as gw:
        await gw.complete(ask())
        with pytest.raises(RateLimited) as caught:
            await gw.complete(ask())
    assert caught.value.retry_after is not None and caught.value.retry_after > 1
    assert SettingFix("rpm") in caught.value.fixes


async def test_kimi_code_window_is_quota(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.add_key("sk-kimi-window", platform="code", window_requests=1)
    slot = make_slot("code", key="sk-kimi-window")
    async with Gateway(Routing(main=slot), retry=ONCE) as gw:
        await gw.complete(ask())
        with pytest.raises(QuotaExhausted) as caught:
            await gw.complete(ask())
    assert "usage limit for this period" in caught.value.hint


async def test_server_error_is_transient(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.configure(faults={"server_error": 1.0})
    error = await failure(make_slot())
    assert type(error) is Transient and error.status == 500


async def test_dropped_stream_is_transient(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.configure(faults={"drop_stream": 1.0}, output_tps=200.0)
    error = await failure(make_slot(), stream=True)
    assert isinstance(error, Transient)


async def test_hang_is_a_timeout(emulator: EmulatorClient, make_slot: SlotFactory) -> None:
    emulator.configure(faults={"hang": 1.0}, hang_s=30.0)
    async with Gateway(Routing(main=make_slot()), retry=ONCE, http_timeout=0.5) as gw:
        with pytest.raises(Timeout) as caught:
            await gw.complete(ask())
    assert "in time" in caught.value.hint


def endpoint(base_url: str, provider: str = "openai_compatible") -> Slot:
    return Slot(
        name="main",
        provider=provider,
        wire=Wire.OPENAI,
        base_url=base_url,
        model="kimi-k2.6",
        api_key="k",
        thinking=Thinking.OFF,
    )


async def test_a_refused_connection_is_unreachable() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    error = await failure(endpoint(f"http://127.0.0.1:{port}/v1"))
    assert type(error) is Unreachable and isinstance(error, Transient)
    assert "cannot reach 127.0.0.1" in error.hint and "base URL" in error.hint
    assert error.fixes == (SettingFix("base_url"),)


async def test_a_host_that_does_not_resolve_is_unreachable() -> None:
    error = await failure(endpoint("http://revu-test.invalid/v1"))  # .invalid never resolves
    assert type(error) is Unreachable and "cannot reach revu-test.invalid" in error.hint


def test_china_endpoint_unreachable_says_it_may_be_blocked_abroad() -> None:
    slot = endpoint("https://api.moonshot.cn/v1", provider="moonshot")
    try:  # what httpx2 raises when the name does not resolve (no network call here)
        try:
            raise socket.gaierror(-3, "Temporary failure in name resolution")
        except socket.gaierror as cause:
            raise httpx2.ConnectError("[Errno -3] Temporary failure in name resolution") from cause
    except httpx2.ConnectError as exc:
        error = unreachable(slot, exc)
    assert type(error) is Unreachable
    assert "outside mainland China" in error.hint and "Developer API" in error.hint
    assert error.fixes == (SettingFix("plan", "developer"),)


def test_the_base_url_host_outweighs_the_plan_in_the_diagnosis() -> None:
    slot = Slot(
        name="main",
        provider="moonshot",
        wire=Wire.OPENAI,
        base_url="https://api.kimi.com/coding/v1",  # set by hand, plan left at developer
        model="kimi-for-coding",
        api_key="sk-developer-key",
        plan="developer",
    )
    error = classify(Refusal(401, "invalid_authentication_error", "Invalid Authentication"), slot)
    assert type(error) is EndpointMismatch and "not a Kimi Code key" in error.hint
