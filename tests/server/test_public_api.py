"""The server's entry points stay put."""

from __future__ import annotations

import revu.server


def test_the_server_exports_stay_put() -> None:
    assert set(revu.server.__all__) == {"ServerContext", "create_app", "session_secret"}
