from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from revu_emulator import EmulatorClient
from server.harness import Api

PLANTED = "sk-kimi-PLANTEDf00dfacecafe0123456789-zq9x"


def kimi_code(emulator: EmulatorClient | None = None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "card": "kimi-k2.6-coding",
        "provider": "moonshot",
        "plan": "code",
        "model": "kimi-k2.6",
        "api_key": PLANTED,
    }
    if emulator is not None:
        body["base_url"] = emulator.base_url("code")
    return {**body, **changes}


async def test_saving_a_slot_shows_it_back_with_the_key_masked(api: Api) -> None:
    _, token = await api.org()
    saved = await api.call("PUT", "/api/v1/byok/main", token, kimi_code())
    assert saved.status_code == 200, saved.text
    slot = saved.json()["slot"]
    assert slot["api_key"] == "sk-kimi-…zq9x"
    assert slot["model"] == "kimi-for-coding"  # the Code plan's id for K2.6
    assert slot["thinking"] == "medium"  # the card's level
    assert slot["effective"]["max_concurrent"] == 30  # the plan's default
    shown = (await api.call("GET", "/api/v1/byok", token)).json()
    assert shown["mode"] == "byok" and shown["fallback"] is None
    assert shown["main"]["api_key"] == "sk-kimi-…zq9x"
    assert PLANTED not in saved.text and PLANTED not in str(shown)


async def test_a_put_without_a_key_keeps_the_stored_one(api: Api) -> None:
    _, token = await api.org()
    await api.call("PUT", "/api/v1/byok/main", token, kimi_code())
    body = kimi_code(max_concurrent=5)
    del body["api_key"]
    again = await api.call("PUT", "/api/v1/byok/main", token, body)
    assert again.status_code == 200
    assert again.json()["slot"]["api_key"] == "sk-kimi-…zq9x"
    assert again.json()["slot"]["max_concurrent"] == 5


async def test_the_first_save_needs_a_key(api: Api) -> None:
    _, token = await api.org()
    body = kimi_code()
    del body["api_key"]
    refused = await api.call("PUT", "/api/v1/byok/main", token, body)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "api_key"


async def test_a_kimi_code_key_on_the_developer_plan_is_flagged(api: Api) -> None:
    _, token = await api.org()
    saved = await api.call("PUT", "/api/v1/byok/main", token, kimi_code(plan="developer"))
    assert saved.status_code == 200
    assert any("Kimi Code Plan" in warning for warning in saved.json()["warnings"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"provider": "nope"}, "provider"),
        ({"plan": "gold"}, "plan"),
        ({"card": "no-such-card"}, "card"),
        ({"max_concurrent": 0}, "max_concurrent"),
        ({"max_concurrent": "many"}, "max_concurrent"),
        ({"thinking": "extreme"}, "thinking"),
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"override_json": "{not json"}, "override_json"),
        ({"override_json": '{"model": "other"}'}, "override_json"),
        ({"override_json": "[1, 2]"}, "override_json"),
        ({"surprise": 1}, "surprise"),
        ({"api_key": "sk-with a space"}, "api_key"),
    ],
)
async def test_invalid_settings_name_the_field_and_never_echo_the_key(
    api: Api, change: dict[str, Any], field: str
) -> None:
    _, token = await api.org()
    refused = await api.call("PUT", "/api/v1/byok/main", token, kimi_code(**change))
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["field"] == field
    assert error["message"] and error["hint"]
    assert set(error) == {"code", "message", "hint", "field"}
    assert PLANTED not in refused.text and "with a space" not in refused.text


async def test_a_key_sent_with_the_wrong_type_is_not_echoed(api: Api) -> None:
    _, token = await api.org()
    refused = await api.call(
        "PUT", "/api/v1/byok/main", token, kimi_code(api_key={"secret": PLANTED})
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "api_key"
    assert PLANTED not in refused.text


async def test_a_slot_can_be_cleared(api: Api) -> None:
    _, token = await api.org()
    await api.call("PUT", "/api/v1/byok/fallback", token, kimi_code())
    cleared = await api.call("DELETE", "/api/v1/byok/fallback", token)
    assert cleared.status_code == 204
    assert (await api.call("GET", "/api/v1/byok", token)).json()["fallback"] is None


async def test_an_unknown_slot_is_refused_by_name(api: Api) -> None:
    _, token = await api.org()
    refused = await api.call("PUT", "/api/v1/byok/spare", token, kimi_code())
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "slot"


async def test_the_test_button_runs_the_probe_against_the_stored_slot(
    api: Api, emulator: EmulatorClient
) -> None:
    _, token = await api.org()
    await api.call(
        "PUT", "/api/v1/byok/main", token, kimi_code(emulator, api_key="sk-kimi-emulator")
    )
    result = (await api.call("POST", "/api/v1/byok/main/test", token)).json()
    assert result["ok"] is True, result
    assert result["model"] == "kimi-for-coding" and result["latency_s"] >= 0


async def test_a_draft_is_tested_without_saving_and_the_mismatch_diagnosed(
    api: Api, emulator: EmulatorClient
) -> None:
    _, token = await api.org()
    draft = kimi_code(
        plan="developer", base_url=emulator.base_url("developer"), api_key="sk-kimi-emulator"
    )
    result = (await api.call("POST", "/api/v1/byok/main/test", token, draft)).json()
    assert result["ok"] is False
    assert result["error_kind"] == "EndpointMismatch"
    assert "Kimi Code" in result["hint"]
    assert (await api.call("GET", "/api/v1/byok", token)).json()["main"] is None


async def test_testing_an_unset_slot_says_so(api: Api) -> None:
    _, token = await api.org()
    answer = await api.call("POST", "/api/v1/byok/fallback/test", token)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "slot_not_set"


async def test_the_preview_shows_the_custom_json_merged(api: Api) -> None:
    _, token = await api.org()
    settings = {"card": "kimi-k2.6-coding", "plan": "code", "override_json": '{"max_tokens": 999}'}
    preview = await api.call("POST", "/api/v1/byok/main/preview", token, settings)
    assert preview.status_code == 200, preview.text
    body = preview.json()["body"]
    assert body["max_tokens"] == 999 and body["model"] == "kimi-for-coding"
    assert body["thinking"] == {"type": "enabled"}
    assert "temperature" not in body


async def test_a_planted_key_never_reaches_responses_logs_or_the_database_file(
    api: Api, emulator: EmulatorClient, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    _, token = await api.org()
    answers = [
        await api.call("PUT", "/api/v1/byok/main", token, kimi_code(emulator)),
        await api.call("GET", "/api/v1/byok", token),
        await api.call("POST", "/api/v1/byok/main/test", token),  # refused: an unknown key
        await api.call("PUT", "/api/v1/byok/fallback", token, kimi_code(emulator, plan="gold")),
        await api.call("PUT", "/api/v1/byok/fallback", token, kimi_code(max_concurrent=-1)),
        await api.call("GET", "/api/v1/byok", token),
    ]
    assert answers[2].json()["ok"] is False  # the emulator does not know the planted key
    for answer in answers:
        assert PLANTED not in answer.text
        assert PLANTED[8:-4] not in answer.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    logged += "\n".join(str(record.args) for record in caplog.records)
    # The logs did see the work (the probe's HTTP call, the database writes), but not the key.
    assert "chat/completions" in logged
    assert PLANTED[8:-4] not in logged
    if api.store.engine.dialect.name == "sqlite":  # aiosqlite logs each statement's parameters
        assert "INSERT INTO slot_settings" in logged
        database = Path(str(api.store.engine.url.database))
        raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        assert b"zq9x" in raw and PLANTED[8:-4].encode() not in raw
