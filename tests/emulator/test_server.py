"""EmulatorServer's lifecycle: a stop does not wait for hung calls, and answers them."""

from __future__ import annotations

import threading
import time

import openai

from revu_emulator import EmulatorClient, EmulatorServer


def test_stop_answers_waiting_calls_503_quickly() -> None:
    with EmulatorServer(port=0, seed=1) as server:
        emulator = EmulatorClient(server.url)
        emulator.configure(faults={"hang": 1.0})
        client = openai.OpenAI(
            base_url=emulator.base_url("china"), api_key="sk-emulator-china", max_retries=0
        )
        outcome: list[BaseException] = []

        def call() -> None:
            try:
                client.chat.completions.create(
                    model="kimi-k2.5", messages=[{"role": "user", "content": "hi"}]
                )
            except openai.APIError as error:
                outcome.append(error)

        caller = threading.Thread(target=call)
        caller.start()
        while not emulator.stats()["in_flight"]:
            time.sleep(0.01)
        started = time.monotonic()
        server.stop()
        stopped_after = time.monotonic() - started
        caller.join(5)
    assert stopped_after < 1.0
    assert len(outcome) == 1 and isinstance(outcome[0], openai.InternalServerError)
    assert outcome[0].status_code == 503
    assert isinstance(outcome[0].body, dict) and outcome[0].body["type"] == "server_error"
