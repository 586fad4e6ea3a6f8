"""One JSON error shape everywhere: {"error": {"code", "message", "hint"}} (+ "field")."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from revu.byok import ByokError
from revu.store import KeyringError, StoreError

log = logging.getLogger("revu.server")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
}


_ROUTES_HINT = "the routes and their methods are listed at /docs"


class ApiError(Exception):
    """An error a route raises to answer with the JSON error shape."""

    def __init__(
        self, status: int, code: str, message: str, hint: str = "", field: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        self.field = field


def error_body(code: str, message: str, hint: str = "", field: str | None = None) -> dict[str, Any]:
    """The error object the API answers with."""
    error: dict[str, Any] = {"code": code, "message": message, "hint": hint}
    if field is not None:
        error["field"] = field
    return {"error": error}


def error_response(
    status: int, code: str, message: str, hint: str = "", field: str | None = None
) -> JSONResponse:
    """A JSON error response."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(code, message, hint, field), status_code=status, headers=headers)


def response_of(exc: ApiError | ByokError) -> JSONResponse:
    """The JSON error response of a route's ApiError or a refused BYOK request."""
    return error_response(exc.status, exc.code, exc.message, exc.hint, exc.field)


def validation_problem(errors: list[Any]) -> tuple[str, str]:
    """(field, message) for the first of pydantic's errors: only where and what, never the
    value sent (it may be a key)."""
    first = errors[0] if errors else {}
    loc = [str(part) for part in first.get("loc", ())]
    # ("body", "max_concurrent") -> "max_concurrent"; ("path", "slot") -> "slot"
    where = loc[1:2] if loc and loc[0] in ("body", "path", "query", "header") else loc[:1]
    field = where[0] if where else "body"
    if first.get("type") == "missing" and len(loc) <= 1:
        return "body", "the request needs a JSON body"
    if first.get("type") == "json_invalid":
        return "body", "the request body is not valid JSON"
    return field, f"{field}: {first.get('msg', 'is not valid')}"


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through the one JSON error shape."""

    async def _coded(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError | ByokError)
        return response_of(exc)

    app.add_exception_handler(ApiError, _coded)
    app.add_exception_handler(ByokError, _coded)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        field, message = validation_problem(list(exc.errors()))
        return error_response(422, "invalid_request", message, f"fix {field} and send again", field)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), _ROUTES_HINT)

    @app.exception_handler(KeyringError)
    async def _keyring(_: Request, exc: KeyringError) -> JSONResponse:
        log.error("keyring: %s", exc.message)
        return error_response(503, "keyring", exc.message, exc.hint)

    @app.exception_handler(StoreError)
    async def _store(_: Request, exc: StoreError) -> JSONResponse:
        log.error("store: %s", exc.message)
        return error_response(503, "store_unavailable", exc.message, exc.hint)


class ContainFailures:
    """Outermost middleware: an unexpected exception becomes the JSON 500 and one log line
    saying where it broke, never what it said (an exception's text could carry a key), and it
    goes no further (the ASGI server would print the whole traceback)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            frames = traceback.extract_tb(exc.__traceback__)
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
            log.error(
                "unexpected %s at %s on %s %s",
                type(exc).__name__,
                where,
                scope.get("method"),
                scope.get("path"),
            )
            if not started:
                response = error_response(
                    500, "internal", "the server failed on this request", "see the server log"
                )
                await response(scope, receive, send)
