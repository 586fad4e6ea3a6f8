"""`revu serve`: the API, the web pages (and, with the forge integration, the worker)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from revu.byok import read_environment
from revu.cli._app import app
from revu.cli._store import one_line_errors

if TYPE_CHECKING:
    from revu.server import ServerContext


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Serve only; reviews run in `revu worker`.")
    ] = False,
) -> None:
    """Serve the API and the BYOK web page (embedded default: SQLite in the data dir)."""
    # The web stack loads here, not at import: every other command starts without it.
    import uvicorn

    from revu.server import ServerContext, create_app

    env = read_environment()
    with one_line_errors():
        context = ServerContext.from_env(env)
        asyncio.run(_prepare(context))
    if context.store.location is not None:
        typer.echo(f"revu: database {context.store.location.display}", err=True)
    if context.fixed.active:
        routing = context.fixed.routing
        said = f"{routing.main.provider} {routing.main.model}" if routing else context.fixed.error
        typer.echo(f"revu: Fixed Mode (REVU_LLM_PROVIDER): {said}", err=True)
    if not no_worker:
        typer.echo(
            "revu: the in-process review worker arrives with the forge integration; "
            "this server answers the API and the web pages",
            err=True,
        )
    typer.echo(f"revu: serving on http://{host}:{port}/organization/byok", err=True)
    uvicorn.run(create_app(context), host=host, port=port, log_level="info")


async def _prepare(context: ServerContext) -> None:
    # Create and migrate before listening, so a bad database URL is one line, not a traceback;
    # the pool is then released, as the server runs its own event loop.
    await context.store.migrate()
    await context.store.engine.dispose()
    context.migrate_on_start = False
