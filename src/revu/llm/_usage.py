"""Token estimates (no tokenizer download) and the cost of an answer from catalog prices."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

from revu.catalog import Price
from revu.llm._types import ChatMessage, Usage

_MESSAGE_OVERHEAD = 4  # role markers and separators a chat template adds per message


def estimate_tokens(text: str) -> int:
    """A slightly conservative token count: ~3.6 ASCII characters per token, one per other char.

    Real BPE tokenizers average about 4 characters per token on English and code; CJK text
    runs near one token per character, so non-ASCII characters count one each.
    """
    if not text:
        return 0
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    return math.ceil((len(text) - non_ascii) / 3.6) + non_ascii


def estimate_prompt_tokens(messages: Iterable[ChatMessage]) -> int:
    """Estimated input tokens of a chat request."""
    return sum(estimate_tokens(m.content) + _MESSAGE_OVERHEAD for m in messages)


def priced(usage: Usage, price: Price | None) -> Usage:
    """The same usage with its cost from `price` (0 when the price is unknown)."""
    if price is None:
        return usage
    cost = price.cost_usd(
        input_tokens=usage.input_tokens,
        cached_tokens=usage.cached_tokens,
        output_tokens=usage.output_tokens,
    )
    return replace(usage, cost_usd=cost)
