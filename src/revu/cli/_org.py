"""`revu org`: create organizations and issue their API tokens (shown once, stored hashed)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from revu.cli._app import app
from revu.cli._store import with_store
from revu.store import OrganizationExists, Organizations, Store

org_app = typer.Typer(help="Organizations and their API tokens.", no_args_is_help=True)
app.add_typer(org_app, name="org")


@org_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The organization's name, unique on this server.")],
    as_json: Annotated[bool, typer.Option("--json", help='Print {"org", "token"}.')] = False,
) -> None:
    """Create an organization and print its API token, once."""
    name = name.strip()
    if not name:
        typer.echo("revu: the organization needs a name", err=True)
        raise typer.Exit(2)

    async def work(store: Store) -> str:
        async with store.session() as session:
            _, token = await Organizations(session).create(name)
        return token

    try:
        token = with_store(work)
    except OrganizationExists:
        typer.echo(f"revu: an organization called {name!r} already exists", err=True)
        raise typer.Exit(2) from None
    _print_token(name, token, as_json, created=True)


@org_app.command("token")
def new_token(
    name: Annotated[str, typer.Argument(help="The organization's name.")],
    as_json: Annotated[bool, typer.Option("--json", help='Print {"org", "token"}.')] = False,
) -> None:
    """Issue a new API token for an organization; the old one stops working at once."""
    name = name.strip()

    async def work(store: Store) -> str | None:
        async with store.session() as session:
            orgs = Organizations(session)
            org = await orgs.by_name(name)
            return await orgs.new_token(org) if org else None

    token = with_store(work)
    if token is None:
        typer.echo(f"revu: no organization called {name!r} (see `revu org list`)", err=True)
        raise typer.Exit(2)
    _print_token(name, token, as_json, created=False)


@org_app.command("list")
def list_orgs(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """List the organizations on this server."""

    async def work(store: Store) -> list[tuple[str, str]]:
        async with store.session() as session:
            return [
                (org.name, org.created_at.isoformat()) for org in await Organizations(session).all()
            ]

    found = with_store(work)
    if as_json:
        typer.echo(json.dumps([{"org": n, "created_at": c} for n, c in found], indent=2))
        return
    if not found:
        typer.echo("No organizations yet: `revu org create NAME` makes one.")
    for org_name, created in found:
        typer.echo(f"{org_name}  (created {created[:19].replace('T', ' ')} UTC)")


def _print_token(name: str, token: str, as_json: bool, *, created: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"org": name, "token": token}))
        return
    what = "created" if created else "has a new token"
    typer.echo(f"Organization {name!r} {what}. Its API token, shown only this once:")
    typer.echo(f"  {token}")
    typer.echo("Sign in at /login with it, or send it as `Authorization: Bearer <token>`.")
