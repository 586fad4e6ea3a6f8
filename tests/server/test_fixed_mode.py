from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from revu.byok import FixedMode
from revu.catalog import BUILTIN_CATALOG
from revu.store import Store
from server.harness import Api, api_on

ENV_KEY = "sk-9fixedenv1234567890abcdefk9k9"
ENVIRONMENT = {
    "REVU_LLM_PROVIDER": "moonshot",
    "REVU_LLM_PLAN": "code",
    "REVU_LLM_API_KEY": ENV_KEY,
}


@pytest.fixture
async def fixed_api(store: Store) -> AsyncIterator[Api]:
    fixed = FixedMode.from_env(ENVIRONMENT, None, catalog=BUILTIN_CATALOG)
    assert fixed.active and fixed.routing is not None
    async with api_on(store, fixed) as client:
        yield client


async def test_writes_answer_409_with_a_hint(fixed_api: Api) -> None:
    _, token = await fixed_api.org()
    body = {"card": "kimi-k2.6-coding", "plan": "code", "api_key": "sk-kimi-x-0000000000000"}
    for method, payload in (("PUT", body), ("DELETE", None)):
        refused = await fixed_api.call(method, "/api/v1/byok/main", token, payload)
        assert refused.status_code == 409
        error = refused.json()["error"]
        assert error["code"] == "fixed_mode" and "REVU_LLM_PROVIDER" in error["hint"]


async def test_reads_show_the_environment_with_the_key_masked(fixed_api: Api) -> None:
    _, token = await fixed_api.org()
    shown = await fixed_api.call("GET", "/api/v1/byok", token)
    view = shown.json()
    assert view["mode"] == "fixed"
    main = view["main"]
    assert main["source"] == "environment"
    assert (main["provider"], main["plan"], main["model"]) == (
        "moonshot",
        "code",
        "kimi-for-coding",
    )
    assert main["api_key"] == "sk-…k9k9"
    assert ENV_KEY not in shown.text


def test_an_incomplete_environment_is_still_fixed_and_says_what_is_missing() -> None:
    fixed = FixedMode.from_env({"REVU_LLM_PROVIDER": "openai"}, None, catalog=BUILTIN_CATALOG)
    assert fixed.active and fixed.routing is None
    assert fixed.error is not None and "OPENAI_API_KEY" in fixed.error


def test_without_the_provider_variable_byok_is_on() -> None:
    assert not FixedMode.from_env({"MOONSHOT_API_KEY": "x"}, None, catalog=BUILTIN_CATALOG).active
