"""The probe behind `revu test` and the web page's Test button: one real, tiny call.

It sends at most 16 output tokens with a 15 s timeout, no retries and no redirects, and on
failure lists the endpoint's models (GET /models) so the diagnosis can name what is served.

Thinking: with thinking on, Kimi spends all 16 tokens reasoning and returns no text. The probe
therefore sends its call with thinking off (the slot's configured level is still reported),
and also counts a "length" finish with only reasoning as success: the endpoint, key and model
all answered, which is what the probe checks.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from revu.catalog import Catalog, Thinking, load_catalog
from revu.llm._errors import LLMError, SettingFix
from revu.llm._gateway import namespace_for
from revu.llm._http import http_client
from revu.llm._protocols import make_protocol
from revu.llm._request import build_body
from revu.llm._types import ChatMessage, ChatRequest, Slot

PROBE_MAX_TOKENS = 16
PROBE_TIMEOUT_S = 15.0
_PROBE_PROMPT = "Reply with the single word: ok"


@dataclass(frozen=True)
class ProbeResult:
    """What the probe found; `to_json()` is the shape of `revu test --json` and the API.

    On failure: `error_kind` (the LLMError class name), `message`, `hint` (context-free words)
    and `fixes` (the settings whose change may help, see `SettingFix`).
    """

    ok: bool
    latency_s: float
    slot: str
    provider: str
    plan: str | None
    base_url: str
    model: str
    thinking: str
    error_kind: str | None = None
    message: str = ""
    hint: str = ""
    fixes: list[SettingFix] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    reply: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def probe(
    slot: Slot, *, catalog: Catalog | None = None, timeout_s: float = PROBE_TIMEOUT_S
) -> ProbeResult:
    """Send one minimal completion on `slot` and report latency or a diagnosis. Never raises
    LLMError: failures come back as `ok=False` with the error's kind, message and hint."""
    catalog = catalog or load_catalog()
    model = catalog.model(slot.provider, slot.model, slot.plan)
    request = ChatRequest(
        messages=(ChatMessage("user", _PROBE_PROMPT),), max_tokens=PROBE_MAX_TOKENS, label="probe"
    )
    body = build_body(
        slot,
        model,
        namespace_for(slot, catalog.provider(slot.provider)),
        request,
        thinking=Thinking.OFF,
    )
    protocol = make_protocol(slot, http_client(timeout=timeout_s))
    began = time.monotonic()
    try:
        answer = await protocol.send(body)
        latency = time.monotonic() - began
    except LLMError as error:
        latency = time.monotonic() - began
        models: list[str] = []
        with contextlib.suppress(LLMError):  # a key that cannot list models still gets its hint
            models = await protocol.list_models()
        return _result(
            slot,
            ok=False,
            latency_s=latency,
            error_kind=type(error).__name__,
            message=error.message,
            hint=error.hint,
            fixes=list(error.fixes),
            models=models,
        )
    finally:
        await protocol.aclose()
    return _result(slot, ok=True, latency_s=latency, reply=answer.content.strip())


def _result(slot: Slot, *, ok: bool, latency_s: float, **found: Any) -> ProbeResult:
    return ProbeResult(
        ok=ok,
        latency_s=latency_s,
        slot=slot.name,
        provider=slot.provider,
        plan=slot.plan,
        base_url=slot.base_url,
        model=slot.model,
        thinking=slot.thinking.value,
        **found,
    )
