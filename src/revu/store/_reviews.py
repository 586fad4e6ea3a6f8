"""Review history: the rows the worker writes and the API reads, per organization."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from revu.store._models import Review


class Reviews:
    """Reviews in one unit of work, always scoped to one organization on read."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, org_id: str, **fields: Any) -> Review:
        """Record a review (queued unless `status` says otherwise)."""
        review = Review(org_id=org_id, **fields)
        self.session.add(review)
        await self.session.flush()
        return review

    async def get(self, org_id: str, review_id: str) -> Review | None:
        """The organization's review with this id; another organization's is None."""
        return await self.session.scalar(
            select(Review).where(Review.id == review_id, Review.org_id == org_id)
        )

    async def for_org(
        self, org_id: str, *, limit: int = 50, status: str | None = None
    ) -> Sequence[Review]:
        """The organization's reviews, newest first."""
        query = select(Review).where(Review.org_id == org_id)
        if status is not None:
            query = query.where(Review.status == status)
        query = query.order_by(Review.created_at.desc(), Review.id).limit(limit)
        return (await self.session.scalars(query)).all()
