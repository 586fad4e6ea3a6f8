"""Shared helpers: openai SDK clients pointed at the emulator, with retries off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import pytest
from openai import AsyncOpenAI, OpenAI

from revu_emulator import EmulatorClient

DEFAULT_KEYS = {
    "developer": "sk-emulator-developer",
    "china": "sk-emulator-china",
    "code": "sk-kimi-emulator",
}

Platform = Literal["developer", "china", "code"]


@pytest.fixture
def openai_client(emulator: EmulatorClient) -> Callable[..., OpenAI]:
    """Build a synchronous openai client for an endpoint kind (default key of that platform)."""

    def build(platform: Platform = "developer", key: str | None = None, **kwargs: object) -> OpenAI:
        return OpenAI(
            base_url=emulator.base_url(platform),
            api_key=key or DEFAULT_KEYS[platform],
            **{"max_retries": 0, "timeout": 10.0, **kwargs},  # type: ignore[arg-type]
        )

    return build


@pytest.fixture
def async_openai_client(emulator: EmulatorClient) -> Callable[..., AsyncOpenAI]:
    """Build an AsyncOpenAI client for an endpoint kind (default key of that platform)."""

    def build(
        platform: Platform = "developer", key: str | None = None, **kwargs: object
    ) -> AsyncOpenAI:
        return AsyncOpenAI(
            base_url=emulator.base_url(platform),
            api_key=key or DEFAULT_KEYS[platform],
            **{"max_retries": 0, "timeout": 10.0, **kwargs},  # type: ignore[arg-type]
        )

    return build
