"""Deterministic token estimates (no tokenizer download) and the text a request carries."""

from __future__ import annotations

import json
import math
from typing import Any

MESSAGE_OVERHEAD = 4  # role and separators, per message
REQUEST_OVERHEAD = 3  # priming of the assistant's answer


def text_tokens(text: str) -> int:
    """ceil(utf-8 bytes / 4): roughly what BPE tokenizers give for English and code."""
    return math.ceil(len(text.encode("utf-8")) / 4)


def message_text(message: Any) -> str:
    """A message's text: string content, the text parts of a content list, tool calls as JSON."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    parts: list[str] = []
    if isinstance(content, str):
        parts.append(content)
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
    if message.get("tool_calls"):
        parts.append(json.dumps(message["tool_calls"], sort_keys=True))
    return "".join(parts)


def prompt_tokens(messages: list[Any]) -> int:
    """sum(ceil(utf-8 bytes of content / 4) + 4 per message) + 3."""
    return sum(text_tokens(message_text(m)) + MESSAGE_OVERHEAD for m in messages) + REQUEST_OVERHEAD


def prompt_fingerprint(messages: list[Any]) -> bytes:
    """The prompt as one byte string, so a shared prefix of messages is a shared byte prefix."""
    return b"".join(
        f"{m.get('role', '') if isinstance(m, dict) else ''}\x00{message_text(m)}\x01".encode()
        for m in messages
    )


def joined_text(messages: list[Any]) -> str:
    """Every message's text joined by newlines (what scripts and the content filter see)."""
    return "\n".join(message_text(m) for m in messages)


def last_user_text(messages: list[Any]) -> str:
    """The last user message's text, or '' when there is none."""
    for m in reversed(messages):
        if isinstance(m, dict) and m.get("role") == "user":
            return message_text(m)
    return ""


def truncate_to_tokens(text: str, tokens: int) -> str:
    """The longest prefix of text whose estimate fits in `tokens`."""
    data = text.encode("utf-8")[: max(tokens, 0) * 4]
    return data.decode("utf-8", errors="ignore")
