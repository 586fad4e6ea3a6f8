"""The custom JSON override: a user's object deep-merged into every request body of a slot.

A bare object belongs to the slot's provider namespace; an object whose top-level keys are all
namespaces is kept as it is. Only the active namespace reaches a request; the rest is reported.
"""

from __future__ import annotations

import copy
import json
from typing import Any

NAMESPACES = ("openaiCompatible", "openai", "anthropic")
FORBIDDEN_KEYS = ("model", "messages", "stream")
_SAMPLING_KEYS = ("temperature", "top_p", "presence_penalty", "frequency_penalty", "n")


class OverrideError(ValueError):
    """The override cannot be used; the message says why in one line."""


def parse_override(text: str, namespace: str) -> dict[str, Any] | None:
    """Parse the override text into its namespaced form (None for empty text).

    Raises OverrideError for invalid JSON, a non-object, or a forbidden key.
    """
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise OverrideError(f"is not valid JSON ({exc.msg} at {where})") from None
    return namespaced(value, namespace)


def namespaced(value: object, namespace: str) -> dict[str, Any] | None:
    """Wrap a bare object under `namespace`; keep an already namespaced one. Validates keys."""
    if not isinstance(value, dict):
        raise OverrideError('must be a JSON object, e.g. {"thinking": {"type": "disabled"}}')
    if not value:
        return None
    out = value if all(key in NAMESPACES for key in value) else {namespace: value}
    for ns, body in out.items():
        if not isinstance(body, dict):
            raise OverrideError(f"the {ns!r} namespace must hold a JSON object")
        refused = [key for key in FORBIDDEN_KEYS if key in body]
        if refused:
            raise OverrideError(
                f"cannot override {', '.join(repr(k) for k in refused)}: revu sets "
                "model, messages and stream itself"
            )
    return copy.deepcopy(out)


def unreached(override: dict[str, Any] | None, namespace: str) -> list[str]:
    """Warnings for override parts that reach no request of a slot speaking `namespace`."""
    if not override:
        return []
    return [
        f"override keys under {ns!r} ({', '.join(sorted(body))}) reach no request: this slot's "
        f"provider reads {namespace!r}"
        for ns, body in override.items()
        if ns != namespace
    ]


def sampling_conflicts(override: dict[str, Any] | None, namespace: str) -> list[str]:
    """Sampling keys the override sets (to warn about on fixed-sampling models)."""
    if not override:
        return []
    body = override.get(namespace, {})
    return [key for key in _SAMPLING_KEYS if key in body]


def merge_into(body: dict[str, Any], override: dict[str, Any] | None, namespace: str) -> None:
    """Deep-merge the active namespace of `override` into `body` in place.

    Objects merge key by key; anything else replaces; a JSON null removes the key.
    """
    if not override or namespace not in override:
        return
    _merge(body, override[namespace])


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
