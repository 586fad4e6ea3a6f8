"""An organization's model settings: read, save, clear, resolve to slots, and test them.

In Fixed Mode the environment's routing answers every read and test, and writes are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from revu.byok._env import SettingsError, fixed_mode, read_environment, routing_from_env
from revu.byok._errors import FixedModeActive, InvalidSetting, SlotNotSet, StoredKeyUnreadable
from revu.byok._schema import ByokView, SavedSlot, SlotSettingsIn
from revu.byok._validate import check_settings
from revu.byok._view import slot_from_row, view_of_row, view_of_slot
from revu.catalog import Catalog
from revu.llm import ProbeResult, Routing, Slot, probe
from revu.store import KeyringError, SlotSetting, SlotSettings, Store

SLOTS = ("main", "fallback")


@dataclass(frozen=True)
class FixedMode:
    """The environment's configuration when REVU_LLM_PROVIDER is set (`active`)."""

    active: bool
    routing: Routing | None = None
    error: str | None = None  # Fixed Mode, but the environment is incomplete: say what to set

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        env_file: Path | None = Path(".env"),
        *,
        catalog: Catalog | None = None,
    ) -> FixedMode:
        """Read the environment (and `.env`) the way `revu review` does."""
        env = read_environment(environ, env_file)  # once: .env is read only here
        if not fixed_mode(env, None):
            return cls(active=False)
        try:
            return cls(True, routing_from_env(env, None, catalog=catalog))
        except SettingsError as exc:
            return cls(True, error=str(exc))

    def slot(self, name: str) -> Slot:
        """The environment's slot `name`; SlotNotSet when absent, InvalidSetting if broken."""
        if self.routing is None:
            raise InvalidSetting(
                f"the server's environment is incomplete: {self.error}",
                "ask the operator to fix the server's REVU_LLM_* variables",
            )
        slot = self.routing.main if name == "main" else self.routing.fallback
        if slot is None:
            raise SlotNotSet(name)
        return slot


class Byok:
    """Per-organization BYOK over the store, checked against the catalog."""

    def __init__(self, store: Store, catalog: Catalog, fixed: FixedMode | None = None) -> None:
        self.store = store
        self.catalog = catalog
        self.fixed = fixed or FixedMode(active=False)

    async def view(self, org_id: str) -> ByokView:
        """Both slots, keys masked: the environment's in Fixed Mode, else the organization's."""
        if self.fixed.active:
            routing = self.fixed.routing
            return ByokView(
                mode="fixed",
                main=view_of_slot(routing.main, self.catalog) if routing else None,
                fallback=view_of_slot(routing.fallback, self.catalog)
                if routing and routing.fallback
                else None,
            )
        async with self.store.session() as session:
            rows = {
                row.slot: row
                for row in await SlotSettings(session, self.store.keyring).for_org(org_id)
            }
        return ByokView(
            mode="byok",
            main=view_of_row(rows["main"], self.catalog) if "main" in rows else None,
            fallback=view_of_row(rows["fallback"], self.catalog) if "fallback" in rows else None,
        )

    async def save(self, org_id: str, slot: str, body: SlotSettingsIn) -> SavedSlot:
        """Check and store a slot; without `api_key` the stored key stays."""
        self._writable()
        async with self.store.session() as session:
            settings = SlotSettings(session, self.store.keyring)
            stored = await settings.get(org_id, slot)
            checked = check_settings(
                body, self.catalog, has_stored_key=bool(stored and stored.api_key_sealed)
            )
            row = await settings.put(org_id, slot, checked.values)
            view = view_of_row(row, self.catalog)
        return SavedSlot(slot=view, warnings=checked.warnings)

    async def clear(self, org_id: str, slot: str) -> bool:
        """Forget a slot, key included; whether there was one."""
        self._writable()
        async with self.store.session() as session:
            return await SlotSettings(session, self.store.keyring).delete(org_id, slot)

    async def slot(self, org_id: str, slot: str, draft: SlotSettingsIn | None = None) -> Slot:
        """The slot the gateway would run: stored, or a draft not yet saved (its key, else the
        stored one). The key is in the Slot in plaintext: hand it to the gateway only."""
        if self.fixed.active:
            return self.fixed.slot(slot)
        async with self.store.session() as session:
            settings = SlotSettings(session, self.store.keyring)
            stored = await settings.get(org_id, slot)
            stored_key = self._open(settings, stored) if stored else None
            if draft is None:
                if stored is None:
                    raise SlotNotSet(slot)
                return slot_from_row(stored, stored_key, self.catalog)
            checked = check_settings(draft, self.catalog, has_stored_key=stored_key is not None)
            return checked.slot(slot, checked.values.api_key or stored_key)

    async def routing(self, org_id: str) -> Routing | None:
        """What reviews of this organization run on (None: nothing configured)."""
        if self.fixed.active:
            return self.fixed.routing
        try:
            main = await self.slot(org_id, "main")
        except SlotNotSet:
            return None
        try:
            fallback: Slot | None = await self.slot(org_id, "fallback")
        except SlotNotSet:
            fallback = None
        return Routing(main=main, fallback=fallback)

    async def test(
        self, org_id: str, slot: str, draft: SlotSettingsIn | None = None
    ) -> ProbeResult:
        """The probe of `revu test` on this organization's slot (or on a draft)."""
        return await probe(await self.slot(org_id, slot, draft), catalog=self.catalog)

    def _writable(self) -> None:
        if self.fixed.active:
            raise FixedModeActive()

    @staticmethod
    def _open(settings: SlotSettings, row: SlotSetting) -> str | None:
        try:
            return settings.api_key(row)
        except KeyringError as exc:
            raise StoredKeyUnreadable(
                f"the stored key of the {row.slot} slot does not open with this server's keyring",
                f"paste the key again, or restore the keyring ({exc.hint})",
                field="api_key",
            ) from None
