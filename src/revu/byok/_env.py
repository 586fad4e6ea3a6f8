"""Settings from the environment and `.env`: the Fixed Mode routing (docs/configuration.md).

`REVU_LLM_*` configures the main slot and `REVU_FALLBACK_*` the fallback. An empty variable
counts as unset. Every refusal is a `SettingsError` whose message names the variable to fix,
and `env_hint` / `env_diagnosis` word a gateway error's fixes as the variables to set.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values

from revu.catalog import BUILTIN_CATALOG, Catalog, CatalogError, Provider, Thinking, load_catalog
from revu.llm import (
    Limiter,
    LLMError,
    OverrideError,
    Routing,
    SettingFix,
    Slot,
    SlotName,
    limiter_for,
    parse_override,
)

_PREFIX = {"main": "REVU_LLM_", "fallback": "REVU_FALLBACK_"}
_FIELDS = (
    "PROVIDER",
    "PLAN",
    "MODEL",
    "API_KEY",
    "BASE_URL",
    "MAX_CONCURRENT",
    "RPM",
    "TPM",
    "THINKING",
    "OVERRIDE_JSON",
)
DEFAULT_PROVIDER = "moonshot"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line naming the variable."""


def read_environment(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> dict[str, str]:
    """The process environment over the `.env` file (the environment wins), empty values dropped."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        for name, value in dotenv_values(env_file).items():
            if value is not None:
                merged[name] = value
    merged.update(environ if environ is not None else os.environ)
    return {k: v.strip() for k, v in merged.items() if v is not None and v.strip()}


def limiter_from_env(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Limiter:
    """The process's limiter: shared through Redis when `REVU_REDIS_URL` is set, else local.

    Build one per process and pass it to every Gateway, so all of the process's calls (and,
    on Redis, every other process's) count against the same caps.
    """
    return limiter_for(read_environment(environ, env_file).get("REVU_REDIS_URL"))


def fixed_mode(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> bool:
    """Fixed Mode: REVU_LLM_PROVIDER is set, so one global configuration serves everyone."""
    return "REVU_LLM_PROVIDER" in read_environment(environ, env_file)


def routing_from_env(
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    *,
    catalog: Catalog | None = None,
) -> Routing:
    """The main and optional fallback slots the environment describes.

    Nothing set: Moonshot, Developer plan, the recommended card's model and thinking, with the
    key from MOONSHOT_API_KEY. The fallback exists when any REVU_FALLBACK_* is set; it defaults
    to the main slot's provider and plan (and base URL, when both are the same). Raises
    SettingsError naming the variable at fault.
    """
    env = read_environment(environ, env_file)
    if catalog is None:
        try:
            catalog = load_catalog()
        except CatalogError as exc:
            raise SettingsError(str(exc)) from None
    main = _slot("main", env, catalog, None)
    fallback = None
    if any(f"{_PREFIX['fallback']}{name}" in env for name in _FIELDS):
        fallback = _slot("fallback", env, catalog, main)
    return Routing(main=main, fallback=fallback)


def _slot(
    name: Literal["main", "fallback"], env: Mapping[str, str], catalog: Catalog, main: Slot | None
) -> Slot:
    prefix = _PREFIX[name]

    def get(field: str) -> str | None:
        return env.get(prefix + field)

    provider_id = get("PROVIDER") or (main.provider if main else DEFAULT_PROVIDER)
    provider = catalog.provider(provider_id)
    if provider is None:
        raise SettingsError(
            f"{prefix}PROVIDER={provider_id!r} is not a known provider: use one of "
            f"{', '.join(catalog.provider_ids)} (or add yours to providers.toml)"
        )
    plan_id = _plan(prefix, get("PLAN"), provider, main)
    plan = provider.plan(plan_id)
    assert plan is not None  # _plan checked it

    model = get("MODEL") or catalog.default_model(provider.id, plan_id)
    if not model:
        raise SettingsError(f"{prefix}MODEL is not set: {provider.label} needs a model id")
    inherited = (
        main.base_url if main and (main.provider, main.plan) == (provider.id, plan_id) else ""
    )
    base_url = get("BASE_URL") or inherited or plan.base_url
    if not base_url:
        raise SettingsError(f"{prefix}BASE_URL is not set: {provider.label} needs the endpoint URL")
    if not base_url.startswith(("http://", "https://")):
        raise SettingsError(
            f"{prefix}BASE_URL={base_url!r} is not a URL: it must start with https:// or http://"
        )
    api_key = _api_key(prefix, env, provider)
    thinking_text = get("THINKING")
    if thinking_text is None:
        thinking = catalog.default_thinking(provider.id, model, plan_id)
    else:
        try:
            thinking = Thinking(thinking_text.lower())
        except ValueError:
            raise SettingsError(
                f"{prefix}THINKING={thinking_text!r} is not a level: use off, low, medium or high"
            ) from None
    override = None
    override_text = get("OVERRIDE_JSON")
    if override_text is not None:
        try:
            override = parse_override(override_text, provider.namespace)
        except OverrideError as exc:
            raise SettingsError(f"{prefix}OVERRIDE_JSON {exc}") from None
    return Slot(
        name=name,
        provider=provider.id,
        wire=provider.wire,
        base_url=base_url.rstrip("/"),
        model=model,
        api_key=api_key,
        plan=plan_id if len(provider.plans) > 1 else None,
        max_concurrent=_limit(prefix, "MAX_CONCURRENT", get) or plan.max_concurrent,
        rpm=_limit(prefix, "RPM", get) or plan.rpm,
        tpm=_limit(prefix, "TPM", get) or plan.tpm,
        thinking=thinking,
        override=override,
    )


def _plan(prefix: str, given: str | None, provider: Provider, main: Slot | None) -> str:
    if given is None:
        if main is not None and main.provider == provider.id and main.plan:
            return main.plan
        return provider.default_plan.id
    plan_id = given.lower()
    if provider.plan(plan_id) is None:
        choices = ", ".join(p.id for p in provider.plans)
        if len(provider.plans) == 1:
            raise SettingsError(
                f"{prefix}PLAN={given!r}: {provider.label} has no plans (only moonshot does); "
                "unset it"
            )
        raise SettingsError(f"{prefix}PLAN={given!r} is not a plan of {provider.id}: use {choices}")
    return plan_id


def _api_key(prefix: str, env: Mapping[str, str], provider: Provider) -> str:
    source = prefix + "API_KEY"
    key = env.get(source)
    if key is None and provider.key_env:
        source = provider.key_env
        key = env.get(source)
    if key is None:
        if not provider.key_required:
            return ""
        usual = f" or {provider.key_env}" if provider.key_env else ""
        raise SettingsError(f"no API key for {provider.label}: set {prefix}API_KEY{usual}")
    if any(ch.isspace() for ch in key):
        raise SettingsError(f"{source} contains spaces: paste the key alone")
    return key


def setting_variable(slot: SlotName, setting: str) -> str:
    """The variable that sets a slot field: `REVU_LLM_PLAN`, `REVU_FALLBACK_MODEL`..."""
    return _PREFIX[slot] + setting.upper()


def env_hint(
    hint: str,
    fixes: Sequence[SettingFix],
    slot: str | None,
    provider: str | None = None,
    *,
    catalog: Catalog | None = None,
) -> str:
    """A context-free hint as a person configuring revu through the environment reads it: the
    hint, then the variables to set ("...; set REVU_LLM_PLAN=code")."""
    if not fixes:
        return hint
    failed: SlotName = "fallback" if slot == "fallback" else "main"
    names = [_variable(fix, fix.slot or failed, provider, catalog) for fix in fixes]
    then = "set " + " or ".join(dict.fromkeys(names))
    return f"{hint}; {then}" if hint else then


def env_diagnosis(error: LLMError, *, catalog: Catalog | None = None) -> str:
    """`error.diagnosis()` with each slot's fixes worded as the variables to set (the CLI's)."""
    return error.diagnosis(lambda e: env_hint(e.hint, e.fixes, e.slot, e.provider, catalog=catalog))


def _variable(
    fix: SettingFix, slot: SlotName, provider: str | None, catalog: Catalog | None
) -> str:
    name = setting_variable(slot, fix.setting)
    if fix.value is not None:
        return f"{name}={fix.value}"
    if fix.setting == "api_key" and provider is not None:
        known = (catalog or _catalog()).provider(provider)
        if known is not None and known.key_env:
            return f"{name} (or {known.key_env})"
    return name


def _catalog() -> Catalog:
    """The user's catalog (their providers name key variables too), else the built-in one."""
    try:
        return load_catalog()
    except CatalogError:
        return BUILTIN_CATALOG


def _limit(prefix: str, field: str, get: Callable[[str], str | None]) -> int | None:
    raw = get(field)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise SettingsError(f"{prefix}{field}={raw!r} must be a positive whole number (or empty)")
    return value
