"""Seeded fault injection: reproducible outcomes, dropped connections, hung requests."""

from __future__ import annotations

import time
from collections.abc import Callable

import openai
import pytest
from openai import OpenAI

from emulator.sdk import expect_error
from revu_emulator import EmulatorClient

USER = [{"role": "user", "content": "Review this diff please."}]
MIX = {"overloaded": 0.2, "server_error": 0.2, "drop_stream": 0.1}


def _outcomes(client: OpenAI, calls: int) -> list[str]:
    seen = []
    for _ in range(calls):
        try:
            client.chat.completions.create(model="kimi-k2.6", messages=USER)  # type: ignore[arg-type]
            seen.append("ok")
        except openai.APIStatusError as error:
            assert isinstance(error.body, dict)
            seen.append(error.body["type"])
        except openai.APIConnectionError:
            seen.append("dropped")
    return seen


def test_same_seed_gives_the_same_faults(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    client = openai_client()
    emulator.configure(faults={"seed": 7, **MIX})
    first = _outcomes(client, 30)
    emulator.configure(faults={"seed": 7})  # any faults change restarts the sequence
    second = _outcomes(client, 30)
    emulator.configure(faults={"seed": 8})
    other = _outcomes(client, 30)
    assert first == second
    assert other != first
    assert {"ok", "engine_overloaded_error", "server_error", "dropped"} <= set(first)
    assert emulator.stats()["faults"]["drop_stream"] == first.count("dropped") * 2 + other.count(
        "dropped"
    )


def test_the_cli_seed_sets_the_startup_fault_seed(emulator: EmulatorClient) -> None:
    assert emulator.config()["faults"]["seed"] == 0


def test_dropped_stream_fails_after_some_chunks(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.configure(faults={"drop_stream": 1.0})
    stream = openai_client().chat.completions.create(model="kimi-k2.6", messages=USER, stream=True)  # type: ignore[arg-type]
    received = 0
    with pytest.raises(openai.APIConnectionError):
        for _ in stream:
            received += 1
    assert received >= 1
    stats = emulator.stats()
    assert stats["in_flight"] == 0
    assert stats["cost_usd"] == 0  # an unfinished answer is not billed


def test_hung_request_times_the_client_out_and_frees_its_slot(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.configure(faults={"hang": 1.0})
    client = openai_client(timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="kimi-k2.6", messages=USER)  # type: ignore[arg-type]
    deadline = time.monotonic() + 3
    while emulator.stats()["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert emulator.stats()["in_flight"] == 0


def test_hung_request_answers_504_after_hang_s(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.configure(faults={"hang": 1.0}, hang_s=0.2)
    client = openai_client()
    expect_error(
        lambda: client.chat.completions.create(model="kimi-k2.6", messages=USER),  # type: ignore[arg-type]
        504,
        "server_error",
        "timed out",
    )
