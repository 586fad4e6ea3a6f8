"""Request bodies per wire: reasoning level, JSON mode, output budget, then the user's override.

The body is a plain JSON object built here in full, so that the override can reach any key and
the protocol adapters stay thin.
"""

from __future__ import annotations

from typing import Any

from revu.catalog import Model, ModelProfile, Thinking, ThinkingStyle, Wire
from revu.llm._override import merge_into
from revu.llm._types import ChatRequest, Slot

# Reasoning counts against max_tokens: MOONSHOT.md asks for at least 16,000 when thinking.
_THINKING_DEFAULT_TOKENS = 32_768
_PLAIN_DEFAULT_TOKENS = 8_192
ANTHROPIC_BUDGETS = {Thinking.LOW: 5_000, Thinking.MEDIUM: 15_000, Thinking.HIGH: 40_000}
_ANTHROPIC_MIN_BUDGET = 1_024  # the smallest budget Anthropic accepts
_ANTHROPIC_ANSWER_ROOM = 16_000


def thinks(profile: ModelProfile, level: Thinking) -> bool:
    """Whether a call at `level` spends output tokens on reasoning."""
    if profile.thinking is ThinkingStyle.ALWAYS:
        return True
    if profile.thinking is ThinkingStyle.NONE:
        return False
    if level is Thinking.OFF:
        return profile.thinking is ThinkingStyle.REASONING_EFFORT and bool(profile.effort_when_off)
    return True


def default_max_tokens(model: Model, level: Thinking) -> int:
    """The output budget the gateway asks for when the caller names none."""
    if model.profile.thinking is ThinkingStyle.BUDGET and level is not Thinking.OFF:
        budget = min(ANTHROPIC_BUDGETS[level], model.max_output - _ANTHROPIC_MIN_BUDGET)
        return min(model.max_output, budget + _ANTHROPIC_ANSWER_ROOM)
    if thinks(model.profile, level):
        return min(model.max_output, _THINKING_DEFAULT_TOKENS)
    return min(model.max_output, _PLAIN_DEFAULT_TOKENS)


def build_body(
    slot: Slot,
    model: Model,
    namespace: str,
    request: ChatRequest,
    *,
    thinking: Thinking | None = None,
) -> dict[str, Any]:
    """The full JSON body for `request` on `slot` (thinking: overrides the slot's level)."""
    level = slot.thinking if thinking is None else thinking
    max_tokens = request.max_tokens or default_max_tokens(model, level)
    if slot.wire is Wire.ANTHROPIC:
        body = _anthropic_body(slot, model, request, level, max_tokens)
    else:
        body = _openai_body(slot, model, request, level, max_tokens)
    merge_into(body, slot.override, namespace)
    return body


def _openai_body(
    slot: Slot, model: Model, request: ChatRequest, level: Thinking, max_tokens: int
) -> dict[str, Any]:
    profile = model.profile
    body: dict[str, Any] = {
        "model": slot.model,
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        profile.max_tokens_field: max_tokens,
    }
    # Sampling is never sent: fixed-sampling models refuse anything but their own values,
    # and the others' defaults suit reviews.
    style = profile.thinking
    if style is ThinkingStyle.TOGGLE:
        if level is not Thinking.OFF:
            body["thinking"] = {"type": "enabled"}
        elif profile.send_thinking_off:
            body["thinking"] = {"type": "disabled"}
    elif style is ThinkingStyle.REASONING_EFFORT:
        effort = profile.effort_when_off if level is Thinking.OFF else level.value
        if effort:
            body["reasoning_effort"] = effort
    elif style is ThinkingStyle.OPENROUTER:
        if level is not Thinking.OFF:
            body["reasoning"] = {"effort": level.value}
        elif profile.send_thinking_off:
            body["reasoning"] = {"enabled": False}
    if request.json_mode and profile.json_mode:
        body["response_format"] = {"type": "json_object"}
    if request.stream:
        body["stream"] = True
        if profile.stream_usage_option:
            body["stream_options"] = {"include_usage": True}
    return body


def _anthropic_body(
    slot: Slot, model: Model, request: ChatRequest, level: Thinking, max_tokens: int
) -> dict[str, Any]:
    system = "\n\n".join(m.content for m in request.messages if m.role == "system")
    body: dict[str, Any] = {
        "model": slot.model,
        "messages": [
            {"role": m.role, "content": m.content} for m in request.messages if m.role != "system"
        ],
        "max_tokens": max_tokens,
    }
    if system:
        body["system"] = system
    if model.profile.thinking is ThinkingStyle.BUDGET and level is not Thinking.OFF:
        # Anthropic wants max_tokens above the budget; a caller's small max_tokens wins.
        budget = min(ANTHROPIC_BUDGETS[level], max_tokens - _ANTHROPIC_MIN_BUDGET)
        if budget >= _ANTHROPIC_MIN_BUDGET:
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
    if request.stream:
        body["stream"] = True
    return body
