"""Commands that set things up: init, keygen, demo."""

from __future__ import annotations

import secrets
import shutil
from importlib import resources
from pathlib import Path

import click

from newsletter import demo as demo_cycle
from newsletter.cli.common import Context, pass_context
from newsletter.cli.issue import render_draft
from newsletter.config import DEFAULT_CONFIG_FILE, Config, load_config
from newsletter.errors import InputError, NewsletterError
from newsletter.pipeline import App
from newsletter.store import Database


@click.command()
@click.option("--path", type=click.Path(dir_okay=False, path_type=Path), default=Path(DEFAULT_CONFIG_FILE))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write config.toml from the documented example and create the database."""
    if path.exists() and not force:
        raise InputError(f"{path}: already exists (use --force to overwrite)")
    shutil.copyfile(_example_config(), path)
    config = load_config(path)
    database = Database(config.database_url, create=False)
    # The URL as shown: a PostgreSQL password never reaches the terminal.
    shown = database.url.render_as_string(hide_password=True)
    try:
        found = database.contents()
        database.create_schema()
    finally:
        database.dispose()
    if found is None:
        click.echo(f"Wrote {path} and created the database at {shown}.")
    else:
        held = ", ".join(f"{count} {what if count != 1 else what[:-1]}" for what, count in found.items())
        click.echo(f"Wrote {path}. The database at {shown} already exists and was left as it is: {held}.")
    click.echo("Set NEWSLETTER_SIGNING_KEY (see `newsletter keygen`) before the first real send.")


@click.command()
def keygen() -> None:
    """Print a new random signing key for NEWSLETTER_SIGNING_KEY."""
    click.echo(secrets.token_urlsafe(32))


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=demo_cycle.DEMO_DATA_DIR,
    show_default=True,
    help="The demo's own folder: its database, drafts, renderings and outbox.",
)
@pass_context
def demo(ctx: Context, data_dir: Path) -> None:
    """Run one full cycle offline on the bundled recorded arXiv window and sample list.

    The demo uses only its own folder, database and outbox, whatever the configuration file
    and the environment say: it never opens the configured database and never sends mail.
    """
    configured = _configured(ctx)
    if configured is not None:
        demo_cycle.check_apart(data_dir, configured)

    def render(app: App, draft: Path) -> dict[str, Path]:
        ctx.use(app)
        out = app.config.rendered_dir / draft.stem
        return render_draft(ctx, draft, (), out)

    result = demo_cycle.run_demo(data_dir, render)
    report = result.report
    click.echo(f"Issue #{result.issue_id} of {demo_cycle.DEMO_AT:%Y-%m-%d} ({demo_cycle.DEMO_LIST}).")
    click.echo(f"  Draft:    {result.draft_path}")
    for locale, folder in result.rendered.items():
        click.echo(f"  HTML {locale}:  {folder / 'issue.html'}  (text: {folder / 'issue.txt'})")
    click.echo(f"  Outbox:   {result.outbox}/  ({len(list(result.outbox.glob('*.eml')))} .eml files)")
    already = report.totals.get("sent", 0) - report.sent
    if report.sent:
        click.echo(f"Sent {report.sent} messages; skipped {report.skipped}.")
    if already:
        click.echo(f"Already sent to {already} recipients earlier: nobody received the issue twice.")
    click.echo(f"The demo used only {data_dir}/ (its own database and outbox), not your configuration.")


def _configured(ctx: Context) -> Config | None:
    """The deployment's configuration, only to keep the demo away from its data; the demo runs
    even when it is missing or broken."""
    try:
        return ctx.config
    except NewsletterError:
        return None


def _example_config() -> Path:
    """The documented example: inside an installed wheel, or at the top of a checkout."""
    packaged = Path(str(resources.files("newsletter") / "_assets" / "config.example.toml"))
    return packaged if packaged.exists() else Path(__file__).resolve().parents[2] / "config.example.toml"


COMMANDS = [init, keygen, demo]
