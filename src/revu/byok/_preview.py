"""The request body a slot's settings produce, shown beside the custom JSON field."""

from __future__ import annotations

from revu.byok._schema import PreviewIn, PreviewOut, SlotSettingsIn
from revu.byok._validate import check_settings
from revu.catalog import Catalog
from revu.llm import ChatMessage, ChatRequest, build_body

_SAMPLE = ChatRequest(
    messages=(
        ChatMessage("system", "(revu's review instructions, schema and repository rules)"),
        ChatMessage("user", "(the diff of the files under review)"),
    ),
    json_mode=True,
    label="preview",
)


def preview_body(settings: PreviewIn, catalog: Catalog, slot: str = "main") -> PreviewOut:
    """The JSON body of a review call on these settings; raises InvalidSetting like a save."""
    body = SlotSettingsIn(**settings.model_dump())
    checked = check_settings(body, catalog, has_stored_key=False, need_key=False)
    values = checked.values
    resolved = checked.slot(slot, api_key=None)
    model = catalog.model(values.provider, values.model, checked.plan.id)
    return PreviewOut(
        body=build_body(resolved, model, checked.provider.namespace, _SAMPLE),
        namespace=checked.provider.namespace,
        warnings=checked.warnings,
    )
