"""Scripted answers: the first live rule (in the order added) whose pattern matches answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from revu_emulator._config import ConfigError, ScriptRule
from revu_emulator._tokens import joined_text, last_user_text

DEFAULT_REPLY = '{"findings": []}'
DEFAULT_REASONING = "The request asks for a review; checking the change before answering."


@dataclass(frozen=True)
class Answer:
    """What the model says: content, reasoning (used when thinking is on) and finish reason."""

    content: str
    reasoning: str
    finish_reason: str = "stop"


@dataclass
class ScriptBook:
    """The rules in force, with how many answers each still has to give."""

    rules: list[ScriptRule] = field(default_factory=list)
    used: list[int] = field(default_factory=list)

    def add(self, rule: ScriptRule) -> int:
        if rule.regex:
            try:  # fail at the admin call, not at the first request
                re.compile(rule.match)
            except re.error as exc:
                raise ConfigError(f"match is not a valid regex: {exc}") from None
        self.rules.append(rule)
        self.used.append(0)
        return len(self.rules) - 1

    def answer(self, messages: list[Any]) -> Answer:
        """The first matching rule's answer (consuming one of its `times`), else the default."""
        everything, last_user = joined_text(messages), last_user_text(messages)
        for index, rule in enumerate(self.rules):
            if rule.times is not None and self.used[index] >= rule.times:
                continue
            text = last_user if rule.scope == "last_user" else everything
            hit = re.search(rule.match, text) if rule.regex else rule.match in text
            if hit:
                self.used[index] += 1
                return Answer(rule.reply, rule.reasoning or DEFAULT_REASONING, rule.finish_reason)
        return Answer(DEFAULT_REPLY, DEFAULT_REASONING)

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {**rule.__dict__, "used": used}
            for rule, used in zip(self.rules, self.used, strict=True)
        ]
