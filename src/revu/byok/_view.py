"""From a stored row (or the environment) to what the gateway runs and what people see."""

from __future__ import annotations

import json
from typing import Any, Literal, Protocol, cast

from revu.byok._errors import InvalidSetting
from revu.byok._schema import Effective, SlotView, ThinkingLiteral
from revu.catalog import Catalog, Plan, Provider
from revu.llm import OverrideError, Slot, Thinking, parse_override
from revu.store import SlotSetting, key_outline

SlotName = Literal["main", "fallback"]


def mask_key(prefix: str | None, last4: str | None) -> str:
    """The shown form of a key: `sk-…abcd` (vendor prefix and last four only)."""
    return f"{prefix or ''}…{last4 or ''}"


def mask(api_key: str) -> str:
    """Mask a plaintext key for display."""
    return mask_key(*key_outline(api_key)) if api_key else ""


def _catalog_entries(
    catalog: Catalog, provider_id: str, plan_id: str | None
) -> tuple[Provider, Plan]:
    provider = catalog.provider(provider_id)
    plan = provider.plan(plan_id) if provider else None
    if provider is None or plan is None:
        raise InvalidSetting(
            f"the stored provider {provider_id!r} (plan {plan_id!r}) is no longer in the catalog",
            "set this slot again",
            field="provider",
        )
    return provider, plan


class SlotFields(Protocol):
    """What a stored row and checked settings both say about a slot."""

    @property
    def model(self) -> str: ...
    @property
    def plan(self) -> str | None: ...
    @property
    def base_url(self) -> str | None: ...
    @property
    def max_concurrent(self) -> int | None: ...
    @property
    def rpm(self) -> int | None: ...
    @property
    def tpm(self) -> int | None: ...
    @property
    def thinking(self) -> str | None: ...


def effective(fields: SlotFields, plan: Plan) -> Effective:
    """The base URL and limits the gateway uses: what was set, else the plan's defaults."""
    return Effective(
        base_url=(fields.base_url or plan.base_url).rstrip("/"),
        max_concurrent=fields.max_concurrent or plan.max_concurrent,
        rpm=fields.rpm or plan.rpm,
        tpm=fields.tpm or plan.tpm,
    )


def build_slot(
    name: str,
    fields: SlotFields,
    provider: Provider,
    plan: Plan,
    override: dict[str, Any] | None,
    api_key: str | None,
) -> Slot:
    """The gateway slot `fields` describe on `provider`'s `plan`, defaults filled in."""
    used = effective(fields, plan)
    return Slot(
        name=cast(SlotName, name),
        provider=provider.id,
        wire=provider.wire,
        base_url=used.base_url,
        model=fields.model,
        api_key=api_key or "",
        plan=fields.plan,
        max_concurrent=used.max_concurrent,
        rpm=used.rpm,
        tpm=used.tpm,
        thinking=Thinking(fields.thinking) if fields.thinking else Thinking.OFF,
        override=override,
    )


def slot_from_row(row: SlotSetting, api_key: str | None, catalog: Catalog) -> Slot:
    """The gateway slot a stored setting describes, defaults filled in from the catalog."""
    provider, plan = _catalog_entries(catalog, row.provider, row.plan)
    try:
        override = parse_override(row.override_json or "", provider.namespace)
    except OverrideError as exc:  # checked on save; only a gateway change could land here
        raise InvalidSetting(f"custom JSON {exc}", "save it again", field="override_json") from None
    return build_slot(row.slot, row, provider, plan, override, api_key)


def view_of_row(row: SlotSetting, catalog: Catalog) -> SlotView:
    """A stored slot as GET shows it (no decryption: the mask comes from stored parts)."""
    provider, plan = _catalog_entries(catalog, row.provider, row.plan)
    return SlotView(
        slot=cast(SlotName, row.slot),
        source="organization",
        card=row.card,
        provider=provider.id,
        provider_label=provider.label,
        plan=row.plan,
        plan_label=plan.label if row.plan else None,
        model=row.model,
        base_url=row.base_url,
        api_key=mask_key(row.api_key_prefix, row.api_key_last4) if row.api_key_sealed else None,
        max_concurrent=row.max_concurrent,
        rpm=row.rpm,
        tpm=row.tpm,
        thinking=cast(ThinkingLiteral, row.thinking or "off"),
        override_json=row.override_json,
        effective=effective(row, plan),
        updated_at=row.updated_at,
    )


def view_of_slot(slot: Slot, catalog: Catalog) -> SlotView:
    """A slot from the environment (Fixed Mode) as GET shows it, key masked."""
    provider = catalog.provider(slot.provider)
    plan = provider.plan(slot.plan) if provider else None
    return SlotView(
        slot=slot.name,
        source="environment",
        card=None,
        provider=slot.provider,
        provider_label=provider.label if provider else slot.provider,
        plan=slot.plan,
        plan_label=plan.label if plan and slot.plan else None,
        model=slot.model,
        base_url=slot.base_url,
        api_key=mask(slot.api_key) or None,
        max_concurrent=slot.max_concurrent,
        rpm=slot.rpm,
        tpm=slot.tpm,
        thinking=slot.thinking.value,
        override_json=json.dumps(slot.override, indent=2) if slot.override else None,
        effective=Effective(
            base_url=slot.base_url,
            max_concurrent=slot.max_concurrent,
            rpm=slot.rpm,
            tpm=slot.tpm,
        ),
    )
