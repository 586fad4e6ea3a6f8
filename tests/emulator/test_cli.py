"""`revu-emulator` prints its URL once ready and serves; the package stays cheap to import."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

import revu_emulator
from revu_emulator import EmulatorClient, EmulatorError, EmulatorProcess


def _get(url: str, key: str) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        data: dict[str, object] = json.loads(response.read())
        return data


def test_cli_prints_its_url_and_serves(tmp_path: Path) -> None:
    config = tmp_path / "emulator.json"
    config.write_text(
        json.dumps(
            {
                "ttft_base_s": 0.01,
                "keys": [{"key": "sk-from-file", "platform": "china", "balance_usd": 3}],
                "scripts": [{"match": "", "reply": "scripted"}],
            }
        )
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "revu_emulator", "--port", "0", "--config", str(config)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        prefix = "revu-emulator listening on http://127.0.0.1:"
        assert line.startswith(prefix) and int(line[len(prefix) :]) > 0
        url = line.rsplit(" ", 1)[-1]
        balance = _get(f"{url}/china/v1/users/me/balance", "sk-from-file")
        assert balance["data"] == {
            "available_balance": 3,
            "voucher_balance": 0.0,
            "cash_balance": 3,
        }
        client = EmulatorClient(url)
        client.reset()  # the file's keys and scripts survive a reset
        assert _get(f"{url}/china/v1/models", "sk-from-file")["data"]
        assert client.config()["ttft_base_s"] == 0.01
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_emulator_process_starts_serves_and_stops() -> None:
    with EmulatorProcess("--seed", "5") as emulator:
        assert emulator.url.startswith("http://127.0.0.1:")
        assert emulator.client.config()["faults"]["seed"] == 5
        assert _get(emulator.client.base_url("code") + "/models", "sk-kimi-emulator")["data"]
        url = emulator.url
    with pytest.raises(EmulatorError, match="unreachable"):
        EmulatorClient(url, timeout_s=2).config()  # stopped: nothing listens any more
    with pytest.raises(EmulatorError, match="not running"):
        _ = emulator.url


def test_emulator_process_that_cannot_start_says_why(tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text('{"ttft_base_s": "slow"}')
    with pytest.raises(EmulatorError) as caught:
        EmulatorProcess("--config", str(config)).start()
    assert "revu-emulator did not start" in str(caught.value)
    assert "ttft_base_s must be a number >= 0.0, got 'slow'" in str(caught.value)


def test_cli_explains_a_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text('{"ttft_base_s": "slow"}')
    result = subprocess.run(
        [sys.executable, "-m", "revu_emulator", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "revu-emulator: ttft_base_s must be a number >= 0.0, got 'slow'"
    ]


def test_public_names_stay_put() -> None:
    assert revu_emulator.__all__ == [
        "EmulatorClient",
        "EmulatorError",
        "EmulatorProcess",
        "EmulatorServer",
        "key_label",
    ]
    assert revu_emulator.EmulatorServer.__name__ == "EmulatorServer"


def test_importing_the_plugin_starts_and_loads_nothing_heavy() -> None:
    probe = (
        "import sys, threading, revu_emulator.pytest_plugin;"
        "heavy = sorted(m for m in ('uvicorn', 'starlette') if m in sys.modules);"
        "print(heavy, threading.active_count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=20, check=True
    )
    assert result.stdout.strip() == "[] 1"
