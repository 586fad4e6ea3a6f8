"""The web pages: sign-in with the organization's token, and the BYOK settings page.

Server-rendered; a small script adds live checks (plan defaults, custom JSON preview, Test
without leaving the page). Every POST carries the session's CSRF token.
"""

from __future__ import annotations

import re
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from revu.byok import SLOTS, ByokError, ByokView, InvalidSetting, SlotView, preview_body
from revu.catalog import Card, Catalog, Provider
from revu.server._auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    context_of,
    csrf_ok,
    csrf_token,
    session_org,
    sign_in,
)
from revu.server._errors import error_response, response_of
from revu.server._form import (
    FORM_FIELDS,
    MANUAL,
    MANUAL_PROVIDER,
    form_values,
    preview_from_form,
    settings_from_form,
)
from revu.store import Organization, Organizations

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(files("revu.server") / "templates"))
# "EndpointMismatch" -> "Endpoint mismatch" (the page script does the same)
templates.env.filters["humanize"] = lambda kind: re.sub(
    r"(?<=[a-z])([A-Z])", lambda m: " " + m.group(1).lower(), str(kind or "Error")
)
PAGE = "/organization/byok"
SLOT_TITLES = {"main": "Main model", "fallback": "Fallback model"}


def _forbidden_csrf() -> Response:
    return HTMLResponse(
        f"<p>This form has expired. <a href='{PAGE}'>Reload the page</a> and try again.</p>",
        status_code=403,
    )


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse(PAGE, status_code=303)


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _login(request)


def _login(request: Request, error: str | None = None, status: int = 200) -> Response:
    return templates.TemplateResponse(
        request,
        "login.html",
        {"csrf": csrf_token(request), "error": error},
        status_code=status,
    )


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request, _text(form.get(CSRF_FIELD))):
        return _login(request, "The form expired; sign in again.", 403)
    token = _text(form.get("token")).strip()
    async with context_of(request).store.session() as session:
        org = await Organizations(session).by_token(token) if token else None
    if org is None:
        return _login(request, "That token does not belong to any organization.", 401)
    sign_in(request, org)
    return RedirectResponse(PAGE, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    if csrf_ok(request, _text(form.get(CSRF_FIELD))):
        request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get(PAGE)
async def byok_page(request: Request) -> Response:
    org = await session_org(request)
    if org is None:
        return RedirectResponse("/login", status_code=303)
    flash = request.session.pop("flash", None)
    sections: dict[str, dict[str, Any]] = {}
    if isinstance(flash, dict) and flash.get("slot") in SLOTS:
        sections[flash["slot"]] = {
            "notice": flash.get("notice"),
            "warnings": flash.get("warnings", []),
        }
    return await _render(request, org, sections)


@router.post(PAGE + "/{slot}")
async def byok_submit(request: Request, slot: str) -> Response:
    org = await session_org(request)
    if org is None:
        return RedirectResponse("/login", status_code=303)
    form = await request.form()
    if slot not in SLOTS:
        return HTMLResponse(
            f"<p>No such slot. <a href='{PAGE}'>Back to the settings</a>.</p>", status_code=404
        )
    if not csrf_ok(request, _text(form.get(CSRF_FIELD))):
        return _forbidden_csrf()
    byok = context_of(request).byok
    action = _text(form.get("action")) or "save"
    try:
        if action == "clear":
            await byok.clear(org.id, slot)
            request.session["flash"] = {"slot": slot, "notice": f"{SLOT_TITLES[slot]} cleared."}
        elif action == "test":
            result = await byok.test(org.id, slot, settings_from_form(form))
            section = {"values": form_values(form), "test": result.to_json()}
            return await _render(request, org, {slot: section})
        else:
            saved = await byok.save(org.id, slot, settings_from_form(form))
            request.session["flash"] = {
                "slot": slot,
                "notice": f"{SLOT_TITLES[slot]} saved.",
                "warnings": saved.warnings,
            }
    except ByokError as exc:
        values = form_values(form)
        section = {"values": values, "errors": {_form_field(exc.field, values): _said(exc)}}
        return await _render(request, org, {slot: section}, status=exc.status)
    return RedirectResponse(f"{PAGE}#{slot}", status_code=303)


@router.post(PAGE + "/{slot}/test")
async def byok_test_json(request: Request, slot: str) -> Response:
    """The Test button: the probe on the form's current values (not saved)."""
    org, form, refusal = await _json_call(request, slot)
    if refusal is not None:
        return refusal
    assert org is not None
    try:
        result = await context_of(request).byok.test(org.id, slot, settings_from_form(form))
    except ByokError as exc:
        return response_of(exc)
    return JSONResponse(result.to_json())


@router.post(PAGE + "/{slot}/preview")
async def byok_preview_json(request: Request, slot: str) -> Response:
    """Live check of the custom JSON: the request body it produces, or the field's error."""
    _org, form, refusal = await _json_call(request, slot)
    if refusal is not None:
        return refusal
    try:
        preview = preview_body(preview_from_form(form), context_of(request).catalog, slot)
    except InvalidSetting as exc:
        return response_of(exc)
    return JSONResponse(preview.model_dump())


async def _json_call(
    request: Request, slot: str
) -> tuple[Organization | None, Any, Response | None]:
    org = await session_org(request)
    if org is None:
        return None, None, error_response(401, "unauthorized", "sign in first", "open /login")
    if slot not in SLOTS:
        return (
            None,
            None,
            error_response(404, "not_found", f"no slot {slot!r}", "use main or fallback"),
        )
    if not csrf_ok(request, request.headers.get(CSRF_HEADER)):
        return None, None, error_response(403, "csrf", "the page expired", "reload the page")
    return org, await request.form(), None


async def _render(
    request: Request, org: Organization, sections: dict[str, dict[str, Any]], status: int = 200
) -> Response:
    context = context_of(request)
    view = await context.byok.view(org.id)
    catalog = context.catalog
    cards = sorted(catalog.cards, key=lambda card: not card.recommended)
    providers = {p.id: p for p in catalog.providers}
    slots = []
    for name in SLOTS:
        stored: SlotView | None = getattr(view, name)
        section = sections.get(name, {})
        slots.append(
            {
                "name": name,
                "title": SLOT_TITLES[name],
                "stored": stored,
                "values": section.get("values") or _values_of(stored, catalog),
                "errors": section.get("errors", {}),
                "notice": section.get("notice"),
                "warnings": section.get("warnings", []),
                "test": section.get("test"),
            }
        )
    return templates.TemplateResponse(
        request,
        "byok.html",
        {
            "org": org,
            "csrf": csrf_token(request),
            "fixed": context.fixed,
            "view": view,
            "cards": cards,
            "providers": providers,
            "manual": MANUAL,
            "manual_provider": providers.get(MANUAL_PROVIDER),
            "slots": slots,
            "page_data": _page_data(cards, providers, view),
        },
        status_code=status,
    )


def _values_of(stored: SlotView | None, catalog: Catalog) -> dict[str, str]:
    if stored is None:
        return {"thinking": "medium"}
    card = stored.card
    if card is None and stored.provider == MANUAL_PROVIDER:
        card = MANUAL
    if card is None:  # set through the API without a card: find the card it matches
        for candidate in catalog.cards:
            if candidate.provider == stored.provider and stored.model in (
                candidate.model,
                catalog.model_id_for_plan(stored.provider, stored.plan, candidate.model),
            ):
                card = candidate.id
    manual = card == MANUAL
    return {
        "card": card or "",
        "plan": stored.plan or "",
        "base_url": "" if manual else stored.base_url or "",
        "manual_base_url": stored.base_url or "" if manual else "",
        "manual_model": stored.model if manual else "",
        "max_concurrent": str(stored.max_concurrent or ""),
        "thinking": stored.thinking,
        "override_json": stored.override_json or "",
    }


def _page_data(cards: list[Card], providers: dict[str, Provider], view: ByokView) -> dict[str, Any]:
    """What the page script needs: each card's provider and level, each plan's defaults."""
    return {
        "cards": {
            c.id: {"provider": c.provider, "model": c.model, "thinking": c.thinking.value}
            for c in cards
        },
        "plans": {
            pid: {
                plan.id: {
                    "label": plan.label,
                    "base_url": plan.base_url,
                    "max_concurrent": plan.max_concurrent,
                    "key_prefix": plan.key_prefix,
                }
                for plan in provider.plans
            }
            for pid, provider in providers.items()
        },
        "mode": view.mode,
    }


def _form_field(field: str | None, values: dict[str, str]) -> str:
    """Where on the page an error about `field` shows."""
    if values.get("card") == MANUAL and field in ("base_url", "model"):
        return f"manual_{field}"
    return field if field in FORM_FIELDS else "form"


def _said(exc: ByokError) -> str:
    message = exc.message[:1].upper() + exc.message[1:]
    return f"{message}. {exc.hint[:1].upper()}{exc.hint[1:]}." if exc.hint else message


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
