"""`revu review`: review the local changes of a git repository with the configured model."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from revu.byok import (
    SettingsError,
    env_diagnosis,
    limiter_from_env,
    read_environment,
    routing_from_env,
)
from revu.catalog import Catalog, CatalogError, load_catalog
from revu.cli._app import app
from revu.llm import Gateway, GatewayEvent, Limiter, LimiterUnavailable, RedisLimiter, Routing
from revu.review import (
    ChangeSet,
    ChangeSourceError,
    ConfigError,
    OutputFormat,
    ReviewConfig,
    ReviewProgress,
    ReviewResult,
    Severity,
    load_changes,
    load_review_config,
    render,
    review_changes,
)

EXIT_OK, EXIT_FAIL_ON, EXIT_USAGE, EXIT_NO_SLOT = 0, 1, 2, 3


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(f"revu: {message}", err=True)
    return typer.Exit(code)


@app.command("review")
def review_command(
    path: Annotated[
        Path, typer.Argument(help="A path inside the git repository to review.", show_default=".")
    ] = Path("."),
    base: Annotated[
        str | None,
        typer.Option(
            "--base", metavar="REF", help="Review HEAD (or --head) against its merge base with REF."
        ),
    ] = None,
    head: Annotated[
        str | None, typer.Option("--head", metavar="REF", help="Review REF instead of HEAD.")
    ] = None,
    staged: Annotated[
        bool, typer.Option("--staged", help="Review only the staged changes (the index).")
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="How to print the results.")
    ] = OutputFormat.TEXT,
    min_severity: Annotated[
        Severity | None,
        typer.Option("--min-severity", help="Leave out findings below this severity."),
    ] = None,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", help="Exit 1 when a finding of this severity or worse remains."),
    ] = None,
) -> None:
    """Review local changes: uncommitted ones, else the branch against the default branch.

    Exit codes: 0 done; 1 --fail-on met; 2 usage or configuration error; 3 no model could answer.
    """
    # The repository and its .revu.toml first: a wrong path or ref is the more likely mistake,
    # and its message is the one that helps.
    try:
        changes = load_changes(path, base=base, head=head, staged=staged)
        config = load_review_config(changes.root)
        catalog = load_catalog()  # read once: routing, the gateway and diagnoses share it
        env = read_environment()  # the environment over .env, read once for both
        routing = routing_from_env(env, None, catalog=catalog)
        limiter = limiter_from_env(env, None)
    except (ChangeSourceError, ConfigError, SettingsError, CatalogError) as exc:
        raise _fail(str(exc)) from None
    except LimiterUnavailable as exc:
        raise _fail(f"{exc} — {exc.hint}") from None
    try:
        result = asyncio.run(_review(changes, routing, catalog, limiter, config, min_severity))
    except LimiterUnavailable as exc:
        raise _fail(f"{exc} — {exc.hint}") from None
    except KeyboardInterrupt:
        raise _fail("interrupted", 130) from None

    color = fmt is OutputFormat.TEXT and sys.stdout.isatty()
    width = shutil.get_terminal_size((100, 24)).columns if color else 100
    sys.stdout.write(render(result, fmt, color=color, width=width))
    sys.stdout.flush()
    if result.no_slot_answered:
        typer.echo("revu: no model could answer:", err=True)
        for diagnosis in dict.fromkeys(
            env_diagnosis(e, catalog=catalog) for e in result.slot_errors
        ):
            typer.echo(f"  {diagnosis}", err=True)
        raise typer.Exit(EXIT_NO_SLOT)
    if fail_on is not None and any(f.severity.at_least(fail_on) for f in result.findings):
        raise typer.Exit(EXIT_FAIL_ON)
    raise typer.Exit(EXIT_OK)


async def _review(
    changes: ChangeSet,
    routing: Routing,
    catalog: Catalog,
    limiter: Limiter,
    config: ReviewConfig,
    min_severity: Severity | None,
) -> ReviewResult:
    try:
        if isinstance(limiter, RedisLimiter):
            await limiter.check()  # a wrong REVU_REDIS_URL is a setup error, not N failed calls
        return await _run(changes, routing, catalog, limiter, config, min_severity)
    finally:
        await limiter.aclose()


async def _run(
    changes: ChangeSet,
    routing: Routing,
    catalog: Catalog,
    limiter: Limiter,
    config: ReviewConfig,
    min_severity: Severity | None,
) -> ReviewResult:
    display = _ProgressDisplay() if sys.stderr.isatty() and changes.files else None
    on_event = display.on_event if display else None
    async with Gateway(routing, limiter=limiter, catalog=catalog, on_event=on_event) as gateway:
        for warning in gateway.warnings:
            typer.echo(f"revu: warning: {warning}", err=True)
        if display is None:
            return await review_changes(changes, gateway, config, min_severity=min_severity)
        with display:
            return await review_changes(
                changes, gateway, config, min_severity=min_severity, on_progress=display.update
            )


class _ProgressDisplay:
    """Files done of total, calls in flight, tokens and cost, live on stderr."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("reviewing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[detail]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task: TaskID = self.progress.add_task("review", total=None, detail="planning")
        self.state: ReviewProgress | None = None
        self.in_flight = 0

    def __enter__(self) -> _ProgressDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def on_event(self, event: GatewayEvent) -> None:
        self.in_flight = event.in_flight
        self._refresh()

    def update(self, state: ReviewProgress) -> None:
        self.state = state
        self._refresh()

    def _refresh(self) -> None:
        if self.state is None:
            return
        u = self.state.usage
        cached = f" ({u.cached_tokens * 100 // u.input_tokens}% cached)" if u.input_tokens else ""
        detail = (
            f"{self.in_flight} calls in flight · {u.input_tokens + u.output_tokens:,} tokens"
            f"{cached} · ${u.cost_usd:.4f}"
        )
        self.progress.update(
            self.task,
            total=self.state.files_total,
            completed=self.state.files_done,
            detail=detail,
        )
