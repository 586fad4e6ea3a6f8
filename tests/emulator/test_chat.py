"""Chat completions as the openai SDK sees them: answers, thinking, streams, usage."""

from __future__ import annotations

from collections.abc import Callable

from openai import OpenAI

from revu_emulator import EmulatorClient

USER = [{"role": "user", "content": "Review this diff please."}]


def test_default_answer_is_empty_findings_with_reasoning(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    answer = openai_client().chat.completions.create(model="kimi-k2.6", messages=USER)
    message = answer.choices[0].message
    assert message.content == '{"findings": []}'
    assert message.model_extra and message.model_extra["reasoning_content"]
    usage = answer.usage
    assert usage is not None and usage.completion_tokens_details is not None
    reasoning = usage.completion_tokens_details.reasoning_tokens
    assert reasoning and usage.completion_tokens > reasoning
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.model_extra == {"cached_tokens": 0}


def test_thinking_disabled_sends_no_reasoning(openai_client: Callable[..., OpenAI]) -> None:
    answer = openai_client().chat.completions.create(
        model="kimi-k2.5", messages=USER, extra_body={"thinking": {"type": "disabled"}}
    )
    assert "reasoning_content" not in (answer.choices[0].message.model_extra or {})
    usage = answer.usage
    assert usage is not None and usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 0


def test_models_without_thinking_never_reason(openai_client: Callable[..., OpenAI]) -> None:
    answer = openai_client("china").chat.completions.create(
        model="kimi-k2-0905-preview", messages=USER, temperature=0.6
    )
    assert "reasoning_content" not in (answer.choices[0].message.model_extra or {})
    thinking = openai_client().chat.completions.create(
        model="kimi-k2-thinking", messages=USER, extra_body={"thinking": {"type": "disabled"}}
    )
    assert (thinking.choices[0].message.model_extra or {}).get("reasoning_content")


def test_stream_sends_reasoning_before_content_and_usage_in_final_choice(
    openai_client: Callable[..., OpenAI],
) -> None:
    chunks = list(
        openai_client("code").chat.completions.create(
            model="kimi-for-coding", messages=USER, stream=True
        )
    )
    kinds = []
    for chunk in chunks:
        delta = chunk.choices[0].delta
        if (delta.model_extra or {}).get("reasoning_content"):
            kinds.append("reasoning")
        if delta.content:
            kinds.append("content")
    assert kinds[0] == "reasoning" and "content" in kinds
    assert kinds.index("content") > max(i for i, k in enumerate(kinds) if k == "reasoning")
    final = chunks[-1].choices[0]
    assert final.finish_reason == "stop"
    usage = (final.model_extra or {})["usage"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    content = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert content == '{"findings": []}'


def test_stream_options_include_usage_adds_a_usage_chunk(
    openai_client: Callable[..., OpenAI],
) -> None:
    chunks = list(
        openai_client().chat.completions.create(
            model="kimi-k2.6",
            messages=USER,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens > 0


def test_max_tokens_spent_on_reasoning_cuts_the_answer(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.script("", "x" * 400, reasoning="r" * 400)
    answer = openai_client().chat.completions.create(
        model="kimi-k2.6", messages=USER, max_tokens=120
    )
    assert answer.choices[0].finish_reason == "length"
    assert answer.choices[0].message.content == "x" * 80
    assert answer.usage is not None and answer.usage.completion_tokens == 120
