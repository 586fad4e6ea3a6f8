"""`revu providers`: a readable table, and the catalog as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revu.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("REVU_CONFIG_DIR", str(config))
    return config


def test_json_lists_cards_plans_and_models() -> None:
    result = runner.invoke(app, ["providers", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["cards"][0]["title"] == "Kimi K2.6 Coding"
    ids = [p["id"] for p in data["providers"]]
    assert ids[:5] == ["moonshot", "openai", "anthropic", "openrouter", "openai_compatible"]
    moonshot = data["providers"][0]
    assert {p["id"]: p["base_url"] for p in moonshot["plans"]}["code"] == (
        "https://api.kimi.com/coding/v1"
    )


def test_table_shows_plans_urls_context_and_prices() -> None:
    result = runner.invoke(app, ["providers"])
    assert result.exit_code == 0
    out = result.stdout
    for expected in (
        "Kimi K2.6 Coding",
        "recommended",
        "https://api.moonshot.ai/v1",
        "https://api.moonshot.cn/v1",
        "https://api.kimi.com/coding/v1",
        "262,144",
        "0.160 / 0.95 / 4.00",
        "kimi-for-coding",
        "subscription",
    ):
        assert expected in out


def test_user_providers_appear(_config_dir: Path) -> None:
    (_config_dir / "providers.toml").write_text(
        '[providers.local]\nbase_url = "http://127.0.0.1:8000/v1"\n'
        '[[providers.local.models]]\nid = "qwen-coder"\n'
    )
    data = json.loads(runner.invoke(app, ["providers", "--json"]).stdout)
    local = next(p for p in data["providers"] if p["id"] == "local")
    assert local["user_defined"] and local["models"][0]["price_note"] == "unknown price"


def test_a_broken_providers_file_exits_2_with_one_line(_config_dir: Path) -> None:
    (_config_dir / "providers.toml").write_text("[providers.local\n")
    result = runner.invoke(app, ["providers"])
    assert result.exit_code == 2
    assert "providers.toml is not valid TOML" in result.stderr
    assert "Traceback" not in result.output
