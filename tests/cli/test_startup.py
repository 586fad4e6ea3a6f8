"""Every `revu` command starts quickly: heavy libraries load only where they are used."""

from __future__ import annotations

import subprocess
import sys


def test_the_cli_starts_without_the_anthropic_sdk_or_the_web_stack() -> None:
    # A fresh interpreter: this test process has long imported everything.
    code = (
        "import sys, revu.cli; "
        "print(' '.join(m for m in ('anthropic', 'fastapi', 'uvicorn') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == [], f"imported at start-up: {loaded}"
