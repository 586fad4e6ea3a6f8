"""Per-organization slot settings, with the API key sealed under the keyring."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from revu.store._keyring import Keyring
from revu.store._models import SlotSetting


@dataclass(frozen=True)
class SlotValues:
    """What an organization chose for one slot. `api_key=None` keeps the stored key."""

    provider: str
    model: str
    card: str | None = None
    plan: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    max_concurrent: int | None = None
    rpm: int | None = None
    tpm: int | None = None
    thinking: str | None = None
    override_json: str | None = None


_KEY_PREFIX = re.compile(r"^(?:[a-z]{2,6}-){1,2}")


def key_outline(api_key: str) -> tuple[str, str]:
    """The parts of a key that may be shown: its vendor prefix ("sk-kimi-") and last four
    characters, each only when the key is long enough that they give nothing away."""
    prefix_match = _KEY_PREFIX.match(api_key)
    prefix = prefix_match.group(0) if prefix_match and len(api_key) >= 20 else ""
    last4 = api_key[-4:] if len(api_key) >= 12 else ""
    return prefix, last4


def slot_key_context(org_id: str, slot: str) -> bytes:
    """The associated data that binds a sealed key to its organization and slot."""
    return f"revu:slot-key:{org_id}:{slot}".encode()


class SlotSettings:
    """Slot settings in one unit of work; seals keys on write and opens them on request."""

    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring

    async def get(self, org_id: str, slot: str) -> SlotSetting | None:
        """The organization's setting for `slot`, if set."""
        return await self.session.scalar(
            select(SlotSetting).where(SlotSetting.org_id == org_id, SlotSetting.slot == slot)
        )

    async def for_org(self, org_id: str) -> Sequence[SlotSetting]:
        """Every slot the organization has set."""
        return (
            await self.session.scalars(select(SlotSetting).where(SlotSetting.org_id == org_id))
        ).all()

    async def put(self, org_id: str, slot: str, values: SlotValues) -> SlotSetting:
        """Create or replace the slot's setting; without a new key the stored one stays."""
        row = await self.get(org_id, slot)
        if row is None:
            row = SlotSetting(org_id=org_id, slot=slot)
            self.session.add(row)
        row.provider = values.provider
        row.model = values.model
        row.card = values.card
        row.plan = values.plan
        row.base_url = values.base_url
        row.max_concurrent = values.max_concurrent
        row.rpm = values.rpm
        row.tpm = values.tpm
        row.thinking = values.thinking
        row.override_json = values.override_json
        if values.api_key is not None:
            row.api_key_sealed = self.keyring.encrypt(
                values.api_key, slot_key_context(org_id, slot)
            )
            row.api_key_prefix, row.api_key_last4 = key_outline(values.api_key)
        await self.session.flush()
        return row

    async def delete(self, org_id: str, slot: str) -> bool:
        """Clear the slot; whether there was anything to clear."""
        result = await self.session.execute(
            delete(SlotSetting).where(SlotSetting.org_id == org_id, SlotSetting.slot == slot)
        )
        return bool(getattr(result, "rowcount", 0))

    def api_key(self, row: SlotSetting) -> str | None:
        """The row's key in plaintext, for the gateway only: never show or log it."""
        if row.api_key_sealed is None:
            return None
        return self.keyring.decrypt(row.api_key_sealed, slot_key_context(row.org_id, row.slot))


@dataclass(frozen=True)
class Rotation:
    """What `rotate_keys` did."""

    sealed: int  # keys stored in all
    rotated: int  # of which re-sealed with the primary key now


async def rotate_keys(session: AsyncSession, keyring: Keyring) -> Rotation:
    """Re-seal every stored key with the keyring's primary key; each must open first."""
    rows = (
        await session.scalars(select(SlotSetting).where(SlotSetting.api_key_sealed.is_not(None)))
    ).all()
    rotated = 0
    for row in rows:
        assert row.api_key_sealed is not None
        if not keyring.needs_rotation(row.api_key_sealed):
            continue
        context = slot_key_context(row.org_id, row.slot)
        row.api_key_sealed = keyring.encrypt(keyring.decrypt(row.api_key_sealed, context), context)
        rotated += 1
    await session.flush()
    return Rotation(sealed=len(rows), rotated=rotated)
