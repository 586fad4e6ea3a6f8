"""The probe behind `revu test`: one tiny real call, latency or a diagnosis with the model list."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from revu.catalog import Thinking
from revu.llm import PROBE_MAX_TOKENS, SettingFix, probe
from revu_emulator import EmulatorClient

from .conftest import SlotFactory

Redirector = Callable[[int, str], str]


@pytest.fixture
def redirector() -> Iterator[Redirector]:
    """Start a real HTTP server on 127.0.0.1 that answers every request with one redirect;
    returns its base URL. Every server started is stopped at the end of the test."""
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(status: int, location: str) -> str:
        class Redirect(BaseHTTPRequestHandler):
            timeout = 5  # a stuck client cannot hold a handler thread for long

            def _answer(self) -> None:
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass  # keep the test output clean

        server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}/v1"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def test_probe_succeeds_with_a_tiny_call_without_thinking(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    result = await probe(make_slot(thinking=Thinking.HIGH))
    assert result.ok and result.error_kind is None
    assert result.latency_s > 0 and result.thinking == "high"
    (request,) = emulator.requests()
    assert request["body"]["max_tokens"] == PROBE_MAX_TOKENS
    assert request["body"]["thinking"] == {"type": "disabled"}


async def test_probe_diagnoses_a_mismatched_key(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    result = await probe(make_slot("code", key="sk-emulator-developer"))
    assert not result.ok
    assert result.error_kind == "EndpointMismatch"
    assert "not a Kimi Code key" in result.hint
    assert SettingFix("plan", "developer") in result.fixes
    assert result.to_json()["fixes"][0] == {"setting": "plan", "value": "developer", "slot": None}
    assert len(emulator.requests()) == 2  # no retries: the call, then GET /models


async def test_probe_lists_models_when_the_model_is_wrong(make_slot: SlotFactory) -> None:
    result = await probe(make_slot(model="kimi-k2.6-typo"))
    assert result.error_kind == "ModelNotFound"
    assert "kimi-k2.6" in result.models and "kimi-k2.6" in result.hint


async def test_probe_gives_up_after_its_timeout(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.configure(faults={"hang": 1.0}, hang_s=30.0)
    result = await probe(make_slot(), timeout_s=0.3)
    assert not result.ok and result.error_kind == "Timeout"
    assert result.latency_s < 5


async def test_probe_accepts_an_answer_cut_short_by_reasoning(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    # kimi-k2-thinking always thinks: 16 tokens are all reasoning, which still proves the path.
    result = await probe(make_slot(model="kimi-k2-thinking"))
    assert result.ok
    assert emulator.requests()[0]["status"] == 200


@pytest.mark.parametrize("status", [307, 308])
async def test_probe_does_not_follow_a_redirect(
    emulator: EmulatorClient, make_slot: SlotFactory, redirector: Redirector, status: int
) -> None:
    # A redirect could carry the key to another host: the probe names it and stops there.
    target = emulator.base_url("developer") + "/chat/completions"
    result = await probe(replace(make_slot(), base_url=redirector(status, target)))
    assert not result.ok and result.error_kind == "EndpointMismatch"
    assert result.hint == (
        f"the endpoint answered with a redirect to {target}: set the base URL to the final address"
    )
    assert result.fixes == [SettingFix("base_url")]
    assert emulator.requests() == []  # the real endpoint never saw the call (nor the key)
