"""`revu test` against the emulator: what it prints; exit codes 0 ok, 1 failed, 2 config error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revu.cli import app
from revu_emulator import EmulatorClient

runner = CliRunner()

_CLEARED = (
    "REVU_LLM_PROVIDER",
    "REVU_LLM_PLAN",
    "REVU_LLM_MODEL",
    "REVU_LLM_API_KEY",
    "REVU_LLM_BASE_URL",
    "REVU_LLM_THINKING",
    "REVU_LLM_OVERRIDE_JSON",
    "REVU_LLM_MAX_CONCURRENT",
    "REVU_FALLBACK_PROVIDER",
    "REVU_FALLBACK_API_KEY",
    "REVU_FALLBACK_BASE_URL",
    "MOONSHOT_API_KEY",
)


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No settings but the test's own: an empty working dir (.env) and config dir."""
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REVU_CONFIG_DIR", str(tmp_path / "config"))


def on_emulator(emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    platform = env.pop("platform", "developer")
    monkeypatch.setenv("REVU_LLM_BASE_URL", emulator.base_url(platform))  # type: ignore[arg-type]
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_ok_prints_the_configuration_and_latency(
    emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_emulator(emulator, monkeypatch, MOONSHOT_API_KEY="sk-emulator-developer")
    result = runner.invoke(app, ["test"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "main: moonshot (developer) " + emulator.base_url() in out
    assert "model kimi-k2.6, thinking medium" in out
    assert "ok: answered in" in out
    assert len(emulator.requests()) == 1


def test_a_mismatched_key_fails_with_the_diagnosis(
    emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_emulator(emulator, monkeypatch, MOONSHOT_API_KEY="sk-kimi-emulator")
    result = runner.invoke(app, ["test"])
    assert result.exit_code == 1
    assert "FAILED" in result.stdout and "EndpointMismatch" in result.stdout
    assert (
        "  fix: this is a Kimi Code key: choose the Kimi Code Plan "
        "(https://api.kimi.com/coding/v1); set REVU_LLM_PLAN=code\n"
    ) in result.stdout


def test_json_output(emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch) -> None:
    on_emulator(
        emulator,
        monkeypatch,
        platform="code",
        REVU_LLM_PLAN="code",
        MOONSHOT_API_KEY="sk-kimi-emulator",
    )
    result = runner.invoke(app, ["test", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (probe,) = data["results"]
    assert data["ok"] and probe["ok"]
    assert probe["model"] == "kimi-for-coding" and probe["plan"] == "code"
    assert probe["latency_s"] > 0 and probe["thinking"] == "medium"


def test_all_slots_and_a_failing_fallback(
    emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_emulator(
        emulator,
        monkeypatch,
        MOONSHOT_API_KEY="sk-emulator-developer",
        REVU_FALLBACK_MODEL="kimi-k9",
    )
    result = runner.invoke(app, ["test", "--slot", "all", "--json"])
    assert result.exit_code == 1
    main, fallback = json.loads(result.stdout)["results"]
    assert main["ok"] and not fallback["ok"]
    assert fallback["error_kind"] == "ModelNotFound" and "kimi-k2.6" in fallback["models"]
    assert "does not serve 'kimi-k9'" in fallback["hint"]
    assert fallback["fixes"] == [
        {"setting": "model", "value": None, "slot": None, "variable": "REVU_FALLBACK_MODEL"}
    ]


def test_a_bad_setting_exits_2_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-x")
    monkeypatch.setenv("REVU_LLM_THINKING", "maximum")
    result = runner.invoke(app, ["test"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("revu: REVU_LLM_THINKING='maximum'")
    assert "Traceback" not in result.output


def test_no_key_exits_2() -> None:
    result = runner.invoke(app, ["test"])
    assert result.exit_code == 2
    assert "set REVU_LLM_API_KEY or MOONSHOT_API_KEY" in result.stderr


def test_asking_for_a_missing_fallback_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-x")
    result = runner.invoke(app, ["test", "--slot", "fallback"])
    assert result.exit_code == 2
    assert "REVU_FALLBACK_PROVIDER" in result.stderr


def test_settings_come_from_dotenv(emulator: EmulatorClient, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"REVU_LLM_BASE_URL={emulator.base_url('china')}\n"
        "REVU_LLM_PLAN=china\nMOONSHOT_API_KEY=sk-emulator-china\n"
    )
    result = runner.invoke(app, ["test"])
    assert result.exit_code == 0, result.output
    assert "moonshot (china)" in result.stdout
