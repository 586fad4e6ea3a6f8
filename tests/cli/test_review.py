"""`revu review` end to end: real git repositories, the emulator, the exit-code contract."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from typer.testing import CliRunner

from review.contract import check_contract, check_sarif
from review.gitrepo import GitRepo
from revu.cli import app
from revu_emulator import EmulatorClient

runner = CliRunner()

_KEY = "sk-emulator-developer"
_FINDING = {
    "path": "src/stats.py",
    "line": 3,
    "end_line": 3,
    "severity": "high",
    "category": "bug",
    "title": "Division by zero on an empty list",
    "body": "len(xs) is 0 when xs is empty.",
    "suggestion": "    return total / len(xs) if xs else 0.0",
}


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the test's settings: no REVU_*/provider variables, an empty working dir and config."""
    for name in list(os.environ):
        if name.startswith(("REVU_", "MOONSHOT_", "OPENAI_", "ANTHROPIC_", "OPENROUTER_")):
            monkeypatch.delenv(name)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("REVU_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.write("src/stats.py", "def mean(xs):\n    return sum(xs) / len(xs)\n")
    r.write("poetry.lock", "[[package]]\n")
    r.commit("initial")
    r.write("src/stats.py", "def mean(xs):\n    total = sum(xs)\n    return total / len(xs)\n")
    r.write("poetry.lock", "[[package]]\nname = 'x'\n")
    return r


@pytest.fixture
def on_emulator(emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch) -> EmulatorClient:
    monkeypatch.setenv("REVU_LLM_PROVIDER", "moonshot")
    monkeypatch.setenv("REVU_LLM_BASE_URL", emulator.base_url("developer"))
    monkeypatch.setenv("REVU_LLM_API_KEY", _KEY)
    monkeypatch.setenv("REVU_LLM_MODEL", "kimi-k2-0905-preview")
    emulator.script("total / len(xs)", json.dumps({"findings": [_FINDING]}), scope="last_user")
    return emulator


def test_json_output_is_the_contract(repo: GitRepo, on_emulator: EmulatorClient) -> None:
    result = runner.invoke(app, ["review", str(repo.root), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check_contract(data)
    (finding,) = data["findings"]
    assert (finding["path"], finding["line"], finding["severity"]) == ("src/stats.py", 3, "high")
    assert data["coverage"] == {
        "reviewed": ["src/stats.py"],
        "skipped": [{"path": "poetry.lock", "reason": "lock file"}],
    }
    assert data["model"]["model"] == "kimi-k2-0905-preview" and data["usage"]["calls"] == 1
    assert result.stderr == ""  # no progress when stderr is not a terminal


def test_text_markdown_and_sarif(repo: GitRepo, on_emulator: EmulatorClient) -> None:
    text = runner.invoke(app, ["review", str(repo.root)])
    assert text.exit_code == 0
    assert "Division by zero on an empty list" in text.stdout
    assert "+     return total / len(xs) if xs else 0.0" in text.stdout
    markdown = runner.invoke(app, ["review", str(repo.root), "-f", "markdown"])
    assert markdown.stdout.startswith("## revu review")
    sarif = runner.invoke(app, ["review", str(repo.root), "-f", "sarif"])
    assert sarif.exit_code == 0
    data = json.loads(sarif.stdout)
    check_sarif(data)
    assert data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "endLine": 3,
    }


def test_fail_on(repo: GitRepo, on_emulator: EmulatorClient) -> None:
    met = runner.invoke(app, ["review", str(repo.root), "--fail-on", "high", "-f", "json"])
    assert met.exit_code == 1
    assert json.loads(met.stdout)["findings"]  # the results are still printed
    unmet = runner.invoke(app, ["review", str(repo.root), "--fail-on", "critical"])
    assert unmet.exit_code == 0
    filtered = runner.invoke(
        app, ["review", str(repo.root), "--min-severity", "critical", "--fail-on", "high"]
    )
    assert filtered.exit_code == 0  # below --min-severity it is not reported, so not failed on


def test_revu_toml_is_read_from_the_repository(repo: GitRepo, on_emulator: EmulatorClient) -> None:
    repo.write(".revu.toml", 'ignore = ["src/**"]\n')
    result = runner.invoke(app, ["review", str(repo.root), "-f", "json"])
    assert result.exit_code == 0
    skipped = json.loads(result.stdout)["coverage"]["skipped"]
    assert {"path": "src/stats.py", "reason": "ignored by .revu.toml (src/**)"} in skipped


def test_base_ref(repo: GitRepo, on_emulator: EmulatorClient) -> None:
    first = repo.git("rev-parse", "HEAD").strip()
    repo.commit("second")
    result = runner.invoke(app, ["review", str(repo.root), "--base", first, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["coverage"]["reviewed"] == ["src/stats.py"]


@pytest.mark.parametrize(
    ("args", "setup", "message"),
    [
        (["--base", "no-such-ref"], None, "unknown ref 'no-such-ref'"),
        (["--staged", "--base", "main"], None, "--staged cannot be combined"),
        ([], "toml", ".revu.toml: max_findings"),
        ([], "thinking", "REVU_LLM_THINKING"),
        ([], "no-key", "REVU_LLM_API_KEY"),
    ],
)
def test_usage_and_config_errors_exit_2_with_one_line(
    repo: GitRepo,
    on_emulator: EmulatorClient,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    setup: str | None,
    message: str,
) -> None:
    if setup == "toml":
        repo.write(".revu.toml", "max_findings = 'many'\n")
    elif setup == "thinking":
        monkeypatch.setenv("REVU_LLM_THINKING", "sideways")
    elif setup == "no-key":
        monkeypatch.delenv("REVU_LLM_API_KEY")
    result = runner.invoke(app, ["review", str(repo.root), *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("revu: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_not_a_repository_exits_2(on_emulator: EmulatorClient, tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(tmp_path)])
    assert result.exit_code == 2
    assert "not inside a git work tree" in result.stderr and result.stderr.count("\n") == 1


def test_the_repository_is_checked_before_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVU_LLM_PROVIDER", "moonshot")  # and no key anywhere
    result = runner.invoke(app, ["review", str(tmp_path)])
    assert result.exit_code == 2
    assert "not inside a git work tree" in result.stderr and "API_KEY" not in result.stderr


def test_no_slot_answering_exits_3_with_both_diagnoses(
    repo: GitRepo, on_emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVU_LLM_API_KEY", "sk-not-a-key")
    monkeypatch.setenv("REVU_FALLBACK_API_KEY", "sk-not-a-key-either")
    monkeypatch.setenv("REVU_FALLBACK_BASE_URL", on_emulator.base_url("developer"))
    result = runner.invoke(app, ["review", str(repo.root), "-f", "json"])
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines[0] == "revu: no model could answer:"
    (main,) = [line for line in lines[1:] if line.strip().startswith("main slot")]
    (fallback,) = [line for line in lines[1:] if line.strip().startswith("fallback slot")]
    # Each slot's fix is worded as the variable that sets it, once however many calls failed.
    assert "set REVU_LLM_API_KEY" in main and "set REVU_FALLBACK_API_KEY" in fallback
    assert len(lines) == 3
    data = json.loads(result.stdout)
    assert data["findings"] == [] and "src/stats.py" in [
        s["path"] for s in data["coverage"]["skipped"]
    ]


def test_fallback_answers_when_main_is_out_of_quota(
    repo: GitRepo, on_emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_emulator.add_key("sk-empty", platform="developer", balance_usd=0)
    monkeypatch.setenv("REVU_LLM_API_KEY", "sk-empty")
    monkeypatch.setenv("REVU_FALLBACK_API_KEY", _KEY)
    monkeypatch.setenv("REVU_FALLBACK_BASE_URL", on_emulator.base_url("developer"))
    monkeypatch.setenv("REVU_FALLBACK_MODEL", "kimi-k2-turbo-preview")
    result = runner.invoke(app, ["review", str(repo.root), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["fallback_used"] is True and data["model"]["slot"] == "fallback"
    assert [f["line"] for f in data["findings"]] == [3]


def test_review_through_the_shared_redis_limiter(
    repo: GitRepo, on_emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REVU_REDIS_URL puts the review's calls under the Redis lease semaphore."""
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    monkeypatch.setenv("REVU_REDIS_URL", "redis://127.0.0.1:6379/0")
    result = runner.invoke(app, ["review", str(repo.root), "--format", "json"])
    assert result.exit_code == 0, result.output
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["path"], finding["line"]) == ("src/stats.py", 3)


def test_unreachable_redis_is_a_setup_error(
    repo: GitRepo, on_emulator: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong REVU_REDIS_URL stops the review before any call, never runs it unlimited."""
    monkeypatch.setenv("REVU_REDIS_URL", "redis://127.0.0.1:1/0")
    result = runner.invoke(app, ["review", str(repo.root)])
    assert result.exit_code == 2
    assert "REVU_REDIS_URL" in result.stderr
    assert on_emulator.stats()["requests_total"] == 0


def test_progress_is_shown_on_a_terminal_stderr(repo: GitRepo, on_emulator: EmulatorClient) -> None:
    """On a TTY, stderr shows files done of total, calls in flight, tokens and cost; stdout
    keeps only the result."""
    on_emulator.configure(ttft_base_s=0.3)  # long enough for a few refreshes of the display
    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the terminal closed: the process is gone
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    revu = Path(sys.executable).with_name("revu")
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm"}
    proc = subprocess.run(
        [str(revu), "review", str(repo.root), "-f", "json"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        timeout=60,
        check=False,
    )
    os.close(follower)
    reader.join(timeout=5)
    os.close(leader)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["findings"][0]["line"] == 3
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode(errors="replace"))
    assert "reviewing" in shown and "0/1 files · 1 calls in flight" in shown, shown
    # The last frame: every file done, nothing in flight, the tokens and cost so far.
    assert re.search(r"1/1 files · 0 calls in flight · [1-9][\d,]* tokens .*\$0\.\d{4}", shown)


def test_make_demo_reviews_its_sample_repository_and_prints_the_planted_bug() -> None:
    """What `make demo` runs: its own sample repository and emulator, no key, the bug found."""
    demo = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVU_")}
    proc = subprocess.run(
        [sys.executable, str(demo)], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "shop/cart.py" in proc.stdout and "line 21" in proc.stdout
    assert "poetry.lock: lock file" in proc.stdout
    assert "found the planted bug" in proc.stdout
