"""Commands for operators' lists and subscribers."""

from __future__ import annotations

import click

from newsletter.cli.common import Context, echo_json, json_option, pass_context
from newsletter.store import audience


@click.group()
def lists() -> None:
    """Manage mailing lists."""


@lists.command("create")
@click.argument("name")
@click.option("--description", default="")
@click.option("--locale", "default_locale", default="en", show_default=True)
@pass_context
def create_list(ctx: Context, name: str, description: str, default_locale: str) -> None:
    """Create a list."""
    with ctx.app.db.transaction() as session:
        audience.ensure_list(session, name, description=description, default_locale=default_locale)
    click.echo(f"List {name!r} is ready.")


@lists.command("list")
@json_option
@pass_context
def show_lists(ctx: Context, as_json: bool) -> None:
    """Show the lists with their member counts."""
    with ctx.app.db.transaction() as session:
        rows = [
            {"name": item.name, "description": item.description, "members": len(item.members)}
            for item in audience.all_lists(session)
        ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(f"{row['name']:<24} {row['members']:>7} members  {row['description']}")


@click.group()
def subscribers() -> None:
    """Manage subscribers."""


@subscribers.command("add")
@click.argument("email")
@click.option("--name", default="")
@click.option("--locale", default="en", show_default=True)
@click.option("--list", "list_names", multiple=True, required=True, help="List to join (repeatable).")
@pass_context
def add(ctx: Context, email: str, name: str, locale: str, list_names: tuple[str, ...]) -> None:
    """Add a subscriber to lists, recording the CLI as the source of consent."""
    with ctx.app.db.transaction() as session:
        chosen = [audience.get_list(session, item) for item in list_names]
        _, created = audience.subscribe(
            session, email=email, name=name, locale=locale, lists=chosen, consent_source="cli"
        )
    click.echo(("Added " if created else "Updated ") + email)


COMMANDS = [lists, subscribers]
