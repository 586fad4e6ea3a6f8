"""A person on the BYOK page, in Chromium: sign in, pick Kimi K2.6 Coding on the Kimi Code Plan,
save, Test against the emulator; paste a Kimi Code key under the Developer API and take the
diagnosis's "Switch to Kimi Code Plan"; type bad JSON."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from browser.conftest import ARTIFACTS, FIXED_ENV_KEY, LiveServer
from revu_emulator import EmulatorClient

pytestmark = pytest.mark.browser


def sign_in(page: Page, server: LiveServer, org: str) -> Locator:
    """Sign a new organization in; the page's Main model section."""
    token = server.new_org(org)
    page.goto(f"{server.url}/login")
    page.get_by_label("Organization token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Models", exact=True)).to_be_visible()
    # The page script (deferred) has run by DOMContentLoaded; before it, nothing is enhanced.
    page.wait_for_load_state("domcontentloaded")
    return page.locator("section#main")


def choose_kimi(main: Locator, plan: str) -> None:
    main.get_by_role("radio", name=re.compile("Kimi K2.6 Coding")).check()
    main.get_by_role("radio", name=re.compile(plan)).check()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_kimi_code_plan_prefills_30_saves_and_tests_green(
    page: Page, live_server: LiveServer, emulator: EmulatorClient
) -> None:
    main = sign_in(page, live_server, "browser-code")
    expect(main.get_by_text("Not configured.")).to_be_visible()
    # Nothing chosen yet: the plan and key appear once a card is.
    expect(main.get_by_label("API key")).to_be_hidden()
    cards = main.locator(".card-title")
    expect(cards.first).to_contain_text("Kimi K2.6 Coding")

    choose_kimi(main, "Kimi Code Plan")
    main.get_by_text("Advanced settings").click()
    concurrent = main.get_by_label("Max concurrent requests")
    expect(concurrent).to_have_value("30")
    main.get_by_role("radio", name=re.compile("Developer API \\(international")).check()
    expect(concurrent).to_have_value("")
    main.get_by_role("radio", name=re.compile("Kimi Code Plan")).check()
    expect(concurrent).to_have_value("30")
    expect(main.get_by_label("Thinking level")).to_have_value("medium")

    main.get_by_label("API key").fill("sk-kimi-emulator")
    main.get_by_label("Base URL override").fill(emulator.base_url("code"))
    main.get_by_role("button", name="Save").click()

    main = page.locator("section#main")
    expect(main.get_by_role("status").filter(has_text="Main model saved.")).to_be_visible()
    expect(main.locator(".current")).to_contain_text("kimi-for-coding")
    expect(main.locator(".current")).to_contain_text("…ator")
    assert "sk-kimi-emulator" not in page.content()
    # The saved choices come back selected.
    expect(main.get_by_role("radio", name=re.compile("Kimi Code Plan"))).to_be_checked()

    main.get_by_role("button", name="Test").click()
    result = main.locator(".test-result")
    expect(result).to_contain_text("Connected.", timeout=20_000)
    expect(result).to_contain_text("kimi-for-coding answered in")
    shot(page, "byok-kimi-code-test-ok")


def test_a_kimi_code_key_under_the_developer_api_gets_the_mismatch_diagnosis(
    page: Page, live_server: LiveServer, emulator: EmulatorClient
) -> None:
    main = sign_in(page, live_server, "browser-mismatch")
    choose_kimi(main, "Developer API \\(international")
    main.get_by_label("API key").fill("sk-kimi-emulator")
    # Said at once, beside the field...
    expect(main.locator(".key-hint")).to_contain_text("choose Kimi Code Plan")
    main.get_by_text("Advanced settings").click()
    main.get_by_label("Base URL override").fill(emulator.base_url("developer"))
    # ...and confirmed by the endpoint when tested.
    main.get_by_role("button", name="Test").click()
    result = main.locator(".test-result")
    expect(result).to_contain_text("Endpoint mismatch", timeout=20_000)
    expect(result.locator(".fix")).to_contain_text("Kimi Code")
    shot(page, "byok-key-plan-mismatch")
    assert "sk-kimi-emulator" not in result.inner_text()

    # The diagnosis offers its fix as a button; pressing it changes the form, saves nothing.
    concurrent = main.get_by_label("Max concurrent requests")
    expect(concurrent).to_have_value("")
    switch = result.get_by_role("button", name=re.compile("^Switch to Kimi Code Plan"))
    switch.focus()
    page.keyboard.press("Enter")  # a real button: the keyboard works it
    expect(main.get_by_role("radio", name=re.compile("Kimi Code Plan"))).to_be_checked()
    expect(concurrent).to_have_value("30")  # as if the person had clicked the plan
    expect(main.locator(".key-hint")).to_be_hidden()
    expect(result).to_contain_text(re.compile(r"Switched to Kimi Code Plan.*\. Not saved yet"))
    test_button = main.get_by_role("button", name="Test")
    expect(test_button).to_be_focused()
    expect(main.locator(".current")).to_have_text("Not configured.")
    shot(page, "byok-key-plan-mismatch-switched")

    main.get_by_label("Base URL override").fill(emulator.base_url("code"))
    test_button.click()
    expect(result).to_contain_text("Connected.", timeout=20_000)
    expect(result).to_contain_text("kimi-for-coding answered in")
    expect(result.get_by_role("button")).to_have_count(0)


def test_invalid_custom_json_is_refused_at_the_field(page: Page, live_server: LiveServer) -> None:
    main = sign_in(page, live_server, "browser-json")
    choose_kimi(main, "Kimi Code Plan")
    main.get_by_label("API key").fill("sk-kimi-json-test-0000000000")
    main.get_by_text("Advanced settings").click()
    custom = main.get_by_label("Custom JSON")
    error = main.locator("#main-override_json-error")
    preview = main.locator("#main-preview")

    custom.fill('{"max_tokens": ')
    expect(error).to_contain_text("Not valid JSON")
    expect(custom).to_have_attribute("aria-invalid", "true")
    expect(preview).to_be_hidden()

    custom.fill('{"max_tokens": 20000}')
    expect(error).to_be_hidden()
    expect(preview).to_contain_text('"max_tokens": 20000')
    expect(preview).to_contain_text('"model": "kimi-for-coding"')

    custom.fill('{"model": "something-else"}')  # valid JSON, refused by the gateway's rules
    expect(error).to_contain_text("cannot override 'model'")
    main.get_by_role("button", name="Save").click()
    expect(error).to_be_visible()
    expect(custom).to_be_focused()
    expect(main.locator(".current")).to_have_text("Not configured.")
    shot(page, "byok-custom-json-refused")


def test_every_control_has_a_label_and_the_cards_work_from_the_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    main = sign_in(page, live_server, "browser-a11y")
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter((el) => el.type !== 'hidden')
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map((el) => el.name || el.id)"""
    )
    assert unlabeled == []
    first_card = main.get_by_role("radio", name=re.compile("Kimi K2.6 Coding"))
    first_card.focus()
    page.keyboard.press("Space")
    expect(first_card).to_be_checked()
    expect(main.get_by_role("radio", name=re.compile("Kimi Code Plan"))).to_be_visible()
    page.keyboard.press("ArrowDown")  # radios move with the arrows, like any radio group
    expect(main.get_by_role("radio", name=re.compile("Kimi K2 0905"))).to_be_checked()
    expect(main.get_by_label("Thinking level")).to_have_value("off")  # that card's level


def test_configure_manually_an_openai_compatible_endpoint(
    page: Page, live_server: LiveServer, emulator: EmulatorClient
) -> None:
    main = sign_in(page, live_server, "browser-manual")
    main.get_by_role("radio", name="Configure manually").check()
    expect(main.get_by_role("group", name="Plan")).to_be_hidden()
    base_url = main.get_by_label("Base URL", exact=True)
    base_url.fill(emulator.base_url("developer"))
    main.get_by_label("Model", exact=True).fill("kimi-k2-0905-preview")
    main.get_by_label("API key").fill("sk-emulator-developer")
    main.get_by_text("Advanced settings").click()
    expect(main.get_by_label("Base URL override")).to_be_hidden()  # the endpoint's URL is above
    main.get_by_label("Max concurrent requests").fill("4")

    main.get_by_role("button", name="Test").click()
    expect(main.locator(".test-result")).to_contain_text("Connected.", timeout=20_000)
    main.get_by_role("button", name="Save").click()

    main = page.locator("section#main")
    expect(main.locator(".current")).to_contain_text("OpenAI-compatible endpoint")
    expect(main.get_by_label("Base URL", exact=True)).to_have_value(emulator.base_url("developer"))
    expect(main.get_by_label("Model", exact=True)).to_have_value("kimi-k2-0905-preview")
    main.get_by_text("Advanced settings").click()
    expect(main.get_by_label("Max concurrent requests")).to_have_value("4")


def test_fixed_mode_shows_the_environments_provider_and_model_never_its_key(
    page: Page, fixed_server: LiveServer
) -> None:
    sign_in(page, fixed_server, "browser-fixed")
    banner = page.get_by_role("status").filter(has_text="Fixed Mode")
    expect(banner).to_contain_text("Moonshot (Kimi)")
    expect(banner).to_contain_text("kimi-for-coding")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)  # read-only
    assert FIXED_ENV_KEY[3:-4] not in page.content()
    assert FIXED_ENV_KEY[-4:] not in page.content()
    shot(page, "byok-fixed-mode")
