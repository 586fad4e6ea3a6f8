"""pytest fixtures: `emulator_server` (one per session) and `emulator` (reset, per test).

Loaded through the pytest11 entry point, so importing it must start nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from revu_emulator._client import EmulatorClient

if TYPE_CHECKING:
    from revu_emulator._server import EmulatorServer


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    """A Moonshot emulator on a free port for the whole session (seed 0, default keys)."""
    from revu_emulator._server import EmulatorServer

    server = EmulatorServer(host="127.0.0.1", port=0, seed=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> Iterator[EmulatorClient]:
    """A client for the session's emulator, reset to its startup state before the test."""
    client = EmulatorClient(emulator_server.url)
    client.reset()
    yield client
