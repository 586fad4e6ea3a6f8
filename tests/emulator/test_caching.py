"""Automatic prefix caching and the latency model."""

from __future__ import annotations

import time
from collections.abc import Callable

from openai import OpenAI

from revu_emulator import EmulatorClient

SYSTEM = {"role": "system", "content": "You review code. " + "Rules of the house. " * 400}


def _ask(client: OpenAI, question: str, model: str = "kimi-k2.6") -> tuple[int, float]:
    started = time.monotonic()
    answer = client.chat.completions.create(
        model=model,
        messages=[SYSTEM, {"role": "user", "content": question}],  # type: ignore[list-item]
    )
    assert answer.usage is not None and answer.usage.model_extra is not None
    return answer.usage.model_extra["cached_tokens"], time.monotonic() - started


def test_repeated_prefix_is_cached_cheaper_and_faster(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.configure(ttft_per_token_s=0.0002)
    client = openai_client()
    cached, first_s = _ask(client, "Review a.py")
    cost_first = emulator.stats()["cost_usd"]
    assert cached == 0
    cached, second_s = _ask(client, "Review b.py")
    cost_second = emulator.stats()["cost_usd"] - cost_first
    prompt = emulator.requests()[-1]["usage"]["prompt_tokens"]
    assert 0 < cached < prompt
    assert cached % 32 == 0  # whole cache blocks
    assert cost_second < cost_first
    assert first_s > 0.3  # ~2,000 uncached tokens at 0.2 ms each
    assert second_s < first_s / 2
    stats = emulator.stats()
    assert stats["cached_tokens"] == cached


def test_cache_is_per_key_and_model(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.add_key("sk-other")
    _ask(openai_client(), "Review a.py")
    assert _ask(openai_client(key="sk-other"), "Review a.py")[0] == 0
    assert _ask(openai_client(), "Review a.py", model="kimi-k2.5")[0] == 0
    assert _ask(openai_client(), "Review a.py")[0] > 0


def test_reset_empties_the_cache(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    _ask(openai_client(), "Review a.py")
    emulator.reset()
    assert _ask(openai_client(), "Review a.py")[0] == 0


def test_cold_start_after_idle(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.configure(cold_start_s=0.4, idle_s=0.2)
    client = openai_client()
    time.sleep(0.25)
    assert _ask(client, "first")[1] >= 0.4
    assert _ask(client, "second")[1] < 0.3


def test_output_rate_paces_the_stream(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.script("", "y" * 800)  # 200 tokens
    emulator.configure(output_tps=1000, ttft_base_s=0.2)
    started = time.monotonic()
    stream = openai_client().chat.completions.create(
        model="kimi-k2-turbo-preview", messages=[{"role": "user", "content": "go"}], stream=True
    )
    first_content_at = None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content and first_content_at is None:
            first_content_at = time.monotonic() - started
    total = time.monotonic() - started
    assert first_content_at is not None and 0.2 <= first_content_at < total
    assert total >= 0.2 + 0.18  # 200 tokens at 1,000 tokens/s
