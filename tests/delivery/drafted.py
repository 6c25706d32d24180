"""A drafted issue of the bundled recorded window in a given store, for tests that run ``newsletter``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsletter import pipeline
from newsletter.config import load_config
from newsletter.demo import data_file
from newsletter.store import Database, audience
from newsletter.testing.replay import ArxivReplayServer

SIGNING_KEY = "s" * 32


def write_config(tmp_path: Path, url: str, **delivery: object) -> Path:
    """A config file for the store at ``url`` with the data folder in ``tmp_path``."""
    lines = [
        "[newsletter]",
        f'data_dir = "{tmp_path / "var"}"',
        "[database]",
        f'url = "{url}"',
        "[delivery]",
        *(f"{key} = {value!r}".replace("'", '"') for key, value in delivery.items()),
    ]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def drafted_issue(config_path: Path, subscribers: int) -> int:
    """Draft the recorded window's issue and subscribe ``subscribers`` readers; returns its id."""
    config = load_config(config_path, env={})
    with ArxivReplayServer(data_file("arxiv/2026-07-01.atom.xml")) as server:
        app = pipeline.App(config.replace(**{"arxiv.base_url": server.url, "arxiv.delay_seconds": 0.0}))
        draft = pipeline.build_draft(app, datetime(2026, 7, 1, 9, tzinfo=UTC))
    with app.db.transaction() as session:
        # The issue goes to the lists it was drafted for: newsletter.lists.
        brief = audience.ensure_list(session, config.newsletter.lists[0])
        for n in range(subscribers):
            audience.subscribe(
                session,
                email=f"reader{n}@example.org",
                locale=("en", "ko")[n % 2],
                lists=[brief],
                consent_source="test",
            )
    app.db.dispose()
    return draft.issue_id


def database(config_path: Path) -> Database:
    return Database(load_config(config_path, env={}).database_url)
