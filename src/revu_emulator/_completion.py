"""Checking a chat completion request as Moonshot does, and shaping the answer it gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revu_emulator import _errors as errors
from revu_emulator._catalog import Model, Platform, find_model
from revu_emulator._config import EmulatorConfig
from revu_emulator._scripts import Answer
from revu_emulator._tokens import (
    joined_text,
    prompt_fingerprint,
    prompt_tokens,
    text_tokens,
    truncate_to_tokens,
)

# K2.6/K2.5 fix these; any other explicit value is refused with the temperature message.
_FIXED_SAMPLING = (("top_p", 0.95), ("n", 1), ("presence_penalty", 0), ("frequency_penalty", 0))


@dataclass(frozen=True)
class CompletionPlan:
    """A request that passed every check: what to answer and how to count it."""

    model: Model
    messages: list[Any]
    stream: bool
    include_usage: bool
    thinking: bool
    prompt_tokens: int
    max_tokens: int | None
    fingerprint: bytes

    @property
    def admitted_tokens(self) -> int:
        """What TPM counts: input plus the requested max_tokens."""
        return self.prompt_tokens + (self.max_tokens or 0)


@dataclass(frozen=True)
class Reply:
    """The answer after max_tokens: reasoning spends the budget first, then content."""

    content: str
    reasoning: str | None
    finish_reason: str
    content_tokens: int
    reasoning_tokens: int

    @property
    def completion_tokens(self) -> int:
        return self.content_tokens + self.reasoning_tokens


def _thinking(model: Model, body: dict[str, Any]) -> bool:
    if model.thinking == "always":
        return True
    if model.thinking == "never":
        return False  # the field is ignored by models without thinking
    requested = body.get("thinking")
    if requested is None:
        return True
    if not isinstance(requested, dict) or requested.get("type") not in ("enabled", "disabled"):
        raise errors.invalid_request(
            'Invalid request: thinking must be {"type": "enabled"} or {"type": "disabled"}'
        )
    return bool(requested["type"] == "enabled")


def _check_sampling(platform: Platform, model: Model, body: dict[str, Any], thinking: bool) -> None:
    temperature = body.get("temperature")
    if model.fixed_sampling:
        # Strict on purpose: revu must omit these. The one value Kimi Code documents is allowed.
        if temperature is not None and not (
            platform == "code" and not thinking and temperature == 0.6
        ):
            raise errors.invalid_temperature()
        for name, fixed in _FIXED_SAMPLING:
            value = body.get(name)
            if value is not None and value != fixed:
                raise errors.invalid_temperature()
    elif temperature is not None and (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float)
        or not 0 <= temperature <= 1
    ):
        raise errors.invalid_request("invalid temperature: must be between 0 and 1")


def _check_tools(body: dict[str, Any], messages: list[Any], thinking: bool) -> None:
    choice = body.get("tool_choice")
    if choice == "required":
        raise errors.invalid_request("Invalid request: tool_choice 'required' is not supported")
    if thinking and choice is not None and choice not in ("auto", "none"):
        raise errors.invalid_request(
            "Invalid request: tool_choice must be 'auto' or 'none' when thinking is enabled"
        )
    if thinking:
        for index, message in enumerate(messages):
            if (
                message.get("role") == "assistant"
                and message.get("tool_calls")
                and not message.get("reasoning_content")
            ):
                raise errors.invalid_request(
                    "Invalid request: thinking is enabled but reasoning_content is missing "
                    f"in assistant tool call message at index {index}"
                )


def _max_tokens(body: dict[str, Any]) -> int | None:
    value = body.get("max_tokens", body.get("max_completion_tokens"))
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise errors.invalid_request("Invalid request: max_tokens must be a positive integer")
    return value


def plan_completion(platform: Platform, body: Any, config: EmulatorConfig) -> CompletionPlan:
    """Check a request body in Moonshot's order; raise the error it would answer."""
    if not isinstance(body, dict):
        raise errors.invalid_request("Invalid request: the body must be a JSON object")
    model_id = body.get("model")
    if not isinstance(model_id, str) or not model_id:
        raise errors.invalid_request("Invalid request: model is required")
    messages = body.get("messages")
    if (
        not isinstance(messages, list)
        or not messages
        or not all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages)
    ):
        raise errors.invalid_request("Invalid request: messages must be a non-empty list")
    model = find_model(platform, model_id)
    if model is None:
        raise errors.model_not_found(model_id)
    thinking = _thinking(model, body)
    _check_sampling(platform, model, body, thinking)
    _check_tools(body, messages, thinking)
    max_tokens = _max_tokens(body)
    text = joined_text(messages).lower()
    if any(phrase.lower() in text for phrase in config.content_filter_phrases if phrase):
        raise errors.content_filtered()
    tokens = prompt_tokens(messages)
    context = config.context_for(model.id, model.context)
    if tokens >= context:
        raise errors.input_too_long()
    if tokens + (max_tokens or 0) > context:
        raise errors.exceeded_token_limit(context)
    options = body.get("stream_options")
    return CompletionPlan(
        model=model,
        messages=messages,
        stream=bool(body.get("stream", False)),
        include_usage=isinstance(options, dict) and bool(options.get("include_usage")),
        thinking=thinking,
        prompt_tokens=tokens,
        max_tokens=max_tokens,
        fingerprint=prompt_fingerprint(messages),
    )


def shape_reply(plan: CompletionPlan, answer: Answer) -> Reply:
    """Apply thinking and max_tokens to a scripted answer."""
    reasoning = answer.reasoning if plan.thinking else None
    content = answer.content
    finish = answer.finish_reason
    reasoning_tokens = text_tokens(reasoning) if reasoning else 0
    content_tokens = text_tokens(content)
    budget = plan.max_tokens
    if budget is not None and reasoning_tokens + content_tokens > budget:
        finish = "length"
        if reasoning is not None and reasoning_tokens >= budget:
            reasoning, content = truncate_to_tokens(reasoning, budget), ""
        else:
            content = truncate_to_tokens(content, budget - reasoning_tokens)
        reasoning_tokens = text_tokens(reasoning) if reasoning else 0
        content_tokens = text_tokens(content)
    return Reply(content, reasoning, finish, content_tokens, reasoning_tokens)
