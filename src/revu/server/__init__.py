"""The HTTP server: the /api/v1 API, the BYOK web page, and (later) the forge webhooks."""

from __future__ import annotations

from revu.server._app import create_app
from revu.server._context import ServerContext, session_secret

__all__ = ["ServerContext", "create_app", "session_secret"]
