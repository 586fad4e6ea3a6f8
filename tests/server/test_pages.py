"""The web pages over HTTP (no browser): sign-in, sessions, CSRF, the form's server side."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx2
import pytest

from revu.byok import FixedMode
from revu.catalog import BUILTIN_CATALOG
from revu.store import Store
from server.harness import Api, api_on

KEY = "sk-kimi-pagekey0123456789abcdef-p4p4"


def csrf_of(page: httpx2.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def signed_in(api: Api) -> str:
    """Sign a new organization in on the client; the page's CSRF token."""
    _, token = await api.org()
    login = await api.client.get("/login")
    answer = await api.client.post(
        "/login", data={"token": token, "csrf_token": csrf_of(login)}, follow_redirects=True
    )
    assert answer.status_code == 200 and "Main model" in answer.text
    return csrf_of(answer)


async def test_the_page_needs_a_sign_in(api: Api) -> None:
    answer = await api.client.get("/organization/byok")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


async def test_the_session_cookie_is_httponly_lax_and_signed(api: Api) -> None:
    _, token = await api.org()
    login = await api.client.get("/login")
    cookie = login.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    forged = httpx2.AsyncClient(transport=api.client._transport, base_url="http://revu.test")
    async with forged:
        forged.cookies.set("revu_session", "eyJvcmciOiAieCJ9.forged.sig")
        answer = await forged.get("/organization/byok")
    assert answer.status_code == 303
    assert token not in cookie


async def test_a_wrong_token_is_refused_on_the_page(api: Api) -> None:
    login = await api.client.get("/login")
    answer = await api.client.post(
        "/login", data={"token": "revu_wrong", "csrf_token": csrf_of(login)}
    )
    assert answer.status_code == 401 and "does not belong" in answer.text


async def test_forms_without_the_csrf_token_are_refused(api: Api) -> None:
    _, token = await api.org()
    await api.client.get("/login")
    refused = await api.client.post("/login", data={"token": token, "csrf_token": "guess"})
    assert refused.status_code == 403
    await signed_in(api)
    form = {"card": "kimi-k2.6-coding", "plan": "code", "api_key": KEY, "csrf_token": "guess"}
    assert (await api.client.post("/organization/byok/main", data=form)).status_code == 403
    preview = await api.client.post("/organization/byok/main/preview", data=form)
    assert preview.status_code == 403 and preview.json()["error"]["code"] == "csrf"


async def test_a_slot_that_does_not_exist_is_not_found(api: Api) -> None:
    csrf = await signed_in(api)
    form = {"card": "kimi-k2.6-coding", "plan": "code", "api_key": KEY, "csrf_token": csrf}
    assert (await api.client.post("/organization/byok/third", data=form)).status_code == 404


async def test_saving_the_form_stores_the_slot_and_never_shows_the_key(api: Api) -> None:
    csrf = await signed_in(api)
    form = {
        "csrf_token": csrf,
        "action": "save",
        "card": "kimi-k2.6-coding",
        "plan": "code",
        "api_key": KEY,
        "max_concurrent": "30",
        "thinking": "medium",
        "override_json": "",
    }
    saved = await api.client.post("/organization/byok/main", data=form, follow_redirects=True)
    assert saved.status_code == 200
    assert "Main model saved." in saved.text
    assert "sk-kimi-…p4p4" in saved.text and KEY not in saved.text


async def test_an_invalid_field_is_shown_at_the_field(api: Api) -> None:
    csrf = await signed_in(api)
    form = {
        "csrf_token": csrf,
        "card": "kimi-k2.6-coding",
        "plan": "code",
        "api_key": KEY,
        "override_json": '{"messages": []}',
    }
    refused = await api.client.post("/organization/byok/main", data=form)
    assert refused.status_code == 422
    error = re.search(r'id="main-override_json-error">([^<]+)<', refused.text)
    assert error and "cannot override &#39;messages&#39;" in error.group(1)
    assert KEY not in refused.text


async def test_the_preview_endpoint_reports_a_bad_field(api: Api) -> None:
    csrf = await signed_in(api)
    answer = await api.client.post(
        "/organization/byok/main/preview",
        data={"card": "kimi-k2.6-coding", "plan": "code", "override_json": "{oops"},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "override_json"


@pytest.fixture
async def fixed_api(store: Store) -> AsyncIterator[Api]:
    env = {"REVU_LLM_PROVIDER": "moonshot", "MOONSHOT_API_KEY": "sk-fixedpagekey0123456789-zzzz"}
    async with api_on(store, FixedMode.from_env(env, None, catalog=BUILTIN_CATALOG)) as api:
        yield api


async def test_fixed_mode_shows_a_banner_with_provider_and_model_but_no_key(
    fixed_api: Api,
) -> None:
    csrf = await signed_in(fixed_api)
    page = await fixed_api.client.get("/organization/byok")
    banner = re.search(r'<div class="banner"[^>]*>(.*?)</div>', page.text, re.S)
    assert banner is not None
    assert "Fixed Mode" in banner.group(1) and "Moonshot (Kimi)" in banner.group(1)
    assert "kimi-k2.6" in banner.group(1)
    assert "sk-fixedpagekey" not in page.text and "zzzz" not in page.text
    refused = await fixed_api.client.post(
        "/organization/byok/main",
        data={"csrf_token": csrf, "card": "kimi-k2.6-coding", "api_key": KEY},
    )
    assert refused.status_code == 409
