"""Providers a user adds without code: `providers.toml` in revu's config directory.

```toml
[providers.deepseek]
label = "DeepSeek"
base_url = "https://api.deepseek.com/v1"
key_env = "DEEPSEEK_API_KEY"        # optional; REVU_LLM_API_KEY always works
max_concurrent = 10                 # optional default limits: max_concurrent, rpm, tpm
default_model = "deepseek-chat"     # optional; else the first model below

[[providers.deepseek.models]]
id = "deepseek-chat"
context_window = 65536              # optional (default 32768)
max_output = 8192                   # optional (default 8192)
price = { cache_hit = 0.07, cache_miss = 0.27, output = 1.10 }   # optional, USD per 1M tokens
thinking = "none"                   # none | toggle | reasoning_effort | always (default: toggle,
                                    # sent only when thinking is asked for)
json_mode = true                    # optional (default true)
fixed_sampling = false              # optional (default false)
```
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from revu.catalog._model import (
    Model,
    ModelProfile,
    Plan,
    Price,
    Provider,
    Source,
    Thinking,
    ThinkingStyle,
    Wire,
)

_USER_STYLES = {
    "none": ThinkingStyle.NONE,
    "toggle": ThinkingStyle.TOGGLE,
    "reasoning_effort": ThinkingStyle.REASONING_EFFORT,
    "always": ThinkingStyle.ALWAYS,
}


class CatalogError(ValueError):
    """The user's providers file cannot be read; the message names the file and the fix."""


def config_dir() -> Path:
    """revu's config directory: REVU_CONFIG_DIR, else the platform's user config dir."""
    explicit = os.environ.get("REVU_CONFIG_DIR", "").strip()
    return Path(explicit) if explicit else Path(user_config_dir("revu"))


def providers_file(directory: Path | None = None) -> Path:
    """Where user-defined providers live."""
    return (directory or config_dir()) / "providers.toml"


def load_user_providers(path: Path, reserved: set[str]) -> tuple[Provider, ...]:
    """Read user providers from `path` (missing file: none). `reserved`: built-in ids."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise CatalogError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path} is not valid TOML: {exc}") from None
    table = data.get("providers", {})
    if not isinstance(table, dict):
        raise CatalogError(f"{path}: [providers] must be a table of providers")
    stamp = Source(url=str(path), date=date.fromtimestamp(path.stat().st_mtime).isoformat())
    out = []
    for provider_id, spec in table.items():
        where = f"{path}: [providers.{provider_id}]"
        if provider_id in reserved:
            raise CatalogError(f"{where} reuses a built-in provider id; pick another name")
        if not isinstance(spec, dict):
            raise CatalogError(f"{where} must be a table")
        out.append(_provider(provider_id, spec, stamp, where))
    return tuple(out)


def _provider(provider_id: str, spec: dict[str, Any], stamp: Source, where: str) -> Provider:
    base_url = _text(spec, "base_url", where, required=True)
    if not base_url.startswith(("http://", "https://")):
        raise CatalogError(f"{where}: base_url must start with http:// or https://")
    models_spec = spec.get("models", [])
    if not isinstance(models_spec, list):
        raise CatalogError(f"{where}: models must be an array of tables ([[...models]])")
    models = tuple(_model(m, stamp, f"{where} model {i + 1}") for i, m in enumerate(models_spec))
    default_model = _text(spec, "default_model", where) or (models[0].id if models else None)
    key_env = _text(spec, "key_env", where) or None
    return Provider(
        id=provider_id,
        label=_text(spec, "label", where) or provider_id,
        wire=Wire.OPENAI,
        namespace="openaiCompatible",
        key_env=key_env,
        plans=(
            Plan(
                id="default",
                label=_text(spec, "label", where) or provider_id,
                base_url=base_url,
                source=stamp,
                max_concurrent=_count(spec, "max_concurrent", where),
                rpm=_count(spec, "rpm", where),
                tpm=_count(spec, "tpm", where),
            ),
        ),
        models=models,
        default_profile=ModelProfile(thinking=ThinkingStyle.TOGGLE, send_thinking_off=False),
        default_context_window=32_768,
        default_max_output=8_192,
        source=stamp,
        default_model=default_model,
        key_required=key_env is not None,
        user_defined=True,
    )


def _model(spec: Any, stamp: Source, where: str) -> Model:
    if not isinstance(spec, dict):
        raise CatalogError(f"{where} must be a table")
    model_id = _text(spec, "id", where, required=True)
    style_name = _text(spec, "thinking", where) or "toggle"
    if style_name not in _USER_STYLES:
        raise CatalogError(f"{where}: thinking must be one of {', '.join(_USER_STYLES)}")
    style = _USER_STYLES[style_name]
    profile = ModelProfile(
        thinking=style,
        default_thinking=Thinking.MEDIUM if style is ThinkingStyle.ALWAYS else Thinking.OFF,
        fixed_sampling=bool(spec.get("fixed_sampling", False)),
        json_mode=bool(spec.get("json_mode", True)),
        # A model declared "toggle" takes the disabled form too; an undeclared one is only told
        # to think when the user asks, since unknown servers may refuse the field.
        send_thinking_off="thinking" in spec,
    )
    price = None
    if "price" in spec:
        p = spec["price"]
        try:
            price = Price(
                cache_hit=float(p.get("cache_hit", p["cache_miss"])),
                cache_miss=float(p["cache_miss"]),
                output=float(p["output"]),
                source=stamp,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise CatalogError(
                f"{where}: price needs numbers cache_miss and output (cache_hit optional)"
            ) from None
    return Model(
        id=model_id,
        context_window=_count(spec, "context_window", where) or 32_768,
        max_output=_count(spec, "max_output", where) or 8_192,
        profile=profile,
        source=stamp,
        price=price,
    )


def _text(spec: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = spec.get(key)
    if value is None:
        if required:
            raise CatalogError(f"{where}: {key} is required")
        return ""
    if not isinstance(value, str):
        raise CatalogError(f"{where}: {key} must be a string")
    return value.strip()


def _count(spec: dict[str, Any], key: str, where: str) -> int | None:
    value = spec.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise CatalogError(f"{where}: {key} must be a positive whole number")
    return value
