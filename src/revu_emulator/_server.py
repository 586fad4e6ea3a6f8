"""Running the emulator: uvicorn on a background thread, on a port chosen up front."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from revu_emulator._app import create_app
from revu_emulator._config import StartupState, startup_from_json
from revu_emulator._delivery import deliberate_drop


class _QuietDeliberateDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not deliberate_drop.get()


_drop_filter = _QuietDeliberateDrops()


class EmulatorServer:
    """A Moonshot emulator on http://host:port, served from a daemon thread.

    `port=0` picks a free port; `url` is known as soon as the server is constructed.
    `config` takes the same object as a `--config` file (config fields, `keys`, `scripts`).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = 0,
        *,
        config: dict[str, Any] | None = None,
        startup: StartupState | None = None,
        log_level: str = "warning",
    ) -> None:
        self.host = host
        self.startup = startup or startup_from_json(config or {}, seed)
        self.app, self.emulator = create_app(self.startup)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                log_config=None,
                log_level=log_level,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=1,
            )
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The root URL, e.g. http://127.0.0.1:PORT (API prefixes and /_emulator/ hang off it)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout_s: float = 10.0) -> None:
        """Serve in a background thread; return once requests are accepted."""
        if self._thread is not None:
            return
        logging.getLogger("uvicorn.error").addFilter(_drop_filter)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"revu-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"revu-emulator did not start on {self.url}")
            time.sleep(0.01)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop serving; requests still open are cut after a one-second grace."""
        if self._thread is None:
            self._socket.close()
            return
        self.emulator.shutdown.trigger()  # waiting calls answer 503 instead of being cancelled
        self._server.should_exit = True
        self._thread.join(timeout_s)
        self._thread = None
        self._socket.close()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
