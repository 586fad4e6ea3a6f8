"""A Moonshot (Kimi) API emulator for tests and demos; imports nothing from revu.

`EmulatorClient` and `EmulatorProcess` (the emulator as a child process) are stdlib-only;
`EmulatorServer` (uvicorn, Starlette, in this process) loads on first use so that the pytest
plugin costs nothing until a fixture asks for a server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from revu_emulator._client import EmulatorClient, EmulatorError
from revu_emulator._process import EmulatorProcess
from revu_emulator._redaction import key_label

if TYPE_CHECKING:
    from revu_emulator._server import EmulatorServer

__all__ = ["EmulatorClient", "EmulatorError", "EmulatorProcess", "EmulatorServer", "key_label"]


def __getattr__(name: str) -> Any:
    if name == "EmulatorServer":
        from revu_emulator._server import EmulatorServer

        return EmulatorServer
    raise AttributeError(f"module 'revu_emulator' has no attribute {name!r}")
