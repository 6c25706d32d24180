"""Commands that serve the web side: ``serve`` (the public endpoints) and ``preview`` (the editor's)."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.cli.common import Context, pass_context

PREVIEW_HOST = "127.0.0.1"


@click.command()
@click.option("--host", default=None, help="Address to bind (default: web.host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: web.port).")
@pass_context
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve one-click unsubscribe (/u/TOKEN), the SendGrid event webhook and the archive (/archive/)."""
    import uvicorn

    from newsletter.web.app import public_app

    config = ctx.config
    app = public_app(config, db=ctx.app.db)
    bind, chosen = host or config.web.host, port or config.web.port
    click.echo(
        f"Serving the public endpoints on http://{bind}:{chosen} (public URL {config.newsletter.public_url})"
    )
    uvicorn.run(app, host=bind, port=chosen, log_level="warning", proxy_headers=True)


@click.command()
@click.argument("draft", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port on 127.0.0.1 (default: web.preview_port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@pass_context
def preview(ctx: Context, draft: Path | None, port: int | None, open_browser: bool) -> None:
    """Preview DRAFT (default: the latest issue's draft) in every locale; reloads on every edit."""
    import uvicorn

    from newsletter.web.app import preview_app
    from newsletter.web.preview import Preview, latest_draft, pipeline_hooks, watched_folders

    config = ctx.config
    path = draft or latest_draft(ctx.app.db)
    state = Preview(
        config=config, db=ctx.app.db, draft_path=path, hooks=pipeline_hooks(config), watched=watched_folders()
    )
    chosen = port or config.web.preview_port
    url = f"http://{PREVIEW_HOST}:{chosen}/"
    click.echo(f"Previewing {path} at {url} (Ctrl-C to stop)")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    # Bound to the loopback address whatever web.host says: the preview can send and approve.
    uvicorn.run(preview_app(state), host=PREVIEW_HOST, port=chosen, log_level="warning")


COMMANDS = [serve, preview]
