"""The BYOK page's form, read into the same shape the API's PUT takes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from revu.byok import InvalidSetting, PreviewIn, SlotSettingsIn
from revu.server._errors import validation_problem

MANUAL = "manual"  # the card value of "Configure manually"
MANUAL_PROVIDER = "openai_compatible"
FORM_FIELDS = (
    "card",
    "plan",
    "api_key",
    "manual_base_url",
    "manual_model",
    "base_url",
    "max_concurrent",
    "thinking",
    "override_json",
)


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The submitted text of every field (the key excluded: it is never shown back)."""
    return {
        name: str(form.get(name, "")).strip()
        for name in FORM_FIELDS
        if name != "api_key" and isinstance(form.get(name, ""), str)
    }


def _settings_fields(form: Mapping[str, Any]) -> dict[str, Any]:
    def text(name: str) -> str | None:
        value = form.get(name)
        return value.strip() or None if isinstance(value, str) else None

    card = text("card")
    if card is None:
        raise InvalidSetting("choose a model card, or Configure manually", "", field="card")
    fields: dict[str, Any] = {
        "thinking": text("thinking"),
        "override_json": text("override_json"),
        "max_concurrent": text("max_concurrent"),
    }
    if card == MANUAL:
        fields |= {
            "provider": MANUAL_PROVIDER,
            "base_url": text("manual_base_url"),
            "model": text("manual_model"),
        }
    else:
        fields |= {"card": card, "plan": text("plan"), "base_url": text("base_url")}
    return fields


_Body = TypeVar("_Body", SlotSettingsIn, PreviewIn)


def _validated(kind: type[_Body], fields: dict[str, Any]) -> _Body:
    try:
        return kind.model_validate(fields)
    except ValidationError as exc:
        raise _invalid(exc) from None


def _invalid(exc: ValidationError) -> InvalidSetting:
    problems: list[dict[str, Any]] = [
        {"loc": ("body", *item["loc"]), "msg": item["msg"], "type": item["type"]}
        for item in exc.errors()
    ]
    field, message = validation_problem(problems)
    return InvalidSetting(message, "", field=field)


def settings_from_form(form: Mapping[str, Any]) -> SlotSettingsIn:
    """The PUT body the form describes; InvalidSetting names the field at fault."""
    fields = _settings_fields(form)
    api_key = form.get("api_key")
    fields["api_key"] = api_key.strip() or None if isinstance(api_key, str) else None
    return _validated(SlotSettingsIn, fields)


def preview_from_form(form: Mapping[str, Any]) -> PreviewIn:
    """The preview request the form describes (no key, no limits)."""
    fields = _settings_fields(form)
    fields.pop("max_concurrent", None)
    return _validated(PreviewIn, fields)
