"""A replay server with the recorded window, and a source pointed at it with tiny delays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsletter.config import ArxivSection, Config
from newsletter.demo import data_file
from newsletter.sources.arxiv import ArxivSource
from tests.sources.faults import FaultyReplayServer

RECORDED = data_file("arxiv/2026-07-01.atom.xml")


@pytest.fixture
def replay() -> Iterator[FaultyReplayServer]:
    with FaultyReplayServer(RECORDED) as server:
        yield server


def source_settings(config: Config, server: FaultyReplayServer, **settings: object) -> ArxivSection:
    """arXiv settings pointed at ``server``, with delays and timeouts small enough for tests."""
    values: dict[str, object] = {
        "arxiv.base_url": server.url,
        "arxiv.delay_seconds": 0.05,
        "arxiv.timeout_seconds": 2.0,
        "arxiv.retries": 2,
    }
    values.update({f"arxiv.{key}": value for key, value in settings.items()})
    return config.replace(**values).arxiv


def fast_source(config: Config, server: FaultyReplayServer, **settings: object) -> ArxivSource:
    """The real source, with delays and timeouts small enough for tests."""
    return ArxivSource(source_settings(config, server, **settings))
