"""Organizations and their API tokens (stored hashed, shown once)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from revu.store._models import Organization

TOKEN_PREFIX = "revu_"


class OrganizationExists(Exception):
    """An organization with this name already exists."""


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token: sha256 is enough for 256-bit random tokens."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Organizations:
    """Organizations in one unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, name: str) -> tuple[Organization, str]:
        """A new organization and its token, which is returned once and stored only hashed."""
        name = name.strip()
        if await self.by_name(name) is not None:
            raise OrganizationExists(name)
        token = _new_token()
        org = Organization(name=name, token_hash=hash_token(token))
        self.session.add(org)
        await self.session.flush()
        return org, token

    async def by_token(self, token: str) -> Organization | None:
        """The organization a bearer token belongs to, if any."""
        digest = hash_token(token)
        org = await self.session.scalar(
            select(Organization).where(Organization.token_hash == digest)
        )
        # The lookup is by digest; compare again in constant time for good measure.
        if org is None or not hmac.compare_digest(org.token_hash, digest):
            return None
        return org

    async def by_name(self, name: str) -> Organization | None:
        """The organization called `name`, if any."""
        return await self.session.scalar(select(Organization).where(Organization.name == name))

    async def get(self, org_id: str) -> Organization | None:
        """The organization with this id, if any."""
        return await self.session.get(Organization, org_id)

    async def all(self) -> Sequence[Organization]:
        """Every organization, oldest first."""
        return (
            await self.session.scalars(select(Organization).order_by(Organization.created_at))
        ).all()

    async def new_token(self, org: Organization) -> str:
        """Replace the organization's token; the old one stops working at once."""
        token = _new_token()
        org.token_hash = hash_token(token)
        await self.session.flush()
        return token
