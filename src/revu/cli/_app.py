"""The Typer application; each command lives in its own module and registers itself here."""

from __future__ import annotations

import typer

from revu import __version__

app = typer.Typer(
    name="revu",
    help="AI code review with your own LLM key. Kimi (Moonshot) first; any OpenAI-compatible "
    "endpoint, OpenAI, Anthropic and OpenRouter too.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"revu {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """revu: review pull requests and local changes with your own model."""


# Command modules register themselves on import; keep this list in sync with the files beside.
from revu.cli import _org, _providers, _review, _secrets, _serve, _test  # noqa: E402, F401
