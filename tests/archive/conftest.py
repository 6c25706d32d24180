"""Fixtures for the archive: issues in the store in every state, each with a real draft file."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from newsletter.archive import Archive
from newsletter.config import Config
from newsletter.digest import write_draft
from newsletter.model import Window
from newsletter.store import Database
from newsletter.store.schema import Issue, IssueStatus
from tests.render.sample import sample_draft

PUBLIC_URL = "https://brief.example.org"


class Publisher:
    """Adds issues with a draft file each, as the pipeline leaves them."""

    def __init__(self, db: Database, folder: Path) -> None:
        self.db = db
        self.folder = folder

    def add(
        self, day: date, *, status: str = IssueStatus.SENT.value, hidden: bool | None = False, title: str = ""
    ) -> int:
        end = datetime.combine(day, time(0), UTC)
        draft = dataclasses.replace(
            sample_draft(),
            issue_date=day,
            window=Window(start=end - timedelta(days=1), end=end),
            title={"en": title or f"Issue of {day.isoformat()}", "ko": f"{day.isoformat()} 호"},
        )
        path = self.draft_path(day)
        write_draft(draft, path)
        with self.db.transaction() as session:
            issue = Issue(
                issue_date=day,
                window_start=draft.window.start,
                window_end=end,
                status=status,
                draft_path=str(path),
                sent_at=end + timedelta(hours=1) if status == IssueStatus.SENT.value else None,
                hidden=hidden,
            )
            session.add(issue)
            session.flush()
            return issue.id

    def draft_path(self, day: date) -> Path:
        return self.folder / f"{day.isoformat()}.toml"


@pytest.fixture
def site_config(config: Config) -> Config:
    return config.replace(**{"newsletter.public_url": PUBLIC_URL})


@pytest.fixture
def publisher(db: Database, tmp_path: Path) -> Publisher:
    return Publisher(db, tmp_path / "drafts")


@pytest.fixture
def archive(site_config: Config, db: Database) -> Archive:
    """An archive that reads the store on every request, so a change shows at once."""
    return Archive(site_config, db, refresh_seconds=0)
