"""A real revu server (uvicorn in a thread, SQLite in a temp dir) and Debian's Chromium."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Coroutine, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from revu.byok import FixedMode
from revu.catalog import BUILTIN_CATALOG
from revu.server import ServerContext, create_app
from revu.store import Keyring, KeyringKey, Organizations, Store, create_engine

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
T = TypeVar("T")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def run_apart(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a loop of its own: Playwright's sync API owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


@dataclass
class LiveServer:
    """A revu server listening on a free port."""

    url: str
    database: Path
    keyring: Keyring

    def new_org(self, name: str) -> str:
        """Create an organization; its token."""

        async def create() -> str:
            store = Store(create_engine(f"sqlite+aiosqlite:///{self.database}"), self.keyring)
            async with store.session() as session:
                _, token = await Organizations(session).create(name)
            await store.close()
            return token

        return run_apart(create())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(directory: Path, fixed: FixedMode) -> Iterator[LiveServer]:
    """`revu serve` in a thread: the real app on uvicorn over a fresh SQLite store."""
    database = directory / "revu.sqlite3"
    keyring = Keyring((KeyringKey.generate(),))
    store = Store(create_engine(f"sqlite+aiosqlite:///{database}"), keyring)
    run_apart(store.migrate())
    run_apart(store.engine.dispose())  # the server's own loop opens its connections
    context = ServerContext(
        store=store,
        catalog=BUILTIN_CATALOG,
        fixed=fixed,
        session_secret="browser-test-secret",
        owns_store=True,
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(context), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="revu-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the revu server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", database, keyring)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A revu server in BYOK mode."""
    with serving(tmp_path_factory.mktemp("revu-browser"), FixedMode(active=False)) as server:
        yield server


FIXED_ENV_KEY = "sk-fixedbrowser0123456789abcdef-f1x3"


@pytest.fixture(scope="package")
def fixed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A revu server in Fixed Mode: the environment sets Kimi K2.6 on the Kimi Code Plan."""
    env = {
        "REVU_LLM_PROVIDER": "moonshot",
        "REVU_LLM_PLAN": "code",
        "MOONSHOT_API_KEY": FIXED_ENV_KEY,
    }
    fixed = FixedMode.from_env(env, None, catalog=BUILTIN_CATALOG)
    with serving(tmp_path_factory.mktemp("revu-browser-fixed"), fixed) as server:
        yield server


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (never a downloaded browser). Package-scoped: while
    Playwright's sync API runs, this thread has a running event loop, which the async tests of
    other packages must not find."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context and page; a screenshot in artifacts/ when the test fails."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        opened.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
