"""`revu providers`: the catalog — cards, plans with base URLs, models with context and prices."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from revu.catalog import Catalog, CatalogError, Model, load_catalog
from revu.cli._app import app


@app.command()
def providers(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the catalog as one JSON object.")
    ] = False,
) -> None:
    """List the providers revu knows: curated cards, plans with base URLs, models and prices."""
    try:
        catalog = load_catalog()
    except CatalogError as exc:
        typer.echo(f"revu: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(catalog.to_json(), indent=2))
        return
    console = Console()
    if not console.is_terminal:  # piped: no terminal width to respect, keep rows on one line
        console = Console(width=140)
    console.print(_cards(catalog))
    console.print(_plans(catalog))
    console.print(_models(catalog))
    console.print(
        "Prices drift: each has the date it was checked; * reported by third parties only; "
        "unknown prices count as 0.\nAdd your own OpenAI-compatible provider in providers.toml "
        "(see docs/llm.md); `revu providers --json` prints everything with sources."
    )


def _cards(catalog: Catalog) -> Table:
    table = Table(title="Cards (ready-made configurations)", title_justify="left")
    for column in ("card", "provider", "model", "thinking", ""):
        table.add_column(column)
    for card in catalog.cards:
        table.add_row(
            card.title,
            card.provider,
            card.model,
            card.thinking.value,
            "[bold green]recommended[/]" if card.recommended else "",
        )
    return table


def _plans(catalog: Catalog) -> Table:
    table = Table(title="Providers and plans", title_justify="left")
    table.add_column("provider", no_wrap=True)
    table.add_column("plan", no_wrap=True)
    table.add_column("base URL", no_wrap=True)
    table.add_column("max concurrent", justify="right")
    table.add_column("key variable", no_wrap=True)
    for provider in catalog.providers:
        for plan in provider.plans:
            table.add_row(
                provider.id,
                plan.id if len(provider.plans) > 1 else "",
                plan.base_url or "[dim](set REVU_LLM_BASE_URL)[/]",
                str(plan.max_concurrent) if plan.max_concurrent else "",
                provider.key_env or "REVU_LLM_API_KEY",
            )
    return table


def _models(catalog: Catalog) -> Table:
    table = Table(title="Models", title_justify="left")
    table.add_column("provider", no_wrap=True)
    table.add_column("model", no_wrap=True)
    table.add_column("context", justify="right")
    table.add_column("USD/1M: cache hit / miss / output", justify="right")
    table.add_column("as of", no_wrap=True)
    for provider in catalog.providers:
        seen: set[str] = set()
        for plan in provider.plans:
            for model in catalog.models(provider.id, plan.id):
                if model.id in seen:
                    continue
                seen.add(model.id)
                where = provider.id + (f" ({plan.id})" if plan.models is not None else "")
                table.add_row(
                    where,
                    model.id,
                    f"{model.context_window:,}",
                    _price(model),
                    model.price.source.date if model.price else "",
                )
    return table


def _price(model: Model) -> str:
    if model.price is None:
        note = "subscription" if model.subscription else model.price_note or "unknown price"
        return f"[dim]{note}[/]"
    p = model.price
    star = "*" if p.unsure else ""
    return f"{p.cache_hit:.3f} / {p.cache_miss:.2f} / {p.output:.2f}{star}"
