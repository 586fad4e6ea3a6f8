"""Anthropic's Messages API: the adapter for slots whose wire is `anthropic`.

Kept apart from `_protocols.py` so that the anthropic SDK is imported only when a slot
speaks it (see `make_protocol`).
"""

from __future__ import annotations

from typing import Any

import anthropic
import httpx2
from anthropic.types import Message as AnthropicMessage

from revu import USER_AGENT
from revu.llm._protocols import MODELS_TIMEOUT_S, Answer, ChatProtocol
from revu.llm._types import Slot, Usage


class AnthropicChat(ChatProtocol):
    """Anthropic's Messages API, via `anthropic.AsyncAnthropic`."""

    status_errors = (anthropic.APIStatusError,)
    connection_errors = (anthropic.APIConnectionError, httpx2.TransportError)
    api_errors = (anthropic.APIError,)
    timeout_errors = (anthropic.APITimeoutError, httpx2.TimeoutException)

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
            page = await self.client.models.list(timeout=MODELS_TIMEOUT_S)
        return sorted(m.id for m in page.data)
