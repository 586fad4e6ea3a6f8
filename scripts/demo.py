"""`make demo`: run revu's main job against the bundled Moonshot emulator, no key needed.

Starts `revu-emulator` on a free port, points revu at it through the environment, runs
`revu test`, and stops the emulator. Exits with revu's own exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [str(BIN / "revu-emulator"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if "listening on " not in line:
        proc.kill()
        raise SystemExit(f"demo: the emulator did not start (it said: {line or 'nothing'})")
    return proc, line.rsplit(" ", 1)[-1]


def main() -> int:
    emulator, url = start_emulator()
    try:
        env = {
            **os.environ,
            "REVU_LLM_PROVIDER": "moonshot",
            "REVU_LLM_PLAN": "developer",
            "REVU_LLM_BASE_URL": f"{url}/developer/v1",
            "REVU_LLM_API_KEY": "sk-emulator-developer",
        }
        print(f"demo: Moonshot emulator at {url}; running `revu test`", flush=True)
        return subprocess.run([str(BIN / "revu"), "test"], env=env, check=False).returncode
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
