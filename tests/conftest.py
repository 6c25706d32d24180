"""Shared test fixtures and the rules for tests that need a real service.

Tests that need PostgreSQL, Chromium or npm run whenever the service is there and skip with a
clear reason elsewhere; ``NEWSLETTER_TEST_STRICT=1`` (set by ``.ci/run``) turns any such skip
into a failure, so in CI they always run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.config import Config, load_config
from newsletter.demo import data_file, load_sample_list
from newsletter.pipeline import App
from newsletter.store import Database
from newsletter.testing.replay import ArxivReplayServer
from tests.support import postgres_schema


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def config(tmp_path: Path) -> Iterator[Config]:
    """A configuration built in a temporary directory: never the user's file or environment."""
    return load_config(env={}).replace(**{"newsletter.data_dir": str(tmp_path / "var")})


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections, in any process, see only a fresh schema of this test."""
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLite file, or a fresh PostgreSQL schema that every process of the test shares.

    Every test that needs a store takes this or ``db`` (built on it), so each runs on both.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An empty store with the schema created, at ``db_url``."""
    database = Database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def demo_app(config: Config) -> Iterator[App]:
    """The app on the bundled recorded window (served from 127.0.0.1) with the sample list loaded."""
    with ArxivReplayServer(data_file("arxiv/2026-07-01.atom.xml")) as server:
        app = App(config.replace(**{"arxiv.base_url": server.url, "arxiv.delay_seconds": 0.0}))
        load_sample_list(app)
        yield app
