"""Slots pointed at the emulator, and a retry policy with tiny delays for fast tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest

from revu.catalog import Thinking, Wire
from revu.llm import ChatMessage, ChatRequest, RetryPolicy, Slot
from revu_emulator import EmulatorClient

Platform = Literal["developer", "china", "code"]

DEFAULT_KEYS: dict[Platform, str] = {
    "developer": "sk-emulator-developer",
    "china": "sk-emulator-china",
    "code": "sk-kimi-emulator",
}
DEFAULT_MODELS: dict[Platform, str] = {
    "developer": "kimi-k2.6",
    "china": "kimi-k2.6",
    "code": "kimi-for-coding",
}

FAST = RetryPolicy(base_delay_s=0.01, max_delay_s=0.05, rate_limit_wait_s=5.0, deadline_s=20.0)


def ask(text: str = "Review this change.", **kwargs: Any) -> ChatRequest:
    """A one-message request."""
    return ChatRequest(messages=(ChatMessage("user", text),), **kwargs)


SlotFactory = Callable[..., Slot]


@pytest.fixture(autouse=True)
def _no_user_providers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own providers.toml out of these tests."""
    monkeypatch.setenv("REVU_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def make_slot(emulator: EmulatorClient) -> SlotFactory:
    """Build a Moonshot slot on one of the emulator's endpoints (its default key and model)."""

    def build(
        platform: Platform = "developer",
        *,
        name: Literal["main", "fallback"] = "main",
        key: str | None = None,
        model: str | None = None,
        thinking: Thinking = Thinking.MEDIUM,
        **fields: Any,
    ) -> Slot:
        return Slot(
            name=name,
            provider="moonshot",
            wire=Wire.OPENAI,
            base_url=emulator.base_url(platform),
            model=model or DEFAULT_MODELS[platform],
            api_key=key or DEFAULT_KEYS[platform],
            plan=platform,
            thinking=thinking,
            **fields,
        )

    return build
