"""/api/v1: the catalog, an organization's BYOK slots, and its review history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel

from revu.byok import ByokView, PreviewIn, PreviewOut, SavedSlot, SlotSettingsIn, preview_body
from revu.server._auth import ApiOrg, context_of
from revu.server._errors import ApiError
from revu.store import Review, Reviews

router = APIRouter(prefix="/api/v1")
SlotPath = Literal["main", "fallback"]


class ReviewSummary(BaseModel):
    """One review in the history list."""

    id: str
    status: str
    attempts: int
    forge: str | None
    repository: str | None
    pull_request: int | None
    head_sha: str | None
    findings_count: int | None
    usage: dict[str, Any] | None
    cost_usd: float | None
    model: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, review: Review) -> ReviewSummary:
        fields = {
            name: getattr(review, name) for name in cls.model_fields if name != "findings_count"
        }
        return cls(
            **fields,
            findings_count=len(review.findings) if review.findings is not None else None,
        )


class ReviewDetail(ReviewSummary):
    """One review with its findings and summary."""

    summary: str | None
    findings: list[Any] | None

    @classmethod
    def of(cls, review: Review) -> ReviewDetail:
        base = ReviewSummary.of(review).model_dump()
        return cls(**base, summary=review.summary, findings=review.findings)


class ReviewList(BaseModel):
    """GET /api/v1/reviews."""

    reviews: list[ReviewSummary]


@router.get("/catalog", tags=["catalog"])
async def get_catalog(request: Request, _org: ApiOrg) -> dict[str, Any]:
    """Providers, plans with base URLs and default limits, models with context and prices, cards."""
    return context_of(request).catalog.to_json()


@router.get("/byok", tags=["byok"])
async def get_byok(request: Request, org: ApiOrg) -> ByokView:
    """This organization's main and fallback slots, keys masked (Fixed Mode: the server's)."""
    return await context_of(request).byok.view(org.id)


@router.put("/byok/{slot}", tags=["byok"])
async def put_byok(
    request: Request, org: ApiOrg, slot: SlotPath, body: SlotSettingsIn
) -> SavedSlot:
    """Set a slot. Omitting `api_key` keeps the stored key. 409 in Fixed Mode."""
    return await context_of(request).byok.save(org.id, slot, body)


@router.delete("/byok/{slot}", tags=["byok"], status_code=204)
async def delete_byok(request: Request, org: ApiOrg, slot: SlotPath) -> Response:
    """Clear a slot and its key. 409 in Fixed Mode."""
    await context_of(request).byok.clear(org.id, slot)
    return Response(status_code=204)


@router.post("/byok/{slot}/test", tags=["byok"])
async def test_byok(
    request: Request,
    org: ApiOrg,
    slot: SlotPath,
    draft: Annotated[SlotSettingsIn | None, Body()] = None,
) -> dict[str, Any]:
    """The probe of `revu test`: one tiny real call, latency or a diagnosis with its fix.
    With a body, tests those settings (merged with the stored key) without saving them."""
    result = await context_of(request).byok.test(org.id, slot, draft)
    return result.to_json()


@router.post("/byok/{slot}/preview", tags=["byok"])
async def preview_byok(
    request: Request, _org: ApiOrg, slot: SlotPath, settings: PreviewIn
) -> PreviewOut:
    """The request body a review call would send with these settings (custom JSON merged)."""
    return preview_body(settings, context_of(request).catalog, slot)


@router.get("/reviews", tags=["reviews"])
async def list_reviews(
    request: Request,
    org: ApiOrg,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    status: str | None = None,
) -> ReviewList:
    """This organization's reviews, newest first."""
    async with context_of(request).store.session() as session:
        found = await Reviews(session).for_org(org.id, limit=limit, status=status)
    return ReviewList(reviews=[ReviewSummary.of(review) for review in found])


@router.get("/reviews/{review_id}", tags=["reviews"])
async def get_review(request: Request, org: ApiOrg, review_id: str) -> ReviewDetail:
    """One review with its findings, usage and cost; another organization's answers 404."""
    async with context_of(request).store.session() as session:
        review = await Reviews(session).get(org.id, review_id)
    if review is None:
        raise ApiError(
            404,
            "not_found",
            f"no review {review_id!r} in this organization",
            "list them with GET /api/v1/reviews",
        )
    return ReviewDetail.of(review)
