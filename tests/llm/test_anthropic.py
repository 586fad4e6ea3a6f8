"""The Anthropic wire, through the official anthropic SDK over an in-memory transport.

The emulator speaks Moonshot's OpenAI dialect only, so this adapter is checked against
Anthropic's documented request and answer shapes with httpx2's MockTransport.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from revu.catalog import BUILTIN_CATALOG, Thinking, Wire
from revu.llm import (
    ContextTooLong,
    LLMError,
    Overloaded,
    QuotaExhausted,
    RateLimited,
    Slot,
    build_body,
)
from revu.llm._anthropic import AnthropicChat

from .conftest import ask

SLOT = Slot(
    name="main",
    provider="anthropic",
    wire=Wire.ANTHROPIC,
    base_url="https://api.anthropic.test",
    model="claude-haiku-4-5",
    api_key="sk-ant-test",
    thinking=Thinking.LOW,
)

ANSWER = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-haiku-4-5",
    "content": [
        {"type": "thinking", "thinking": "Looking at the diff.", "signature": "sig"},
        {"type": "text", "text": '{"findings": []}'},
    ],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 100,
        "output_tokens": 40,
        "cache_read_input_tokens": 900,
        "cache_creation_input_tokens": 0,
    },
}


def chat(status: int, payload: dict[str, Any], seen: list[httpx2.Request]) -> AnthropicChat:
    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(status, json=payload, headers={"retry-after": "3"})

    return AnthropicChat(SLOT, httpx2.AsyncClient(transport=httpx2.MockTransport(handler)))


def body() -> dict[str, Any]:
    model = BUILTIN_CATALOG.model("anthropic", SLOT.model)
    return build_body(SLOT, model, "anthropic", ask("Review this.", max_tokens=None))


async def test_a_message_with_thinking_and_cache_reads() -> None:
    seen: list[httpx2.Request] = []
    protocol = chat(200, ANSWER, seen)
    answer = await protocol.send(body())
    await protocol.aclose()
    assert answer.content == '{"findings": []}'
    assert answer.reasoning == "Looking at the diff."
    assert answer.usage.input_tokens == 1000 and answer.usage.cached_tokens == 900
    assert answer.usage.output_tokens == 40
    (request,) = seen
    assert request.url.path == "/v1/messages"
    credentials = request.headers.get("x-api-key") or request.headers.get("authorization", "")
    assert credentials.endswith("sk-ant-test")
    assert request.headers["user-agent"].startswith("revu/")
    sent = json.loads(request.content)
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 5_000}
    assert sent["max_tokens"] > 5_000 and "temperature" not in sent


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (
            400,
            {
                "type": "invalid_request_error",
                "message": "prompt is too long: 210000 tokens > 200000 maximum",
            },
            ContextTooLong,
        ),
        (
            429,
            {
                "type": "rate_limit_error",
                "message": "Number of request tokens has exceeded your per-minute rate limit",
            },
            RateLimited,
        ),
        (529, {"type": "overloaded_error", "message": "Overloaded"}, Overloaded),
        (
            400,
            {
                "type": "invalid_request_error",
                "message": "Your credit balance is too low to access the Anthropic API",
            },
            QuotaExhausted,
        ),
    ],
)
async def test_anthropic_errors_map_to_the_taxonomy(
    status: int, error: dict[str, str], expected: type[LLMError]
) -> None:
    protocol = chat(status, {"type": "error", "error": error}, [])
    with pytest.raises(LLMError) as caught:
        await protocol.send(body())
    await protocol.aclose()
    assert type(caught.value) is expected
    if expected is RateLimited:
        assert caught.value.retry_after == 3.0


def _sse(events: list[tuple[str, dict[str, Any]]]) -> bytes:
    return b"".join(
        f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events
    )


async def test_a_streamed_message() -> None:
    start = {
        **ANSWER,
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    events = [
        ("message_start", {"type": "message_start", "message": start}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "thinking_delta", "thinking": "Hmm."},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 1,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "text_delta", "text": "ok"},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 1}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 7},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]

    def handler(request: httpx2.Request) -> httpx2.Response:
        assert json.loads(request.content)["stream"] is True
        return httpx2.Response(
            200, content=_sse(events), headers={"content-type": "text/event-stream"}
        )

    protocol = AnthropicChat(SLOT, httpx2.AsyncClient(transport=httpx2.MockTransport(handler)))
    streamed = body() | {"stream": True}
    answer = await protocol.send(streamed)
    await protocol.aclose()
    assert (answer.content, answer.reasoning, answer.finish_reason) == ("ok", "Hmm.", "end_turn")
    assert answer.usage.output_tokens == 7 and answer.usage.input_tokens == 10
