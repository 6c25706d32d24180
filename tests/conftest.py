"""Shared test fixtures and the rules for tests that need a real service.

Tests that need PostgreSQL, Chromium or npm run whenever the service is there and skip with a
clear reason elsewhere; ``NEWSLETTER_TEST_STRICT=1`` (set by ``.ci/run``) turns any such skip
into a failure, so in CI they always run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.config import Config, load_config

STRICT_ENV = "NEWSLETTER_TEST_STRICT"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )


def need(available: bool, reason: str) -> None:
    """Skip the calling test when a service is missing, or fail under NEWSLETTER_TEST_STRICT."""
    if available:
        return
    if os.environ.get(STRICT_ENV) == "1":
        pytest.fail(f"{reason} (required because {STRICT_ENV}=1)")
    pytest.skip(reason)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def config(tmp_path: Path) -> Iterator[Config]:
    """A configuration built in a temporary directory: never the user's file or environment."""
    yield load_config(env={}).replace(**{"newsletter.data_dir": str(tmp_path / "var")})
