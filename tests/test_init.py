"""``newsletter init``: writes the configuration, creates a database, and says what an existing one holds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import cli
from newsletter.store import Database, audience
from newsletter.store.schema import Issue
from tests.support import state_snapshot


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSLETTER_CONFIG", raising=False)
    monkeypatch.delenv("NEWSLETTER_DATABASE__URL", raising=False)


def test_init_creates_the_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"Wrote config.toml and created the database at sqlite:///{Path('var') / 'newsletter.db'}."
    )
    assert (tmp_path / "config.toml").is_file()
    assert (tmp_path / "var" / "newsletter.db").is_file()


def test_init_next_to_an_existing_database_says_what_it_holds_and_keeps_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "research-brief")
        audience.ensure_list(session, "weekly")
        for n in range(3):
            audience.subscribe(session, email=f"r{n}@example.org", lists=[brief], consent_source="test")
        close = datetime(2026, 7, 1, tzinfo=UTC)
        session.add(Issue(issue_date=date(2026, 7, 1), window_start=close.replace(day=1), window_end=close))
    monkeypatch.setenv("NEWSLETTER_DATABASE__URL", db.url.render_as_string(hide_password=False))
    url = db.url.render_as_string(hide_password=True)
    before = state_snapshot(db=db)

    result = CliRunner().invoke(cli, ["init"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"Wrote config.toml. The database at {url} already exists and was left as it is: "
        "2 lists, 3 subscribers, 1 issue."
    )
    assert state_snapshot(db=db) == before
