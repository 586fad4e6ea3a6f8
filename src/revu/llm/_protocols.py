"""How revu talks: thin adapters over the official SDKs, one per wire.

Each adapter sends a body built by `_request.py`, reads the answer (content, reasoning, usage)
and turns every SDK or transport failure into revu's taxonomy. SDK retries are off: revu's
gateway owns the retry policy.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

import anthropic
import httpx2
import openai
from anthropic.types import Message as AnthropicMessage

from revu import USER_AGENT
from revu.catalog import Wire
from revu.llm._classify import Refusal, classify, retry_after_from, timed_out, unreachable
from revu.llm._errors import LLMError, ModelNotFound, Transient
from revu.llm._types import Slot, Usage

_MODELS_TIMEOUT = 10.0

# Both SDKs share one exception shape; the more specific classes are caught first.
_STATUS_ERRORS = (openai.APIStatusError, anthropic.APIStatusError)  # an error answer
_CONNECTION_ERRORS = (
    openai.APIConnectionError,  # timeouts included
    anthropic.APIConnectionError,
    httpx2.TransportError,  # e.g. raised as it is while a stream is read
)
_API_ERRORS = (openai.APIError, anthropic.APIError)  # e.g. an error event inside a stream


@dataclass(frozen=True)
class Answer:
    """What one successful call returned, before pricing."""

    content: str
    reasoning: str | None
    finish_reason: str | None
    usage: Usage


class ChatProtocol(ABC):
    """One wire dialect bound to one slot's endpoint and key."""

    def __init__(self, slot: Slot, http: httpx2.AsyncClient) -> None:
        self.slot = slot
        self.http = http

    @abstractmethod
    async def send(self, body: dict[str, Any]) -> Answer:
        """Send one request body; raises LLMError."""

    @abstractmethod
    async def list_models(self) -> list[str]:
        """The model ids the endpoint lists (GET /models); raises LLMError."""

    async def aclose(self) -> None:
        await self.http.aclose()

    @contextlib.asynccontextmanager
    async def _failures(self, *, list_models: bool = True) -> AsyncIterator[None]:
        """Raise revu's error for whatever the SDK or the transport raises inside.

        `list_models`: a ModelNotFound hint may list what the endpoint serves (one more
        request); off while listing them.
        """
        try:
            yield
        except _STATUS_ERRORS as exc:
            refusal = _refusal(
                exc.status_code, exc.body, exc.response.headers, _location(exc.response)
            )
            raise await self._refused(refusal, list_models) from None
        except _CONNECTION_ERRORS as exc:
            raise self._transport(exc) from None
        except _API_ERRORS as exc:
            raise await self._refused(_refusal(None, exc.body, {}), list_models) from None

    async def _refused(self, refusal: Refusal, list_models: bool) -> LLMError:
        error = classify(refusal, self.slot)
        if list_models and isinstance(error, ModelNotFound):
            with contextlib.suppress(LLMError):
                error = classify(refusal, self.slot, models=await self.list_models())
        return error

    def _transport(self, exc: BaseException) -> LLMError:
        timeouts = (openai.APITimeoutError, anthropic.APITimeoutError, httpx2.TimeoutException)
        if isinstance(exc, timeouts):
            return timed_out(self.slot, self.http.timeout.read)
        return unreachable(self.slot, exc)


def make_protocol(slot: Slot, http: httpx2.AsyncClient) -> ChatProtocol:
    """The adapter for the slot's wire."""
    if slot.wire is Wire.ANTHROPIC:
        return AnthropicChat(slot, http)
    return OpenAIChat(slot, http)


def _location(response: httpx2.Response) -> str | None:
    """A redirect's target made absolute (revu follows none; the diagnosis names it)."""
    raw = response.headers.get("location")
    if not raw or not response.is_redirect:
        return None
    try:
        return str(response.request.url.join(raw))
    except (RuntimeError, ValueError):  # no request attached, or not a URL
        return raw


def _refusal(
    status: int | None, body: object, headers: Mapping[str, str], location: str | None = None
) -> Refusal:
    error = body.get("error", body) if isinstance(body, Mapping) else None
    if isinstance(error, Mapping):
        etype = error.get("type")
        message = error.get("message")
    else:
        etype, message = None, body if isinstance(body, str) else None
    text = str(message) if message else ""
    return Refusal(
        status=status,
        error_type=str(etype) if etype else None,
        message=text,
        retry_after=retry_after_from(headers, text),
        location=location,
    )


class OpenAIChat(ChatProtocol):
    """Moonshot, OpenRouter, OpenAI and any OpenAI-compatible endpoint, via `openai.AsyncOpenAI`."""

    def __init__(self, slot: Slot, http: httpx2.AsyncClient) -> None:
        super().__init__(slot, http)
        self.client = openai.AsyncOpenAI(
            api_key=slot.api_key or "no-key",
            base_url=slot.base_url,
            http_client=http,
            timeout=http.timeout,
            max_retries=0,
            default_headers={"User-Agent": USER_AGENT},  # the SDK's own UA would replace it
        )

    async def send(self, body: dict[str, Any]) -> Answer:
        rest = dict(body)
        model, messages, stream = rest.pop("model"), rest.pop("messages"), rest.pop("stream", False)
        async with self._failures():
            if stream:
                return await self._stream(model, messages, rest)
            completion = await self.client.chat.completions.create(
                model=model, messages=cast(Any, messages), extra_body=rest
            )
        if not completion.choices:
            raise Transient(
                "the answer had no choices",
                hint="the provider sent an empty answer; revu retries",
                slot=self.slot.name,
                provider=self.slot.provider,
            )
        choice = completion.choices[0]
        extra = choice.message.model_extra or {}
        return Answer(
            content=choice.message.content or "",
            reasoning=extra.get("reasoning_content") or None,
            finish_reason=choice.finish_reason,
            usage=_openai_usage(completion.usage.model_dump() if completion.usage else None),
        )

    async def _stream(self, model: str, messages: Any, rest: dict[str, Any]) -> Answer:
        stream = await self.client.chat.completions.create(
            model=model, messages=messages, stream=True, extra_body=rest
        )
        content: list[str] = []
        reasoning: list[str] = []
        finish: str | None = None
        usage: dict[str, Any] | None = None
        async with stream:
            async for chunk in stream:
                if chunk.usage is not None:  # OpenAI: a last chunk with usage and no choices
                    usage = chunk.usage.model_dump()
                for choice in chunk.choices[:1]:
                    extra = choice.delta.model_extra or {}
                    if choice.delta.content:
                        content.append(choice.delta.content)
                    if extra.get("reasoning_content"):
                        reasoning.append(str(extra["reasoning_content"]))
                    finish = choice.finish_reason or finish
                    # Moonshot: usage sits inside the final choice
                    choice_usage = (choice.model_extra or {}).get("usage")
                    if isinstance(choice_usage, dict):
                        usage = choice_usage
        if finish is None:
            raise Transient(
                "the stream ended before the answer was complete",
                hint="the connection broke off mid-answer; revu retries",
                slot=self.slot.name,
                provider=self.slot.provider,
            )
        return Answer("".join(content), "".join(reasoning) or None, finish, _openai_usage(usage))

    async def list_models(self) -> list[str]:
        async with self._failures(list_models=False):
            page = await self.client.models.list(timeout=_MODELS_TIMEOUT)
        return sorted(m.id for m in page.data)


def _openai_usage(raw: Mapping[str, Any] | None) -> Usage:
    if not raw:
        return Usage(calls=1)
    prompt_details = raw.get("prompt_tokens_details") or {}
    output_details = raw.get("completion_tokens_details") or {}
    cached = raw.get("cached_tokens") or prompt_details.get("cached_tokens") or 0
    return Usage(
        calls=1,
        input_tokens=int(raw.get("prompt_tokens") or 0),
        cached_tokens=int(cached),
        output_tokens=int(raw.get("completion_tokens") or 0),
        reasoning_tokens=int(output_details.get("reasoning_tokens") or 0),
    )


class AnthropicChat(ChatProtocol):
    """Anthropic's Messages API, via `anthropic.AsyncAnthropic`."""

    def __init__(self, slot: Slot, http: httpx2.AsyncClient) -> None:
        super().__init__(slot, http)
        self.client = anthropic.AsyncAnthropic(
            api_key=slot.api_key or "no-key",
            base_url=slot.base_url,
            http_client=http,
            timeout=http.timeout,
            max_retries=0,
            default_headers={"User-Agent": USER_AGENT},
        )

    async def send(self, body: dict[str, Any]) -> Answer:
        rest = dict(body)
        model, messages = rest.pop("model"), rest.pop("messages")
        max_tokens, stream = rest.pop("max_tokens"), rest.pop("stream", False)
        message: AnthropicMessage
        async with self._failures():
            if stream:
                async with self.client.messages.stream(
                    model=model, messages=messages, max_tokens=max_tokens, extra_body=rest
                ) as events:
                    message = await events.get_final_message()
            else:
                message = await self.client.messages.create(
                    model=model, messages=messages, max_tokens=max_tokens, extra_body=rest
                )
        text = "".join(b.text for b in message.content if b.type == "text")
        thought = "".join(b.thinking for b in message.content if b.type == "thinking")
        u = message.usage
        cached = u.cache_read_input_tokens or 0
        written = u.cache_creation_input_tokens or 0
        return Answer(
            content=text,
            reasoning=thought or None,
            finish_reason=message.stop_reason,
            usage=Usage(
                calls=1,
                input_tokens=u.input_tokens + cached + written,
                cached_tokens=cached,
                output_tokens=u.output_tokens,
            ),
        )

    async def list_models(self) -> list[str]:
        async with self._failures(list_models=False):
            page = await self.client.models.list(timeout=_MODELS_TIMEOUT)
        return sorted(m.id for m in page.data)
