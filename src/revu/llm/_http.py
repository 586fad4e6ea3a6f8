"""The one HTTP client factory of revu: honest User-Agent, generous timeouts, no redirects."""

from __future__ import annotations

import httpx2

from revu import USER_AGENT

# A review call may think for minutes, and the first call after idle can be slow to start.
REVIEW_TIMEOUT = httpx2.Timeout(connect=15.0, read=360.0, write=60.0, pool=None)


def http_client(
    *,
    timeout: float | httpx2.Timeout = REVIEW_TIMEOUT,
    max_connections: int = 64,
) -> httpx2.AsyncClient:
    """An async HTTP client for provider calls.

    Redirects are not followed: a redirect would carry the key to another host. Connection
    pool waits have no timeout because revu's limiter, not the pool, paces the calls.
    """
    limits = httpx2.Limits(
        max_connections=max_connections, max_keepalive_connections=min(max_connections, 32)
    )
    return httpx2.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        limits=limits,
        headers={"User-Agent": USER_AGENT},
    )
