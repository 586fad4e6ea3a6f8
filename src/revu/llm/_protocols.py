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
from typing import Any, Protocol, cast

import httpx2
import openai

from revu import USER_AGENT
from revu.catalog import Wire
from revu.llm._classify import Refusal, classify, retry_after_from, timed_out, unreachable
from revu.llm._errors import LLMError, ModelNotFound, Transient
from revu.llm._types import Slot, Usage

MODELS_TIMEOUT_S = 10.0

ErrorTypes = tuple[type[Exception], ...]


class _ErrorAnswer(Protocol):
    """What both SDKs' error answers carry."""

    body: object
    response: httpx2.Response


@dataclass(frozen=True)
class Answer:
    """What one successful call returned, before pricing."""

    content: str
    reasoning: str | None
    finish_reason: str | None
    usage: Usage


class ChatProtocol(ABC):
    """One wire dialect bound to one slot's endpoint and key.

    Each SDK raises the same shape of exceptions under its own classes; an adapter names its
    SDK's (the more specific caught first), so this module needs only the SDK it adapts.
    """

    status_errors: ErrorTypes = (openai.APIStatusError,)  # an error answer
    # timeouts included; httpx2's own errors can surface as they are while a stream is read
    connection_errors: ErrorTypes = (openai.APIConnectionError, httpx2.TransportError)
    api_errors: ErrorTypes = (openai.APIError,)  # e.g. an error event inside a stream
    timeout_errors: ErrorTypes = (openai.APITimeoutError, httpx2.TimeoutException)

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
        except self.status_errors as exc:
            answered = cast(_ErrorAnswer, exc)
            response = answered.response
            refusal = _refusal(
                response.status_code, answered.body, response.headers, _location(response)
            )
            raise await self._refused(refusal, list_models) from None
        except self.connection_errors as exc:
            raise self._transport(exc) from None
        except self.api_errors as exc:
            refusal = _refusal(None, cast(_ErrorAnswer, exc).body, {})
            raise await self._refused(refusal, list_models) from None

    async def _refused(self, refusal: Refusal, list_models: bool) -> LLMError:
        error = classify(refusal, self.slot)
        if list_models and isinstance(error, ModelNotFound):
            with contextlib.suppress(LLMError):
                error = classify(refusal, self.slot, models=await self.list_models())
        return error

    def _transport(self, exc: BaseException) -> LLMError:
        if isinstance(exc, self.timeout_errors):
            return timed_out(self.slot, self.http.timeout.read)
        return unreachable(self.slot, exc)


def make_protocol(slot: Slot, http: httpx2.AsyncClient) -> ChatProtocol:
    """The adapter for the slot's wire."""
    if slot.wire is Wire.ANTHROPIC:
        # The anthropic SDK takes about a second to import: only slots that speak it pay that.
        from revu.llm._anthropic import AnthropicChat

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
            page = await self.client.models.list(timeout=MODELS_TIMEOUT_S)
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
