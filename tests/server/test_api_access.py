from __future__ import annotations

import pytest
from pydantic import ValidationError

from revu.byok import SlotSettingsIn
from revu.store import Reviews
from server.harness import Api


async def test_every_api_route_needs_the_organization_token(api: Api) -> None:
    for method, path in [
        ("GET", "/api/v1/catalog"),
        ("GET", "/api/v1/byok"),
        ("PUT", "/api/v1/byok/main"),
        ("DELETE", "/api/v1/byok/main"),
        ("POST", "/api/v1/byok/main/test"),
        ("GET", "/api/v1/reviews"),
        ("GET", "/api/v1/reviews/abc"),
    ]:
        for token in (None, "revu_not-a-real-token"):
            answer = await api.call(method, path, token, {} if method == "PUT" else None)
            assert answer.status_code == 401, (method, path, answer.text)
            error = answer.json()["error"]
            assert error["code"] == "unauthorized" and error["hint"]
            assert "Bearer" in error["hint"] if token is None else "token" in error["message"]
            assert answer.headers["www-authenticate"] == "Bearer"


async def test_one_organization_cannot_see_another_ones_data(api: Api) -> None:
    mine, my_token = await api.org("mine")
    theirs, their_token = await api.org("theirs")
    await api.call(
        "PUT",
        "/api/v1/byok/main",
        their_token,
        {"card": "kimi-k2.6-coding", "plan": "code", "api_key": "sk-kimi-theirs-0000000000-abcd"},
    )
    async with api.store.session() as session:
        their_review = await Reviews(session).add(theirs, repository="theirs/app", status="done")
        my_review = await Reviews(session).add(mine, repository="mine/app", status="queued")

    assert (await api.call("GET", "/api/v1/byok", my_token)).json()["main"] is None
    hidden = await api.call("GET", f"/api/v1/reviews/{their_review.id}", my_token)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"
    listed = (await api.call("GET", "/api/v1/reviews", my_token)).json()["reviews"]
    assert [review["id"] for review in listed] == [my_review.id]
    # and the other way round, their own review is there for them
    theirs_seen = await api.call("GET", f"/api/v1/reviews/{their_review.id}", their_token)
    assert theirs_seen.status_code == 200


async def test_review_history_has_status_findings_usage_and_cost(api: Api) -> None:
    org_id, token = await api.org()
    findings = [{"path": "app.py", "line": 3, "severity": "high", "title": "Bug"}]
    async with api.store.session() as session:
        review = await Reviews(session).add(
            org_id,
            status="done",
            attempts=1,
            forge="github",
            repository="acme/app",
            pull_request=7,
            findings=findings,
            summary="One bug.",
            usage={"calls": 3, "input_tokens": 1200, "cached_tokens": 800, "output_tokens": 90},
            cost_usd=0.0021,
            model={"slot": "main", "provider": "moonshot", "model": "kimi-k2.6"},
        )
    listed = (await api.call("GET", "/api/v1/reviews", token)).json()["reviews"]
    assert listed[0]["findings_count"] == 1 and listed[0]["cost_usd"] == 0.0021
    detail = (await api.call("GET", f"/api/v1/reviews/{review.id}", token)).json()
    assert detail["findings"] == findings and detail["usage"]["cached_tokens"] == 800
    assert detail["status"] == "done" and detail["created_at"]


async def test_the_catalog_lists_kimi_k2_6_coding_first(api: Api) -> None:
    _, token = await api.org()
    catalog = (await api.call("GET", "/api/v1/catalog", token)).json()
    assert catalog["cards"][0]["id"] == "kimi-k2.6-coding"
    moonshot = next(p for p in catalog["providers"] if p["id"] == "moonshot")
    code = next(plan for plan in moonshot["plans"] if plan["id"] == "code")
    assert code["max_concurrent"] == 30


async def test_errors_are_json_everywhere(api: Api) -> None:
    missing = await api.client.get("/api/v1/nowhere")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert "/docs" in missing.json()["error"]["hint"]
    _, token = await api.org()
    not_json = await api.client.put(
        "/api/v1/byok/main",
        content=b"{broken",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert not_json.status_code == 422
    assert not_json.json()["error"]["field"] == "body"


async def test_the_openapi_document_describes_the_routes(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    assert {"/api/v1/byok", "/api/v1/byok/{slot}", "/api/v1/byok/{slot}/test"} <= set(spec["paths"])
    assert "/login" not in spec["paths"]


async def test_an_unexpected_failure_is_a_json_500_that_logs_where_not_what(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    org_id, token = await api.org()
    async with api.store.session() as session:
        # A corrupt row (findings must be a list) whose text carries a secret.
        broken = await Reviews(session).add(org_id, findings={"leak": "sk-corrupt-row-secret"})
    answer = await api.call("GET", f"/api/v1/reviews/{broken.id}", token)
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal"
    assert "sk-corrupt-row-secret" not in answer.text
    logged = [r for r in caplog.records if r.name == "revu.server"]
    assert logged and "ValidationError" in logged[0].getMessage()
    assert all("sk-corrupt-row-secret" not in r.getMessage() for r in caplog.records)


def test_a_settings_body_never_shows_its_key() -> None:
    body = SlotSettingsIn(card="kimi-k2.6-coding", api_key="sk-kimi-repr-secret-0000")
    assert "sk-kimi-repr-secret" not in repr(body) and "sk-kimi-repr-secret" not in str(body)
    assert body.key() == "sk-kimi-repr-secret-0000"
    with pytest.raises(ValidationError) as caught:
        SlotSettingsIn(card="kimi-k2.6-coding", api_key={"k": "sk-kimi-repr-secret"})
    assert "sk-kimi-repr-secret" not in str(caught.value)
