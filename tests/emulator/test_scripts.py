"""Scripted answers: substring and regex rules, order, times, scope, raw and JSON replies."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from openai import OpenAI

from revu_emulator import EmulatorClient, EmulatorError


def _answer(client: OpenAI, *messages: tuple[str, str]) -> tuple[str | None, str, object]:
    answer = client.chat.completions.create(
        model="kimi-k2.6",
        messages=[{"role": role, "content": text} for role, text in messages],  # type: ignore[misc]
    )
    choice = answer.choices[0]
    return (
        choice.message.content,
        choice.finish_reason,
        (choice.message.model_extra or {}).get("reasoning_content"),
    )


def test_substring_rule_with_json_reply_and_reasoning(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    findings = {"findings": [{"file": "a.py", "line": 3, "message": "off by one"}]}
    emulator.script("a.py", findings, reasoning="Line 3 looks wrong.")
    content, finish, reasoning = _answer(openai_client(), ("user", "Review a.py"))
    assert content is not None and json.loads(content) == findings
    assert (finish, reasoning) == ("stop", "Line 3 looks wrong.")
    content, _, _ = _answer(openai_client(), ("user", "Review b.py"))
    assert content == '{"findings": []}'


def test_regex_rule_and_finish_reason(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.script(r"file [a-z]+\.go\b", "not json at all {", regex=True, finish_reason="length")
    content, finish, _ = _answer(openai_client(), ("user", "Look at file main.go now"))
    assert (content, finish) == ("not json at all {", "length")
    assert _answer(openai_client(), ("user", "Look at file main.gox"))[0] == '{"findings": []}'


def test_first_answer_malformed_then_fine(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.script("review", "{broken", times=1)
    emulator.script("review", {"findings": []})
    client = openai_client()
    assert [_answer(client, ("user", "review it"))[0] for _ in range(3)] == [
        "{broken",
        '{"findings": []}',
        '{"findings": []}',
    ]
    used = emulator.stats()["requests_total"]
    assert used == 3


def test_last_user_scope_ignores_the_system_prompt(
    emulator: EmulatorClient, openai_client: Callable[..., OpenAI]
) -> None:
    emulator.script("security", "SEC", scope="last_user")
    emulator.script("security", "ALL")
    client = openai_client()
    assert _answer(client, ("system", "Check security."), ("user", "diff"))[0] == "ALL"
    assert _answer(client, ("system", "x"), ("user", "security diff"))[0] == "SEC"


def test_bad_rules_are_refused(emulator: EmulatorClient) -> None:
    with pytest.raises(EmulatorError, match="not a valid regex"):
        emulator.script("(", "x", regex=True)
    with pytest.raises(EmulatorError, match="times"):
        emulator.script("x", "y", times=-1)
