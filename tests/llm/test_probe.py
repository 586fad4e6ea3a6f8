"""The probe behind `revu test`: one tiny real call, latency or a diagnosis with the model list."""

from __future__ import annotations

from revu.catalog import Thinking
from revu.llm import PROBE_MAX_TOKENS, SettingFix, probe
from revu_emulator import EmulatorClient

from .conftest import SlotFactory


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
