"""The `revu` command line: thin commands over the layers below."""

from __future__ import annotations

from revu.cli._app import app


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
