"""Automatic prefix caching: a prompt prefix seen recently on the same key and model is cached."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

MAX_ENTRIES = 256


def common_prefix_length(a: bytes, b: bytes) -> int:
    """Length of the longest common prefix, by binary search over C-speed slice compares."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


@dataclass
class PrefixCache:
    """Recently seen prompts per (key, model), each kept for `ttl_s`."""

    ttl_s: float
    block_tokens: int
    entries: dict[tuple[str, str], deque[tuple[float, bytes]]] = field(default_factory=dict)

    def cached_tokens(
        self, key: str, model: str, prompt: bytes, prompt_tokens: int, now: float
    ) -> int:
        """Tokens of `prompt` served from cache: the longest prefix shared with a recent prompt,
        at 4 bytes a token, rounded down to whole blocks, never more than the prompt minus one block
        (some input is always computed)."""
        seen = self.entries.get((key, model))
        if not seen:
            return 0
        while seen and seen[0][0] <= now - self.ttl_s:
            seen.popleft()
        best = max((common_prefix_length(prompt, old) for _, old in seen), default=0)
        tokens = best // 4
        tokens -= tokens % self.block_tokens
        ceiling = prompt_tokens - self.block_tokens
        return max(0, min(tokens, ceiling - ceiling % self.block_tokens))

    def remember(self, key: str, model: str, prompt: bytes, now: float) -> None:
        seen = self.entries.setdefault((key, model), deque(maxlen=MAX_ENTRIES))
        seen.append((now, prompt))
