"""Delivering an admitted completion over HTTP: latency, streaming, drops, hangs, billing."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from revu_emulator import _errors as errors
from revu_emulator._accounts import Account
from revu_emulator._completion import CompletionPlan, Reply
from revu_emulator._faults import Fault
from revu_emulator._runtime import Runtime, Usage

# Set by a response that cuts its connection on purpose (drop fault), so the server's
# "returned without completing response" log line is silenced for that request only.
deliberate_drop: ContextVar[bool] = ContextVar("deliberate_drop", default=False)


class Shutdown:
    """Lets a stopping server end calls that are still waiting (set from any thread)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def event(self) -> asyncio.Event:
        """The event, bound to the running (server) loop on first use."""
        if self._event is None:
            self._loop, self._event = asyncio.get_running_loop(), asyncio.Event()
        return self._event

    def trigger(self) -> None:
        if self._loop is not None and self._event is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)


class DisconnectWatch:
    """Sleeps that end early when the client goes away (so a dropped client frees its slot)
    or when the server stops."""

    def __init__(self, receive: Receive, shutdown: Shutdown) -> None:
        self.shutting_down = False
        self._task = asyncio.ensure_future(self._watch(receive, shutdown.event()))

    async def _watch(self, receive: Receive, closing: asyncio.Event) -> None:
        async def disconnected() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        waits = {asyncio.ensure_future(disconnected()), asyncio.ensure_future(closing.wait())}
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        self.shutting_down = closing.is_set()

    async def sleep(self, seconds: float) -> bool:
        """Wait; False if the client disconnected or the server is stopping."""
        if self._task.done():
            return False
        if seconds > 0:
            done, _ = await asyncio.wait({self._task}, timeout=seconds)
            return not done
        return True

    def close(self) -> None:
        self._task.cancel()


@dataclass(frozen=True)
class Call:
    """One admitted chat call and everything needed to answer and account for it."""

    runtime: Runtime
    account: Account
    plan: CompletionPlan
    reply: Reply
    usage: Usage
    fault: Fault | None
    ttft_s: float
    output_s_per_token: float
    shutdown: Shutdown
    record: Callable[..., None]  # records the request with its final status


def _sse(data: dict[str, Any] | str) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {text}\n\n".encode()


def _pieces(text: str, chunk_tokens: int) -> list[str]:
    size = chunk_tokens * 4
    return [text[i : i + size] for i in range(0, len(text), size)]


class CompletionResponse(Response):
    """An ASGI response that plays one call out in time and frees its slot however it ends."""

    def __init__(self, call: Call) -> None:
        super().__init__(status_code=200)
        self.call = call
        self.finished = False
        self.started = False
        self.created = int(time.time())
        self.id = f"chatcmpl-{uuid.uuid4().hex[:24]}"

    def finish(self, status: int, error_type: str | None = None, *, billed: bool = False) -> None:
        """Record, bill and release exactly once, before the last bytes go out."""
        if self.finished:
            return
        self.finished = True
        if status == 200 and not billed:
            deliberate_drop.set(True)  # the connection is about to be cut on purpose
        call = self.call
        if billed:
            call.runtime.bill(call.account, call.usage)
        call.record(
            status=status,
            error_type=error_type,
            fault=call.fault,
            usage=call.usage if billed else None,
        )
        call.runtime.leave(call.account)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = DisconnectWatch(receive, self.call.shutdown)

        async def tracked(message: Message) -> None:
            self.started = self.started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._play(watch, tracked)
            if watch.shutting_down and not self.finished:
                if self.started:
                    self.finish(200)  # cut mid-answer, quietly
                else:
                    error = errors.shutting_down()
                    self.finish(error.status, error.type)
                    await _send_json(send, error.status, error.body(), error.headers)
        finally:
            watch.close()
            if not self.finished:  # client went away or the task was cancelled
                self.finish(499)  # nginx's "client closed request"

    async def _play(self, watch: DisconnectWatch, send: Send) -> None:
        call = self.call
        if call.fault == "hang":
            if await watch.sleep(call.runtime.config.hang_s):
                error = errors.gateway_timeout(call.runtime.config.hang_s)
                self.finish(error.status, error.type)
                await _send_json(send, error.status, error.body(), error.headers)
            return
        if not await watch.sleep(call.ttft_s):
            return
        if call.plan.stream:
            await self._stream(watch, send)
        else:
            await self._whole(watch, send)

    def _message(self) -> dict[str, Any]:
        reply = self.call.reply
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.reasoning is not None:
            message["reasoning_content"] = reply.reasoning
        return message

    async def _whole(self, watch: DisconnectWatch, send: Send) -> None:
        call = self.call
        if not await watch.sleep(call.reply.completion_tokens * call.output_s_per_token):
            return
        body = json.dumps(
            {
                "id": self.id,
                "object": "chat.completion",
                "created": self.created,
                "model": call.plan.model.id,
                "choices": [
                    {
                        "index": 0,
                        "message": self._message(),
                        "finish_reason": call.reply.finish_reason,
                    }
                ],
                "usage": call.usage.to_json(),
            },
            ensure_ascii=False,
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if call.fault == "drop_stream":
            # Promise the whole body, send half, and stop: the server closes the connection.
            self.finish(200)
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            return
        self.finish(200, billed=True)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.call.plan.model.id,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    async def _stream(self, watch: DisconnectWatch, send: Send) -> None:
        call = self.call
        reply = call.reply
        chunk_tokens = call.runtime.config.stream_chunk_tokens
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        deltas += [{"reasoning_content": p} for p in _pieces(reply.reasoning or "", chunk_tokens)]
        deltas += [{"content": p} for p in _pieces(reply.content, chunk_tokens)]
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        drop_after = max(1, len(deltas) // 2) if call.fault == "drop_stream" else None
        per_chunk_s = chunk_tokens * call.output_s_per_token
        for index, delta in enumerate(deltas):
            if drop_after is not None and index == drop_after:
                self.finish(200)
                return
            if index and not await watch.sleep(per_chunk_s):
                return
            await send(
                {"type": "http.response.body", "body": _sse(self._chunk(delta)), "more_body": True}
            )
        if drop_after is not None:
            self.finish(200)
            return
        final = self._chunk({}, reply.finish_reason)
        final["choices"][0]["usage"] = call.usage.to_json()  # Moonshot puts usage in the choice
        tail = _sse(final)
        if call.plan.include_usage:
            tail += _sse({**self._chunk({}), "choices": [], "usage": call.usage.to_json()})
        tail += _sse("[DONE]")
        self.finish(200, billed=True)
        await send({"type": "http.response.body", "body": tail, "more_body": False})


async def _send_json(send: Send, status: int, payload: Any, extra: dict[str, str]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in extra.items()]
    start: Message = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})
