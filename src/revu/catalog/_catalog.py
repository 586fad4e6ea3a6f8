"""The catalog: built-in and user providers, their cards, and lookups by provider/plan/model."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from revu.catalog._builtin import BUILTIN_CARDS, BUILTIN_PROVIDERS, OPENAI_COMPATIBLE
from revu.catalog._model import Card, Model, Plan, Price, Provider, Source, Thinking
from revu.catalog._user import load_user_providers, providers_file


@dataclass(frozen=True)
class Catalog:
    """Every provider revu can talk to, and the curated cards."""

    providers: tuple[Provider, ...]
    cards: tuple[Card, ...]

    def provider(self, provider_id: str) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)

    @property
    def provider_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.providers)

    def card(self, card_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == card_id), None)

    def recommended_card(self, provider_id: str | None = None) -> Card | None:
        """The recommended card (of one provider, if named): recommended first, else its first."""
        cards = [c for c in self.cards if provider_id is None or c.provider == provider_id]
        return next((c for c in cards if c.recommended), cards[0] if cards else None)

    def default_model(self, provider_id: str, plan_id: str | None = None) -> str | None:
        """The model a provider uses when none is named: its recommended card's, else its own."""
        provider = self.provider(provider_id)
        if provider is None:
            return None
        card = self.recommended_card(provider_id)
        model_id = card.model if card else provider.default_model
        return self.model_id_for_plan(provider_id, plan_id, model_id) if model_id else None

    def model_id_for_plan(self, provider_id: str, plan_id: str | None, model_id: str) -> str:
        """The id a plan's endpoint lists for a model (kimi-k2.6 on Code: kimi-for-coding)."""
        provider = self.provider(provider_id)
        plan = provider.plan(plan_id) if provider else None
        return plan.model_aliases.get(model_id, model_id) if plan else model_id

    def models(self, provider_id: str, plan_id: str | None = None) -> tuple[Model, ...]:
        """The models a plan serves (the provider's list unless the plan has its own)."""
        provider = self.provider(provider_id)
        if provider is None:
            return ()
        plan = provider.plan(plan_id)
        return plan.models if plan is not None and plan.models is not None else provider.models

    def model(self, provider_id: str, model_id: str, plan_id: str | None = None) -> Model:
        """What the catalog knows of a model; an unknown id gets the provider's safe defaults."""
        for model in self.models(provider_id, plan_id):
            if model.id == model_id:
                return model
        provider = self.provider(provider_id)
        if provider is not None:
            # Listed by the provider but not by the plan (e.g. on Code): keep its facts.
            for model in provider.models:
                if model.id == model_id:
                    return model
            return Model(
                id=model_id,
                context_window=provider.default_context_window,
                max_output=provider.default_max_output,
                profile=provider.default_profile,
                source=provider.source,
                price=None,
                price_note="unknown price",
                notes="not in revu's catalog: safe defaults",
            )
        return Model(
            id=model_id,
            context_window=32_768,
            max_output=8_192,
            profile=OPENAI_COMPATIBLE.default_profile,
            source=Source("", ""),
            price_note="unknown price",
            notes="unknown provider: safe defaults",
        )

    def price(self, provider_id: str, model_id: str, plan_id: str | None = None) -> Price | None:
        """The per-token price, or None when unknown or not per token."""
        return self.model(provider_id, model_id, plan_id).price

    def default_thinking(
        self, provider_id: str, model_id: str, plan_id: str | None = None
    ) -> Thinking:
        """A card's level when the model is that card's, else the model's own default."""
        for card in self.cards:
            if card.provider == provider_id and (
                model_id == card.model
                or model_id == self.model_id_for_plan(provider_id, plan_id, card.model)
            ):
                return card.thinking
        return self.model(provider_id, model_id, plan_id).profile.default_thinking

    def plan(self, provider_id: str, plan_id: str | None) -> Plan | None:
        provider = self.provider(provider_id)
        return provider.plan(plan_id) if provider else None

    def to_json(self) -> dict[str, Any]:
        """The catalog as `revu providers --json` and GET /api/v1/catalog print it."""
        return {
            "cards": [c.to_json() for c in self.cards],
            "providers": [p.to_json() for p in self.providers],
        }


BUILTIN_CATALOG = Catalog(providers=BUILTIN_PROVIDERS, cards=BUILTIN_CARDS)


def load_catalog(config_dir: Path | None = None) -> Catalog:
    """The built-in catalog plus the user's providers.toml (REVU_CONFIG_DIR or the platform dir).

    Raises CatalogError (one line naming the file) when that file is malformed.
    """
    reserved = {p.id for p in BUILTIN_PROVIDERS}
    extra = load_user_providers(providers_file(config_dir), reserved)
    if not extra:
        return BUILTIN_CATALOG
    return replace(BUILTIN_CATALOG, providers=BUILTIN_PROVIDERS + extra)
