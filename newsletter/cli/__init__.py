"""The ``newsletter`` command: one group, errors printed as one line in one place.

Each command lives in a module named after what it works on and stays thin: it parses its
options, calls :mod:`newsletter.pipeline` (or the store) and prints the result.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from newsletter import __version__
from newsletter.cli import archive, audience, issue, schedule, setup, web
from newsletter.cli.common import Context
from newsletter.errors import NewsletterError
from newsletter.logs import configure_logging


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsletterError as error:
            # One line, whatever a library put in the message (lxml's errors carry line breaks).
            click.secho(f"error: {' '.join(str(error).split())}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="NEWSLETTER_CONFIG",
    help="Configuration file (default: $NEWSLETTER_CONFIG, else ./config.toml, else built-in defaults).",
)
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.version_option(__version__, prog_name="newsletter")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """Write and send a bilingual daily arXiv research digest."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    configure_logging(level)
    ctx.obj = Context(config_path)


for module in (setup, issue, audience, schedule, web, archive):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli(prog_name="newsletter")
