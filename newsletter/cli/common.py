"""What the commands share: the lazily loaded configuration and app, and small option types."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import click

from newsletter.config import Config, load_config
from newsletter.errors import InputError
from newsletter.pipeline import App


@dataclass
class Context:
    """Loaded on first use, so ``--help`` works even with a broken configuration file."""

    config_path: str | None
    _app: App | None = field(default=None, init=False)

    @property
    def config(self) -> Config:
        return self.app.config

    @property
    def app(self) -> App:
        if self._app is None:
            # The command's name, as an issue's history records who moved it: ``cli:send``.
            command = click.get_current_context(silent=True)
            actor = f"cli:{command.info_name}" if command is not None else "cli"
            self._app = App(load_config(self.config_path), actor=actor)
        return self._app

    def use(self, app: App) -> None:
        self._app = app


pass_context = click.make_pass_decorator(Context)


def parse_at(value: str | None, config: Config) -> datetime:
    """``--at``: an ISO time; without an offset it is read in the display time zone; default now."""
    if value is None:
        return datetime.now(config.tz).replace(second=0, microsecond=0)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--at: expected an ISO time like 2026-07-01T09:00, got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=config.tz)


at_option = click.option(
    "--at", "at", metavar="ISO", help="The issue's close, e.g. 2026-07-01T09:00 (default: now, display zone)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
