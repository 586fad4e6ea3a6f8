"""`revu test`: one real, tiny call per configured slot, with latency or a diagnosis."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

import typer

from revu.byok import SettingsError, env_hint, routing_from_env, setting_variable
from revu.catalog import Catalog, CatalogError, load_catalog
from revu.cli._app import app
from revu.llm import ProbeResult, Slot, SlotName, probe


@app.command("test")
def test_command(
    slot: Annotated[
        Literal["main", "fallback", "all"],
        typer.Option("--slot", help="Which slot to check: main, fallback or all."),
    ] = "main",
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Verify the configured model: a real 16-token call (15 s, no retries); 0 ok, 1 failed."""
    try:
        catalog = load_catalog()  # read once: routing, the probes and their hints share it
        routing = routing_from_env(catalog=catalog)
    except (SettingsError, CatalogError) as exc:
        typer.echo(f"revu: {exc}", err=True)
        raise typer.Exit(2) from None
    slots: list[Slot] = []
    if slot in ("main", "all"):
        slots.append(routing.main)
    if slot in ("fallback", "all"):
        if routing.fallback is not None:
            slots.append(routing.fallback)
        elif slot == "fallback":
            typer.echo(
                "revu: no fallback slot is configured: set REVU_FALLBACK_PROVIDER (or any "
                "REVU_FALLBACK_* variable)",
                err=True,
            )
            raise typer.Exit(2)
    results = asyncio.run(_probe_all(slots, catalog))
    ok = all(r.ok for r in results)
    if as_json:
        typer.echo(json.dumps({"ok": ok, "results": [_json(r) for r in results]}, indent=2))
    else:
        for result in results:
            _print(result, catalog)
    raise typer.Exit(0 if ok else 1)


async def _probe_all(slots: list[Slot], catalog: Catalog) -> list[ProbeResult]:
    return list(await asyncio.gather(*(probe(s, catalog=catalog) for s in slots)))


def _json(r: ProbeResult) -> dict[str, Any]:
    """The API's shape, each fix with the variable that applies it (`REVU_FALLBACK_MODEL`)."""
    out = r.to_json()
    failed: SlotName = "fallback" if r.slot == "fallback" else "main"
    for fix in out["fixes"]:
        fix["variable"] = setting_variable(fix["slot"] or failed, fix["setting"])
    return out


def _print(r: ProbeResult, catalog: Catalog) -> None:
    plan = f" ({r.plan})" if r.plan else ""
    typer.echo(f"{r.slot}: {r.provider}{plan} {r.base_url}")
    typer.echo(f"  model {r.model}, thinking {r.thinking} (the check itself runs without thinking)")
    if r.ok:
        typer.echo(f"  ok: answered in {r.latency_s:.2f} s")
        return
    typer.echo(f"  FAILED after {r.latency_s:.2f} s: {r.error_kind}: {r.message}")
    if r.hint:
        typer.echo(f"  fix: {env_hint(r.hint, r.fixes, r.slot, r.provider, catalog=catalog)}")
    if r.models:
        shown = ", ".join(r.models[:12]) + (" …" if len(r.models) > 12 else "")
        typer.echo(f"  the endpoint lists: {shown}")
