"""`revu serve` for real: a process on a free port, the embedded default in a fresh data dir."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

REVU = str(Path(sys.executable).parent / "revu")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_revu_serve_creates_the_database_and_serves_the_sign_in_page(tmp_path: Path) -> None:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REVU_", "MOONSHOT_"))
    }
    env["REVU_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.Popen(
        [REVU, "serve", "--port", str(port), "--no-worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = None
        for _ in range(100):
            try:
                page = httpx2.get(f"http://127.0.0.1:{port}/login", timeout=1)
                break
            except httpx2.TransportError:
                time.sleep(0.1)
        assert page is not None and page.status_code == 200 and "Organization token" in page.text
        unauthorized = httpx2.get(f"http://127.0.0.1:{port}/api/v1/byok", timeout=2)
        assert unauthorized.status_code == 401
        assert (tmp_path / "data" / "revu.sqlite3").exists()
        assert (tmp_path / "data" / "session-secret").stat().st_mode & 0o777 == 0o600
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "generated a keyring" in err and "serving on" in err
    assert "Traceback" not in err
