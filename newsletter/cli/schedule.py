"""Operations commands: the long-running scheduler, its next fire times, and backups."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

import click

from newsletter.backup import backup_sqlite
from newsletter.cli.common import Context, echo_json, json_option, pass_context
from newsletter.errors import ConfigError
from newsletter.logs import configure_logging
from newsletter.scheduler import timing
from newsletter.window import ARXIV_ZONE


@click.command()
@click.option(
    "--next",
    "count",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Print the next N fire times and exit.",
)
@json_option
@pass_context
def schedule(ctx: Context, count: int | None, as_json: bool) -> None:
    """Run the daily job until SIGTERM or SIGINT: after each arXiv announcement, or at schedule.cron.

    --next N prints the next fire times on both clocks, the display time zone's and US Eastern.
    """
    config = ctx.config
    trigger = timing.schedule_trigger(config.schedule, config.tz)
    if count is not None:
        now = datetime.now(config.tz)
        upcoming = timing.upcoming(trigger, now, count)
        if not upcoming:
            # The loader refuses a cron that never fires, so this is a safeguard, not a path.
            raise ConfigError(
                "schedule.cron",
                f"never fires after {now:%Y-%m-%d %H:%M %Z}, got {config.schedule.cron!r}",
                source=config.source,
            )
        if as_json:
            echo_json([fire_time_json(fire) for fire in upcoming])
            return
        for fire in upcoming:
            click.echo(fire_time_line(fire))
        return
    from newsletter.scheduler import daily, service

    # A long-running process reports every event; -vv still gives DEBUG.
    configure_logging(min(logging.getLogger().getEffectiveLevel(), logging.INFO), json_lines=as_json)
    click.echo(
        f"Scheduling {timing.describe(config.schedule, config.newsletter.timezone)}; "
        "stop with Ctrl-C or SIGTERM."
    )
    service.serve(daily.build_service(ctx.app))


def fire_time_json(fire: timing.FireTime) -> dict[str, object]:
    return {
        "at": fire.at.isoformat(),
        "at_us_eastern": fire.at.astimezone(ARXIV_ZONE).isoformat(),
        "last_announcement": fire.last_announcement.isoformat(),
        "new_announcement": fire.new_announcement,
    }


def fire_time_line(fire: timing.FireTime) -> str:
    """One fire time on both clocks: ``Mon 2026-03-09 09:30 KST = Sun 20:30 EDT  …``."""
    eastern = fire.at.astimezone(ARXIV_ZONE)
    note = "" if fire.new_announcement else "  (no arXiv announcement since the previous run: expect a skip)"
    return (
        f"{fire.at:%a %Y-%m-%d %H:%M %Z} = {eastern:%a %H:%M %Z}"
        f"  latest arXiv announcement {fire.last_announcement:%a %H:%M}{note}"
    )


@click.command()
@click.argument("target", type=click.Path())
@pass_context
def backup(ctx: Context, target: str) -> None:
    """Copy the SQLite store to TARGET while everything keeps running.

    TARGET is a file, or a folder when it ends in / or is one: the folder is created if need
    be and the copy gets a dated name inside it.
    """
    # Path() drops a trailing slash, so whether TARGET names a folder is read from the text.
    folder = target.endswith(("/", os.sep))
    written = backup_sqlite(ctx.app.db, Path(target), folder=folder)
    click.echo(f"Backed up {ctx.config.database_url} to {written}")


COMMANDS = [schedule, backup]
