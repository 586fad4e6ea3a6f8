"""Who is calling: an organization's Bearer token (API) or its signed session (web pages),
and the CSRF token every form and page request carries."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from revu.server._context import ServerContext
from revu.server._errors import ApiError
from revu.store import Organization, Organizations

_bearer = HTTPBearer(auto_error=False, description="the organization's token (revu org create)")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def context_of(request: Request) -> ServerContext:
    """The server context the app was built with."""
    context: ServerContext = request.app.state.context
    return context


async def api_org(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Organization:
    """The organization whose Bearer token came with the request; 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401,
            "unauthorized",
            "this route needs the organization's token",
            "send Authorization: Bearer <token> (`revu org create NAME` prints one)",
        )
    context = context_of(request)
    async with context.store.session() as session:
        org = await Organizations(session).by_token(credentials.credentials)
    if org is None:
        raise ApiError(
            401,
            "unauthorized",
            "the token does not belong to any organization",
            "check the token, or ask the operator for a new one (`revu org token NAME`)",
        )
    return org


ApiOrg = Annotated[Organization, Depends(api_org)]


async def session_org(request: Request) -> Organization | None:
    """The organization signed in on this browser session, if any."""
    org_id = request.session.get("org")
    if not isinstance(org_id, str):
        return None
    async with context_of(request).store.session() as session:
        org = await Organizations(session).get(org_id)
    if org is None:
        request.session.clear()
    return org


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, sent: str | None) -> bool:
    """Whether `sent` is this session's CSRF token."""
    expected = request.session.get("csrf")
    return (
        isinstance(expected, str)
        and isinstance(sent, str)
        and hmac.compare_digest(expected.encode(), sent.encode())
    )


def sign_in(request: Request, org: Organization) -> None:
    """Start a session for `org`, with a fresh CSRF token."""
    request.session.clear()
    request.session["org"] = org.id
    request.session["csrf"] = secrets.token_urlsafe(32)
