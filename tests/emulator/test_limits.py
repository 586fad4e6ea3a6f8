"""Concurrency, RPM, TPM, balance and the Kimi Code quota window, over HTTP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Literal

import openai
import pytest
from openai import AsyncOpenAI, OpenAI

from emulator.sdk import expect_error
from revu_emulator import EmulatorClient, EmulatorError

USER = [{"role": "user", "content": "Review this diff please."}]


def _retry_after(error: openai.APIStatusError) -> int:
    header = int(error.response.headers["retry-after"])
    assert isinstance(error.body, dict)
    seconds = re.search(r"try again after (\d+) seconds", error.body["message"])
    assert seconds and int(seconds.group(1)) == header
    return header


async def test_one_call_over_the_cap_gets_exactly_one_429(
    emulator: EmulatorClient, async_openai_client: Callable[..., AsyncOpenAI]
) -> None:
    emulator.add_key("sk-capped", max_concurrent=3)
    emulator.configure(ttft_base_s=0.3)
    client = async_openai_client(key="sk-capped")
    results = await asyncio.gather(
        *(client.chat.completions.create(model="kimi-k2.6", messages=USER) for _ in range(4)),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1
    error = errors[0]
    assert isinstance(error, openai.RateLimitError)
    assert isinstance(error.body, dict) and error.body["type"] == "rate_limit_reached_error"
    assert "max concurrency: 3" in error.body["message"]
    assert _retry_after(error) >= 1
    capped = emulator.key_stats("sk-capped")
    assert (capped["max_in_flight"], capped["in_flight"]) == (3, 0)
    assert emulator.stats()["by_error_type"] == {"rate_limit_reached_error": 1}


async def test_code_plan_caps_at_30_by_default(
    emulator: EmulatorClient, async_openai_client: Callable[..., AsyncOpenAI]
) -> None:
    emulator.configure(ttft_base_s=0.3)
    client = async_openai_client("code")
    results = await asyncio.gather(
        *(
            client.chat.completions.create(model="kimi-for-coding", messages=USER)
            for _ in range(31)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, openai.RateLimitError) for r in results) == 1
    assert emulator.key_stats("sk-kimi-emulator")["max_in_flight"] == 30


def test_rpm_limit_with_retry_after(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.add_key("sk-rpm", rpm=2)
    client = openai_client(key="sk-rpm")
    for _ in range(2):
        client.chat.completions.create(model="kimi-k2.6", messages=USER)
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER),
        429,
        "rate_limit_reached_error",
        "max RPM: 2",
    )
    assert 55 <= _retry_after(error) <= 60


def test_retry_after_header_can_be_left_off_until_reset(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    assert emulator.configure(retry_after_header=False)["retry_after_header"] is False
    emulator.add_key("sk-rpm", rpm=1)
    client = openai_client(key="sk-rpm")
    client.chat.completions.create(model="kimi-k2.6", messages=USER)
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER),
        429,
        "rate_limit_reached_error",
        "max RPM: 1",
    )
    assert "retry-after" not in error.response.headers
    assert isinstance(error.body, dict)
    assert re.search(r"please try again after \d+ seconds", error.body["message"])
    with pytest.raises(EmulatorError, match="retry_after_header must be true or false"):
        emulator.configure(retry_after_header=1)  # type: ignore[arg-type]
    emulator.reset()
    assert emulator.config()["retry_after_header"] is True


def test_tier0_allows_three_requests_a_minute(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.add_key("sk-tier0", tier=0)
    client = openai_client(key="sk-tier0")
    for _ in range(3):
        client.chat.completions.create(model="kimi-k2-0905-preview", messages=USER)
    expect_error(
        lambda: client.chat.completions.create(model="kimi-k2-0905-preview", messages=USER),
        429,
        "rate_limit_reached_error",
        "max RPM: 3",
    )


def test_tpm_counts_input_plus_max_tokens(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.add_key("sk-tpm", tpm=1000)
    client = openai_client(key="sk-tpm")
    prompt = client.post(
        "/tokenizers/estimate-token-count",
        body={"model": "kimi-k2.6", "messages": USER},
        cast_to=object,
    )
    assert isinstance(prompt, dict)
    input_tokens = prompt["data"]["total_tokens"]
    # Exactly the limit is admitted; one more token is not.
    client.chat.completions.create(model="kimi-k2.6", messages=USER, max_tokens=1000 - input_tokens)
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER, max_tokens=1),
        429,
        "rate_limit_reached_error",
        f"TPM rate limit, current:{1000 + input_tokens + 1}, limit:1000",
    )
    assert 55 <= _retry_after(error) <= 60


def test_tpd_limit(emulator: EmulatorClient, openai_client: Callable[..., OpenAI]) -> None:
    emulator.add_key("sk-tpd", tpd=100)
    client = openai_client(key="sk-tpd")
    client.chat.completions.create(model="kimi-k2.6", messages=USER, max_tokens=50)
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER, max_tokens=50),
        429,
        "rate_limit_reached_error",
        "TPD rate limit",
    )
    assert _retry_after(error) > 86_000


def test_platform_balance_runs_out_into_429_quota(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.add_key("sk-poor", balance_usd=0.00001)
    client = openai_client(key="sk-poor")
    client.chat.completions.create(model="kimi-k2.6", messages=USER)  # the last call may overdraw
    balance = client.get("/users/me/balance", cast_to=object)
    assert isinstance(balance, dict) and balance["data"]["available_balance"] < 0
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER),
        429,
        "exceeded_current_quota_error",
        "please check your plan and billing details",
    )
    assert "sk-poor" not in str(error.body)


def test_code_plan_credit_runs_out_into_402(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.add_key("sk-kimi-poor", platform="code", balance_usd=0.00001)
    client = openai_client("code", key="sk-kimi-poor")
    client.chat.completions.create(model="kimi-for-coding", messages=USER)
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-for-coding", messages=USER),
        402,
        "exceeded_current_quota_error",
        "unable to verify your membership benefits",
    )
    assert type(error) is openai.APIStatusError


def test_code_plan_window_quota(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.add_key("sk-kimi-window", platform="code", window_requests=2)
    client = openai_client("code", key="sk-kimi-window")
    for _ in range(2):
        client.chat.completions.create(model="kimi-for-coding", messages=USER)
    expect_error(
        lambda: client.chat.completions.create(model="kimi-for-coding", messages=USER),
        429,
        "rate_limit_error",
        "usage limit for this period",
    )
    # A new window starts after code_window_s.
    emulator.configure(code_window_s=0.0)
    assert client.chat.completions.create(model="kimi-for-coding", messages=USER).choices


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        ("token_quota", 429, "You exceeded your current token quota"),
        ("insufficient_balance", 403, "has insufficient balance"),
    ],
)
def test_a_spent_balance_can_answer_moonshots_other_quota_rows(
    emulator: EmulatorClient,
    openai_client: Callable[..., OpenAI],
    answer: Literal["token_quota", "insufficient_balance"],
    status: int,
    message: str,
) -> None:
    emulator.add_key("sk-spent", balance_usd=0.0, quota_answer=answer)
    client = openai_client(key="sk-spent")
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER),
        status,
        "exceeded_current_quota_error",
        message,
    )
    assert "sk-spent" not in str(error.body)


def test_an_unknown_quota_answer_is_refused(emulator: EmulatorClient) -> None:
    with pytest.raises(EmulatorError, match="quota_answer"):
        emulator.add_key("sk-odd", quota_answer="free")  # type: ignore[arg-type]
