"""`revu-emulator`: serve the Moonshot emulator and print the URL it listens on."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="revu-emulator",
        description="Serve a Moonshot (Kimi) API emulator: /developer/v1, /china/v1, /coding/v1.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--config", type=Path, help="JSON file: config fields, keys, scripts")
    parser.add_argument("--seed", type=int, help="fault seed (overrides faults.seed)")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run until interrupted; the first stdout line is `revu-emulator listening on URL`."""
    args = _arguments(argv)
    from revu_emulator._config import ConfigError, load_startup
    from revu_emulator._server import EmulatorServer

    try:
        startup = load_startup(args.config, args.seed)
        server = EmulatorServer(args.host, args.port, startup=startup, log_level=args.log_level)
    except ConfigError as exc:
        print(f"revu-emulator: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"revu-emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.start()
    print(f"revu-emulator listening on {server.url}", flush=True)
    stopping.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
