"""The FastAPI application: /api/v1, the web pages, static files, one error shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from revu import __version__
from revu.server import _api, _pages
from revu.server._context import ServerContext
from revu.server._errors import ContainFailures, install_error_handlers

SESSION_COOKIE = "revu_session"
SESSION_MAX_AGE_S = 12 * 60 * 60


def create_app(context: ServerContext | None = None) -> FastAPI:
    """The app over `context` (default: built from the environment, as `revu serve` does)."""
    context = context or ServerContext.from_env()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if context.migrate_on_start:
            await context.store.migrate()
        try:
            yield
        finally:
            if context.owns_store:
                await context.store.close()

    app = FastAPI(
        title="revu",
        version=__version__,
        summary="Self-hostable AI code review: bring your own LLM key.",
        lifespan=lifespan,
    )
    app.state.context = context
    install_error_handlers(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=context.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=context.secure_cookies,
    )
    app.add_middleware(ContainFailures)
    app.include_router(_api.router)
    app.include_router(_pages.router)
    app.mount("/static", StaticFiles(directory=str(files("revu.server") / "static")), name="static")
    return app
