"""``newsletter archive``: build the public archive as static files, hide or show an issue on it."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.cli.common import Context, pass_context


@click.group()
def archive() -> None:
    """The public archive of sent issues (/archive/<locale>/) and its feeds."""


@archive.command()
@click.argument("folder", type=click.Path(file_okay=True, dir_okay=True, path_type=Path))
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Where FOLDER will be served from (default: newsletter.public_url); links use it.",
)
@pass_context
def build(ctx: Context, folder: Path, base_url: str | None) -> None:
    """Write every public issue, the lists and the feeds into FOLDER, for a static web host."""
    from newsletter.archive import Archive
    from newsletter.archive.build import build as build_archive

    config = ctx.config
    if base_url is not None:
        config = config.replace(**{"newsletter.public_url": base_url})
    result = build_archive(Archive(config, ctx.app.db), folder)
    click.echo(
        f"Wrote {result.issues} issue pages and {result.files} files to {result.folder} "
        f"(serve it as the web root of {config.newsletter.public_url})"
    )


@archive.command()
@click.argument("issue")
@pass_context
def hide(ctx: Context, issue: str) -> None:
    """Withdraw ISSUE (an id or a date) from the archive's pages and feeds."""
    _set(ctx, issue, hidden=True)


@archive.command()
@click.argument("issue")
@pass_context
def show(ctx: Context, issue: str) -> None:
    """Put ISSUE (an id or a date) back on the archive after `archive hide`."""
    _set(ctx, issue, hidden=False)


def _set(ctx: Context, issue: str, *, hidden: bool) -> None:
    from newsletter.archive import set_hidden

    done = set_hidden(ctx.app.db, issue, hidden=hidden)
    where = f"Issue #{done.issue_id} of {done.issue_date}"
    if hidden:
        click.echo(f"{where} is hidden from the archive and its feeds.")
    elif done.public:
        click.echo(f"{where} is on the archive again.")
    else:
        click.echo(f"{where} is no longer hidden; it appears on the archive once it is sent.")


COMMANDS = [archive]
