"""Check an organization's slot settings against the catalog, field by field.

The custom JSON override goes through the gateway's own parser, so what is accepted here is
exactly what the gateway will send. Messages never contain the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from revu.byok._errors import InvalidSetting
from revu.byok._schema import SlotSettingsIn
from revu.byok._view import build_slot
from revu.catalog import Catalog, Plan, Provider, Thinking
from revu.llm import OverrideError, Slot, parse_override, sampling_conflicts, unreached
from revu.store import SlotValues


@dataclass(frozen=True)
class CheckedSettings:
    """Settings that passed every check, with the catalog entries they resolve to."""

    values: SlotValues
    provider: Provider
    plan: Plan
    thinking: Thinking
    override: dict[str, Any] | None
    warnings: list[str] = field(default_factory=list)

    def slot(self, name: str, api_key: str | None) -> Slot:
        """The gateway slot these settings describe, with `api_key` (None: no key)."""
        return build_slot(name, self.values, self.provider, self.plan, self.override, api_key)


def check_settings(
    body: SlotSettingsIn, catalog: Catalog, *, has_stored_key: bool, need_key: bool = True
) -> CheckedSettings:
    """Validate `body`; raise InvalidSetting naming the first field at fault."""
    card = None
    if body.card is not None:
        card = catalog.card(body.card)
        if card is None:
            cards = ", ".join(c.id for c in catalog.cards)
            raise InvalidSetting(
                f"card {body.card!r} is not in the catalog", f"use one of: {cards}", field="card"
            )
    provider_id = body.provider or (card.provider if card else None)
    if provider_id is None:
        raise InvalidSetting(
            "provider is required", "name a catalog provider, or a card", field="provider"
        )
    provider = catalog.provider(provider_id)
    if provider is None:
        raise InvalidSetting(
            f"provider {provider_id!r} is not in the catalog",
            f"use one of: {', '.join(catalog.provider_ids)}",
            field="provider",
        )
    if card is not None and card.provider != provider.id:
        raise InvalidSetting(
            f"card {card.id!r} is for provider {card.provider!r}, not {provider.id!r}",
            "choose a card of this provider, or drop the card",
            field="card",
        )
    plan = provider.plan(body.plan)
    if plan is None:
        raise InvalidSetting(
            f"plan {body.plan!r} is not a plan of {provider.label}",
            f"use one of: {', '.join(p.id for p in provider.plans)}",
            field="plan",
        )

    model = body.model or (card.model if card else None) or catalog.default_model(provider.id)
    if not model:
        raise InvalidSetting(
            f"{provider.label} needs a model id",
            "type the model id the endpoint serves",
            field="model",
        )
    model = catalog.model_id_for_plan(provider.id, plan.id, model)

    base_url = _base_url(body.base_url, plan, provider)
    api_key = _api_key(body.key(), provider, has_stored_key=has_stored_key, need_key=need_key)
    thinking = (
        Thinking(body.thinking)
        if body.thinking is not None
        else catalog.default_thinking(provider.id, model, plan.id)
    )
    override_text = body.override_text()
    try:
        override = parse_override(override_text or "", provider.namespace)
    except OverrideError as exc:
        raise InvalidSetting(
            f"custom JSON {exc}", "fix the JSON or empty the field", field="override_json"
        ) from None

    warnings = unreached(override, provider.namespace)
    conflicts = sampling_conflicts(override, provider.namespace)
    if conflicts and catalog.model(provider.id, model, plan.id).profile.fixed_sampling:
        warnings.append(
            f"{model} refuses sampling settings other than its own: drop {', '.join(conflicts)}"
        )
    if api_key is not None:
        warnings.extend(key_plan_warnings(api_key, provider, plan))

    values = SlotValues(
        provider=provider.id,
        model=model,
        card=card.id if card else None,
        plan=plan.id if len(provider.plans) > 1 else None,
        base_url=base_url,
        api_key=api_key,
        max_concurrent=body.max_concurrent,
        rpm=body.rpm,
        tpm=body.tpm,
        thinking=thinking.value,
        override_json=override_text,
    )
    return CheckedSettings(values, provider, plan, thinking, override, warnings)


def key_plan_warnings(api_key: str, provider: Provider, plan: Plan) -> list[str]:
    """A key whose shape belongs to another plan (an sk-kimi- key on the Developer API...)."""
    for other in provider.plans:
        if other.key_prefix and other is not plan and api_key.startswith(other.key_prefix):
            return [
                f"this looks like a {other.label} key ({other.key_prefix}…), but the plan is "
                f"{plan.label}: choose {other.label}"
            ]
    if plan.key_prefix and not api_key.startswith(plan.key_prefix):
        return [
            f"{plan.label} keys start with {plan.key_prefix}; this one does not: "
            "use a key from that plan, or choose the plan the key comes from"
        ]
    return []


def _base_url(given: str | None, plan: Plan, provider: Provider) -> str | None:
    if given is None:
        if not plan.base_url:
            raise InvalidSetting(
                f"{provider.label} needs a base URL",
                "type the endpoint's URL, e.g. https://llm.example.com/v1",
                field="base_url",
            )
        return None
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidSetting(
            "base URL is not an http(s) URL",
            "it must start with https:// (or http://) and name a host",
            field="base_url",
        )
    return given.rstrip("/")


def _api_key(
    given: str | None, provider: Provider, *, has_stored_key: bool, need_key: bool
) -> str | None:
    if given is None:
        if need_key and provider.key_required and not has_stored_key:
            raise InvalidSetting(
                f"no API key is stored for this slot and {provider.label} needs one",
                "paste the key from your provider's console",
                field="api_key",
            )
        return None
    if any(ch.isspace() for ch in given) or not given.isprintable():
        raise InvalidSetting(
            "the API key contains spaces or invisible characters",
            "paste the key alone, on one line",
            field="api_key",
        )
    if len(given) > 1000:
        raise InvalidSetting("the API key is too long", "paste the key alone", field="api_key")
    return given
