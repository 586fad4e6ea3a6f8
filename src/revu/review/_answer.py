"""Reading the model's answer: one JSON object, repaired only where the repair is safe.

Safe repairs: reasoning text left in the answer, a code fence, prose around the object, trailing
commas. Anything else is an AnswerError, whose message is sent back once to ask again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_THINK = re.compile(r"<think>.*?</think>|◁think▷.*?◁/think▷", re.DOTALL | re.IGNORECASE)
_UNCLOSED_THINK_END = re.compile(r"^.*?(?:</think>|◁/think▷)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)```", re.DOTALL)
_FINDINGS_KEY = re.compile(r'"findings"\s*:\s*\[')
_CLOSER = re.compile(r"[ \t\r\n]*[}\]]")


class AnswerError(Exception):
    """The answer holds no usable JSON object; the message says what is wrong, for the model."""


@dataclass(frozen=True)
class Answer:
    """The raw finding items of one answer, and which repairs made them readable."""

    items: list[Any]
    repairs: tuple[str, ...] = ()


def parse_answer(content: str) -> Answer:
    """Parse `{"findings": [...]}` out of an answer, repairing what is safe."""
    repairs: list[str] = []
    text = content.strip()
    if not text:
        raise AnswerError("the answer was empty")
    without_thinking = _UNCLOSED_THINK_END.sub("", _THINK.sub("", text)).strip()
    if without_thinking != text:
        repairs.append("reasoning removed")
        text = without_thinking
    value, error = _loads(text)
    if error is not None:
        for candidate, repair in _candidates(text):
            value, candidate_error = _loads(candidate)
            if candidate_error is None:
                repairs.append(repair)
                break
            fixed = _drop_trailing_commas(candidate)
            if fixed != candidate:
                value, candidate_error = _loads(fixed)
                if candidate_error is None:
                    repairs.extend((repair, "trailing commas removed"))
                    break
        else:
            raise AnswerError(f"it is not one JSON object ({error})")
    return Answer(_findings_of(value), tuple(r for r in repairs if r))


def salvage_findings(content: str) -> list[Any]:
    """The complete finding objects at the start of a `findings` array that was cut off
    (the answer ran out of tokens): each kept object is whole, nothing is guessed."""
    match = _FINDINGS_KEY.search(content)
    if not match:
        return []
    decoder = json.JSONDecoder()
    items: list[Any] = []
    pos = match.end()
    while True:
        while pos < len(content) and content[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(content) or content[pos] != "{":
            return items
        try:
            item, pos = decoder.raw_decode(content, pos)
        except json.JSONDecodeError:
            return items
        items.append(item)


def _loads(text: str) -> tuple[Any, str | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} at line {exc.lineno} column {exc.colno}"


def _candidates(text: str) -> list[tuple[str, str]]:
    """Pieces of `text` that may be the object, most likely first, with the repair's name."""
    found: list[tuple[str, str]] = []
    for fenced in _FENCE.findall(text):
        found.append((fenced.strip(), "code fence removed"))
    starts = [m.start() for m in re.finditer(r'\{\s*"findings"', text)]
    starts += [i for i, c in enumerate(text) if c == "{" and i not in starts][:3]
    for start in starts:
        end = _matching_brace(text, start)
        if end is not None:
            found.append((text[start : end + 1], "text around the object removed"))
    return found


def _structure(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of every character of `text` from `start` that is not inside a JSON
    string: the ones that give the text its structure."""
    in_string = escaped = False
    for i in range(start, len(text)):
        c = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        else:
            yield i, c


def _matching_brace(text: str, start: int) -> int | None:
    depth = 0
    for i, c in _structure(text, start):
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i
    return None


def _drop_trailing_commas(text: str) -> str:
    trailing = {i for i, c in _structure(text) if c == "," and _CLOSER.match(text, i + 1)}
    return "".join(c for i, c in enumerate(text) if i not in trailing)


def _findings_of(value: Any) -> list[Any]:
    if isinstance(value, list):  # a bare array of findings
        return value
    if not isinstance(value, dict):
        raise AnswerError('the answer must be a JSON object {"findings": [...]}')
    if "findings" not in value:
        if "path" in value and "line" in value:  # one finding, not wrapped
            return [value]
        raise AnswerError('the object has no "findings" key')
    findings = value["findings"]
    if findings is None:
        return []
    if not isinstance(findings, list):
        raise AnswerError('"findings" must be a list')
    return findings
