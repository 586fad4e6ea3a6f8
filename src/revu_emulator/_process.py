"""The emulator in a child process, for benches and demos (stdlib only, like the client).

In-process (`EmulatorServer`) every emulator request runs on a thread of the measuring
process and competes for its GIL and CPU; a child process keeps the two apart.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from types import TracebackType

from revu_emulator._client import EmulatorClient, EmulatorError

_READY = "revu-emulator listening on "


class EmulatorProcess:
    """`revu-emulator --port 0` as a child process; `with EmulatorProcess() as emulator:`.

    `args` are more command-line options (`--config FILE`, `--seed N`). `start()` returns once
    the emulator accepts requests, with `url` (its root) and `client` (an `EmulatorClient`)
    set; it raises `EmulatorError` with the emulator's own message when it does not start.
    """

    def __init__(self, *args: str, host: str = "127.0.0.1", start_timeout_s: float = 30.0) -> None:
        self.command = [sys.executable, "-m", "revu_emulator", "--host", host, "--port", "0"]
        self.command += args
        self.start_timeout_s = start_timeout_s
        self._process: subprocess.Popen[str] | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """The root URL, e.g. http://127.0.0.1:PORT (API prefixes and /_emulator/ hang off it)."""
        if self._url is None:
            raise EmulatorError("the emulator process is not running: call start() first")
        return self._url

    @property
    def client(self) -> EmulatorClient:
        """A client for the admin API (keys, scripts, config, stats)."""
        return EmulatorClient(self.url)

    def start(self) -> EmulatorProcess:
        """Spawn the emulator and wait for its `listening on URL` line."""
        if self._process is not None:
            return self
        # The child's stderr is read back only when the start fails; after that the child
        # keeps writing to the file alone, and the space is freed when it exits.
        with tempfile.TemporaryFile(mode="w+") as errors:
            self._process = subprocess.Popen(
                self.command, stdout=subprocess.PIPE, stderr=errors, text=True
            )
            line = _first_line(self._process, self.start_timeout_s)
            if line is None or not line.startswith(_READY):
                self.stop()
                errors.seek(0)
                said = errors.read().strip() or (line or "").strip() or "nothing"
                command = " ".join(self.command)
                raise EmulatorError(f"revu-emulator did not start ({command}): {said}")
        self._url = line[len(_READY) :].strip()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the emulator to stop (SIGTERM), and kill it if it has not within `timeout_s`."""
        process, self._process, self._url = self._process, None, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _first_line(process: subprocess.Popen[str], timeout_s: float) -> str | None:
    """The child's first stdout line, or None if it printed none within `timeout_s`."""
    assert process.stdout is not None
    stdout = process.stdout
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    return found[0] if found else None
