"""Fixtures for review tests: a throwaway repository and revu pointed at the emulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from revu.byok import routing_from_env
from revu.llm import Gateway
from revu.review import ChangeSet, ReviewConfig, ReviewResult, load_changes, review_changes
from revu_emulator import EmulatorClient

from .gitrepo import GitRepo

MODEL = "kimi-k2-0905-preview"
KEY = "sk-emulator-developer"


def emulator_env(emulator: EmulatorClient, **extra: str) -> dict[str, str]:
    """The environment that points revu's main slot at the emulator."""
    return {
        "REVU_LLM_PROVIDER": "moonshot",
        "REVU_LLM_BASE_URL": emulator.base_url("developer"),
        "REVU_LLM_API_KEY": KEY,
        "REVU_LLM_MODEL": MODEL,
        **extra,
    }


@pytest.fixture(autouse=True)
def _own_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog reads user providers from the config dir: keep the developer's out."""
    monkeypatch.setenv("REVU_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


RunReview = Callable[..., Awaitable[ReviewResult]]


@pytest.fixture
def run_review(emulator: EmulatorClient) -> RunReview:
    """Review a repository's change against the emulator: `await run_review(root, ...)`."""

    async def run(
        root: Path | ChangeSet,
        *,
        env: dict[str, str] | None = None,
        config: ReviewConfig | None = None,
        **options: Any,
    ) -> ReviewResult:
        changes = root if isinstance(root, ChangeSet) else load_changes(root)
        routing = routing_from_env(env or emulator_env(emulator), env_file=None)
        async with Gateway(routing) as gateway:
            return await review_changes(changes, gateway, config, **options)

    return run
