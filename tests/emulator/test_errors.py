"""Every error row of MOONSHOT.md, as the openai SDK receives it."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest
from openai import OpenAI

from emulator.sdk import expect_error
from revu_emulator import EmulatorClient

USER = [{"role": "user", "content": "Review this diff please."}]


def test_unknown_key_is_invalid_authentication(openai_client: Callable[..., OpenAI]) -> None:
    client = openai_client(key="sk-nobody")
    error = expect_error(
        lambda: client.models.list(), 401, "invalid_authentication_error", "Invalid Authentication"
    )
    assert isinstance(error, openai.AuthenticationError)


@pytest.mark.parametrize(
    ("platform", "key"),
    [
        ("developer", "sk-kimi-emulator"),  # Kimi Code key on the platform API
        ("code", "sk-emulator-developer"),  # platform key on Kimi Code
        ("china", "sk-emulator-developer"),  # .ai key on .cn
        ("developer", "sk-emulator-china"),  # .cn key on .ai
    ],
)
def test_key_on_another_platform_is_401(
    openai_client: Callable[..., OpenAI], platform: str, key: str
) -> None:
    client = openai_client(platform, key)
    expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER),
        401,
        "invalid_authentication_error",
        "Invalid Authentication",
    )


def test_flagged_key_is_permission_denied(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.add_key("sk-closed", permission_denied=True)
    client = openai_client(key="sk-closed")
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER),
        403,
        "permission_denied_error",
        "The API you are accessing is not open",
    )
    assert isinstance(error, openai.PermissionDeniedError)


def test_code_endpoint_rejects_clients_outside_the_allow_list(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.configure(user_agent_allowlist=["revu/"])
    sdk_agent = openai_client("code")
    expect_error(
        lambda: sdk_agent.chat.completions.create(model="kimi-for-coding", messages=USER),
        403,
        "access_terminated_error",
        "Access terminated",
    )
    honest = openai_client("code", default_headers={"User-Agent": "revu/0.1.0"})
    answer = honest.chat.completions.create(model="kimi-for-coding", messages=USER)
    assert answer.choices[0].message.content
    # The platform endpoints have no client policy.
    assert openai_client().chat.completions.create(model="kimi-k2.6", messages=USER).choices


def test_code_endpoint_by_default_rejects_only_an_empty_user_agent(
    openai_client: Callable[..., OpenAI],
) -> None:
    assert openai_client("code").models.list().data
    anonymous = openai_client("code", default_headers={"User-Agent": ""})
    expect_error(
        lambda: anonymous.models.list(), 403, "access_terminated_error", "Access terminated"
    )


@pytest.mark.parametrize(
    ("platform", "model"),
    [("developer", "kimi-for-coding"), ("code", "kimi-k2.6"), ("china", "moonshot-v9")],
)
def test_unknown_model_is_not_found(
    openai_client: Callable[..., OpenAI], platform: str, model: str
) -> None:
    client = openai_client(platform)
    error = expect_error(
        lambda: client.chat.completions.create(model=model, messages=USER),
        404,
        "resource_not_found_error",
        f"Not found the model {model} or Permission denied",
    )
    assert isinstance(error, openai.NotFoundError)


@pytest.mark.parametrize(
    ("platform", "model", "params"),
    [
        ("developer", "kimi-k2.6", {"temperature": 1.0}),
        (
            "developer",
            "kimi-k2.5",
            {"temperature": 0.6, "extra_body": {"thinking": {"type": "disabled"}}},
        ),
        ("developer", "kimi-k2.6", {"top_p": 0.5}),
        ("developer", "kimi-k2.6", {"n": 2}),
        ("china", "kimi-k2.5", {"presence_penalty": 0.5}),
        ("developer", "kimi-k2.6", {"frequency_penalty": 0.1}),
        ("code", "kimi-for-coding", {"temperature": 0.6}),  # thinking is on by default
        (
            "code",
            "kimi-for-coding",
            {"temperature": 1.0, "extra_body": {"thinking": {"type": "disabled"}}},
        ),
    ],
)
def test_fixed_sampling_models_refuse_other_values(
    openai_client: Callable[..., OpenAI], platform: str, model: str, params: dict[str, object]
) -> None:
    client = openai_client(platform)
    expect_error(
        lambda: client.chat.completions.create(model=model, messages=USER, **params),  # type: ignore[call-overload]
        400,
        "invalid_request_error",
        "invalid temperature: only 1 is allowed for this model",
    )


def test_fixed_values_and_the_code_plans_temperature_are_accepted(
    openai_client: Callable[..., OpenAI],
) -> None:
    fixed = openai_client().chat.completions.create(
        model="kimi-k2.6", messages=USER, top_p=0.95, n=1, presence_penalty=0, frequency_penalty=0
    )
    assert fixed.choices
    code = openai_client("code").chat.completions.create(
        model="kimi-for-coding",
        messages=USER,
        temperature=0.6,
        extra_body={"thinking": {"type": "disabled"}},
    )
    assert code.choices
    assert (
        openai_client()
        .chat.completions.create(model="kimi-k2-turbo-preview", messages=USER, temperature=0.3)
        .choices
    )


def test_context_too_long(emulator: EmulatorClient, openai_client: Callable[..., OpenAI]) -> None:
    emulator.configure(context_window={"kimi-k2.6": 200})
    client = openai_client()
    expect_error(
        lambda: client.chat.completions.create(
            model="kimi-k2.6", messages=[{"role": "user", "content": "x" * 1000}]
        ),
        400,
        "invalid_request_error",
        "Input token length too long",
    )
    expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER, max_tokens=190),
        400,
        "invalid_request_error",
        "Your request exceeded model token limit : 200",
    )
    # Other models keep their 262,144-token context.
    assert client.chat.completions.create(model="kimi-k2.5", messages=USER, max_tokens=190).choices


def test_the_default_context_is_262144(openai_client: Callable[..., OpenAI]) -> None:
    client = openai_client()
    expect_error(
        lambda: client.chat.completions.create(
            model="kimi-k2.6", messages=USER, max_tokens=262_144
        ),
        400,
        "invalid_request_error",
        "Your request exceeded model token limit : 262144",
    )


def test_trigger_phrase_is_content_filtered(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.configure(content_filter_phrases=["forbidden topic"])
    client = openai_client()
    expect_error(
        lambda: client.chat.completions.create(
            model="kimi-k2.6", messages=[{"role": "user", "content": "About the Forbidden Topic."}]
        ),
        400,
        "content_filter",
        "considered high risk",
    )


def test_tool_rules(openai_client: Callable[..., OpenAI]) -> None:
    client = openai_client()
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    expect_error(
        lambda: client.chat.completions.create(
            model="kimi-k2-0905-preview",
            messages=USER,
            tools=tools,
            tool_choice="required",  # type: ignore[arg-type]
        ),
        400,
        "invalid_request_error",
        "tool_choice",
    )
    history = [
        *USER,
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "{}"},
    ]
    expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=history, tools=tools),  # type: ignore[arg-type]
        400,
        "invalid_request_error",
        "reasoning_content is missing",
    )
    history[1]["reasoning_content"] = "call f"
    assert client.chat.completions.create(model="kimi-k2.6", messages=history, tools=tools).choices  # type: ignore[arg-type]


def test_overloaded_and_server_error_faults(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    client = openai_client()
    emulator.configure(faults={"overloaded": 1.0})
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER),
        429,
        "engine_overloaded_error",
        "The engine is currently overloaded, please try again later",
    )
    assert isinstance(error, openai.RateLimitError)
    emulator.configure(faults={"overloaded": 0.0, "server_error": 1.0})
    error = expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER),
        500,
        "server_error",
        "",
    )
    assert isinstance(error, openai.InternalServerError)
