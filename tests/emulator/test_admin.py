"""The side endpoints (models, balance, token estimate) and the admin API."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from openai import OpenAI

from emulator.sdk import expect_error
from revu_emulator import EmulatorClient, EmulatorError

USER = [{"role": "user", "content": "Review this diff please."}]


def test_models_per_endpoint(openai_client: Callable[..., OpenAI]) -> None:
    platform = {m.id for m in openai_client().models.list()}
    assert platform == {
        "kimi-k2.6",
        "kimi-k2.5",
        "kimi-k2-0905-preview",
        "kimi-k2-turbo-preview",
        "kimi-k2-thinking",
    }
    assert {m.id for m in openai_client("china").models.list()} == platform
    code = list(openai_client("code").models.list())
    assert [m.id for m in code] == ["kimi-for-coding"]
    assert (code[0].model_extra or {})["context_length"] == 262_144


def test_estimate_token_count(openai_client: Callable[..., OpenAI]) -> None:
    client = openai_client()
    estimate = client.post(
        "/tokenizers/estimate-token-count",
        body={"model": "kimi-k2.6", "messages": [{"role": "user", "content": "x" * 41}]},
        cast_to=object,
    )
    assert estimate == {
        "code": 0,
        "data": {"total_tokens": 11 + 4 + 3},
        "scode": "0x0",
        "status": True,
    }
    answer = client.chat.completions.create(
        model="kimi-k2.6", messages=[{"role": "user", "content": "x" * 41}]
    )
    assert answer.usage is not None and answer.usage.prompt_tokens == 18


def test_balance_falls_by_the_price_table(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    client = openai_client()
    emulator.script("", "z" * 4000)  # 1,000 output tokens
    client.chat.completions.create(
        model="kimi-k2-0905-preview", messages=[{"role": "user", "content": "q" * 3988}]
    )  # 997 + 4 + 3 = 1,004 input tokens
    balance = client.get("/users/me/balance", cast_to=object)
    assert isinstance(balance, dict)
    expected = 50 - (1004 * 0.60 + 1000 * 2.50) / 1_000_000
    assert balance["data"]["available_balance"] == pytest.approx(expected)
    assert balance["data"]["cash_balance"] == pytest.approx(expected)
    assert emulator.stats()["cost_usd"] == pytest.approx(50 - expected)


def test_requests_log_redacts_keys(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    openai_client().chat.completions.create(model="kimi-k2.6", messages=USER)
    client = openai_client(default_headers={"x-api-key": "sk-emulator-developer"})
    client.chat.completions.create(model="kimi-k2.6", messages=USER)
    recent = emulator.requests()
    assert [r["path"] for r in recent] == ["/developer/v1/chat/completions"] * 2
    assert recent[0]["headers"]["authorization"] == "[redacted]"
    assert recent[1]["headers"]["x-api-key"] == "[redacted]"
    assert recent[0]["body"]["messages"] == USER
    assert recent[0]["status"] == 200
    assert "sk-emulator-developer" not in json.dumps(recent)


def test_stats_count_statuses_error_types_and_tokens(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    openai_client().chat.completions.create(model="kimi-k2.6", messages=USER)
    with pytest.raises(Exception, match="404"):
        openai_client().chat.completions.create(model="nope", messages=USER)
    stats = emulator.stats()
    assert stats["requests_total"] == 2
    assert stats["by_status"] == {"200": 1, "404": 1}
    assert stats["by_error_type"] == {"resource_not_found_error": 1}
    assert stats["input_tokens"] > 0 and stats["output_tokens"] > stats["reasoning_tokens"] > 0
    assert emulator.key_stats("sk-emulator-developer")["requests"] == 1
    assert "sk-emulator-developer" not in json.dumps(stats)
    assert stats["max_in_flight"] == 1 and stats["in_flight"] == 0


def test_reset_restores_the_startup_state(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.add_key("sk-temporary")
    emulator.add_key("sk-emulator-developer", balance_usd=1.0)
    emulator.script("", "scripted")
    emulator.configure(ttft_base_s=5.0, faults={"overloaded": 0.5})
    emulator.reset()
    with pytest.raises(KeyError):
        emulator.key_stats("sk-temporary")
    balance = openai_client().get("/users/me/balance", cast_to=object)
    assert isinstance(balance, dict) and balance["data"]["available_balance"] == 50.0
    answer = openai_client().chat.completions.create(model="kimi-k2.6", messages=USER)
    assert answer.choices[0].message.content == '{"findings": []}'
    config = emulator.config()
    assert config["ttft_base_s"] == 0 and config["faults"]["overloaded"] == 0
    assert emulator.requests()[0]["index"] == 0


def test_configure_changes_only_given_fields(emulator: EmulatorClient) -> None:
    emulator.configure(faults={"seed": 3, "hang": 0.1}, idle_s=9)
    config = emulator.configure(faults={"server_error": 0.2})
    assert config["faults"] == {
        "seed": 3,
        "overloaded": 0.0,
        "server_error": 0.2,
        "drop_stream": 0.0,
        "hang": 0.1,
    }
    assert config["idle_s"] == 9
    assert emulator.configure(context_window=1000)["context_window"] == 1000
    assert emulator.configure(context_window=None)["context_window"] is None


@pytest.mark.parametrize(
    "bad",
    [
        {"ttft_base_s": -1},
        {"faults": {"overloaded": 0.7, "server_error": 0.7}},
        {"user_agent_allowlist": "revu/"},
    ],
)
def test_bad_config_is_refused(emulator: EmulatorClient, bad: dict[str, object]) -> None:
    with pytest.raises(EmulatorError, match="refused POST config"):
        emulator.configure(**bad)  # type: ignore[arg-type]


def test_bad_key_is_refused(emulator: EmulatorClient) -> None:
    with pytest.raises(EmulatorError, match="platform"):
        emulator.add_key("sk-x", platform="moon")  # type: ignore[arg-type]
    with pytest.raises(EmulatorError, match="tier"):
        emulator.add_key("sk-x", tier=9)


def test_add_key_reports_effective_limits(emulator: EmulatorClient) -> None:
    assert emulator.add_key("sk-t2", tier=2, rpm=7) == {
        "concurrency": 100,
        "rpm": 7,
        "tpm": 3_000_000,
        "tpd": None,
    }


def test_unknown_paths_answer_in_moonshot_form(openai_client: Callable[..., OpenAI]) -> None:
    client = openai_client()
    expect_error(
        lambda: client.get("/files", cast_to=object),
        404,
        "resource_not_found_error",
        "Not found: /developer/v1/files",
    )
