"""What the gateway puts on the wire: thinking, sampling, JSON mode, output budget, overrides."""

from __future__ import annotations

from typing import Any

import pytest

from revu.byok import routing_from_env
from revu.catalog import BUILTIN_CATALOG, Thinking, Wire
from revu.llm import ChatMessage, ChatRequest, Gateway, Routing, Slot
from revu.llm._request import build_body
from revu_emulator import EmulatorClient

from .conftest import FAST, SlotFactory, ask


def last_body(emulator: EmulatorClient) -> dict[str, Any]:
    body: dict[str, Any] = emulator.requests()[-1]["body"]
    return body


async def test_default_kimi_request_thinks_and_sends_no_sampling(emulator: EmulatorClient) -> None:
    routing = routing_from_env(
        {"REVU_LLM_BASE_URL": emulator.base_url(), "MOONSHOT_API_KEY": "sk-emulator-developer"},
        env_file=None,
    )
    async with Gateway(routing, retry=FAST) as gw:
        answer = await gw.complete(ask())
    body = last_body(emulator)
    assert body["model"] == "kimi-k2.6"
    assert body["thinking"] == {"type": "enabled"}
    assert not {"temperature", "top_p", "n", "presence_penalty"} & body.keys()
    assert body["max_tokens"] >= 16_000
    assert answer.reasoning  # the emulator thinks when asked, and the SDK's extra field is read


async def test_thinking_off_disables_it(emulator: EmulatorClient) -> None:
    routing = routing_from_env(
        {
            "REVU_LLM_BASE_URL": emulator.base_url(),
            "MOONSHOT_API_KEY": "sk-emulator-developer",
            "REVU_LLM_THINKING": "off",
        },
        env_file=None,
    )
    async with Gateway(routing, retry=FAST) as gw:
        answer = await gw.complete(ask())
    assert last_body(emulator)["thinking"] == {"type": "disabled"}
    assert answer.reasoning is None


async def test_override_disables_thinking(emulator: EmulatorClient) -> None:
    routing = routing_from_env(
        {
            "REVU_LLM_BASE_URL": emulator.base_url(),
            "MOONSHOT_API_KEY": "sk-emulator-developer",
            "REVU_LLM_OVERRIDE_JSON": '{"thinking": {"type": "disabled"}}',
        },
        env_file=None,
    )
    assert routing.main.thinking is Thinking.MEDIUM  # the level says on; the override wins
    async with Gateway(routing, retry=FAST) as gw:
        answer = await gw.complete(ask())
        assert gw.warnings == []
    assert last_body(emulator)["thinking"] == {"type": "disabled"}
    assert answer.reasoning is None


async def test_override_merges_deep_into_the_body(emulator: EmulatorClient) -> None:
    routing = routing_from_env(
        {
            "REVU_LLM_BASE_URL": emulator.base_url(),
            "MOONSHOT_API_KEY": "sk-emulator-developer",
            "REVU_LLM_OVERRIDE_JSON": '{"thinking": {"keep": "all"}, "user": "ci"}',
        },
        env_file=None,
    )
    async with Gateway(routing, retry=FAST) as gw:
        answer = await gw.complete(ask())
    body = last_body(emulator)
    # Merged key by key: revu's own "type" stays beside the user's "keep".
    assert body["thinking"] == {"type": "enabled", "keep": "all"}
    assert body["user"] == "ci" and body["model"] == "kimi-k2.6"
    assert answer.reasoning


async def test_override_in_another_namespace_is_reported_not_sent(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    slot = make_slot(override={"anthropic": {"top_k": 5}, "openaiCompatible": {"user": "ci"}})
    async with Gateway(Routing(main=slot), retry=FAST) as gw:
        await gw.complete(ask())
        assert len(gw.warnings) == 1
        assert "'anthropic'" in gw.warnings[0] and "top_k" in gw.warnings[0]
    body = last_body(emulator)
    assert body["user"] == "ci" and "top_k" not in body


async def test_json_mode_and_code_plan_model(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    async with Gateway(Routing(main=make_slot("code")), retry=FAST) as gw:
        await gw.complete(ask(json_mode=True))
    body = last_body(emulator)
    assert body["model"] == "kimi-for-coding"
    assert body["response_format"] == {"type": "json_object"}
    assert "temperature" not in body
    assert emulator.requests()[-1]["headers"]["user-agent"].startswith("revu/")


async def test_instant_model_gets_no_thinking_field_and_a_modest_budget(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    slot = make_slot(model="kimi-k2-0905-preview", thinking=Thinking.OFF)
    async with Gateway(Routing(main=slot), retry=FAST) as gw:
        await gw.complete(ask())
        assert gw.max_output_tokens() == 8_192
        assert gw.context_window() == 262_144
    body = last_body(emulator)
    assert "thinking" not in body and body["max_tokens"] == 8_192


async def test_a_small_explicit_max_tokens_is_kept(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    async with Gateway(Routing(main=make_slot()), retry=FAST) as gw:
        await gw.complete(ask(max_tokens=64))
    assert last_body(emulator)["max_tokens"] == 64


async def test_streaming_reads_reasoning_and_usage(
    emulator: EmulatorClient, make_slot: SlotFactory
) -> None:
    emulator.script("stream me", "streamed answer", reasoning="first I think")
    async with Gateway(Routing(main=make_slot()), retry=FAST) as gw:
        answer = await gw.complete(ask("stream me", stream=True))
    assert answer.content == "streamed answer"
    assert answer.reasoning == "first I think"
    assert answer.usage.output_tokens > 0 and answer.usage.input_tokens > 0


def _slot(provider: str, model: str, thinking: Thinking, wire: Wire = Wire.OPENAI) -> Slot:
    return Slot(
        name="main",
        provider=provider,
        wire=wire,
        base_url="https://example.invalid/v1",
        model=model,
        api_key="k",
        thinking=thinking,
    )


def _body(slot: Slot, **kwargs: Any) -> dict[str, Any]:
    provider = BUILTIN_CATALOG.provider(slot.provider)
    assert provider is not None
    model = BUILTIN_CATALOG.model(slot.provider, slot.model)
    request = ChatRequest(
        messages=(ChatMessage("system", "rules"), ChatMessage("user", "diff")), **kwargs
    )
    return build_body(slot, model, provider.namespace, request)


@pytest.mark.parametrize(
    ("level", "effort"), [(Thinking.OFF, "minimal"), (Thinking.LOW, "low"), (Thinking.HIGH, "high")]
)
def test_openai_reasoning_models_get_reasoning_effort(level: Thinking, effort: str) -> None:
    body = _body(_slot("openai", "gpt-5", level))
    assert body["reasoning_effort"] == effort
    assert "max_tokens" not in body and body["max_completion_tokens"] > 0
    assert "temperature" not in body and "thinking" not in body


@pytest.mark.parametrize(
    ("level", "budget"), [(Thinking.LOW, 5_000), (Thinking.MEDIUM, 15_000), (Thinking.HIGH, 40_000)]
)
def test_anthropic_thinking_budgets(level: Thinking, budget: int) -> None:
    body = _body(_slot("anthropic", "claude-sonnet-4-5", level, Wire.ANTHROPIC))
    assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert body["max_tokens"] > budget
    assert body["system"] == "rules" and [m["role"] for m in body["messages"]] == ["user"]
    assert "response_format" not in _body(
        _slot("anthropic", "claude-sonnet-4-5", level, Wire.ANTHROPIC), json_mode=True
    )


def test_anthropic_off_sends_no_thinking() -> None:
    body = _body(_slot("anthropic", "claude-sonnet-4-5", Thinking.OFF, Wire.ANTHROPIC))
    assert "thinking" not in body


def test_unknown_openai_compatible_server_is_not_told_about_thinking_unless_asked() -> None:
    assert "thinking" not in _body(_slot("openai_compatible", "llama", Thinking.OFF))
    assert _body(_slot("openai_compatible", "llama", Thinking.HIGH))["thinking"] == {
        "type": "enabled"
    }


def test_override_null_removes_a_key() -> None:
    slot = Slot(
        name="main",
        provider="moonshot",
        wire=Wire.OPENAI,
        base_url="https://example.invalid/v1",
        model="kimi-k2.6",
        api_key="k",
        thinking=Thinking.MEDIUM,
        override={"openaiCompatible": {"thinking": None, "extra": {"a": {"b": 1}}}},
    )
    body = _body(slot)
    assert "thinking" not in body and body["extra"] == {"a": {"b": 1}}
