"""Fixtures for the ranking tests: the papers of ``papers.py`` and default ranking settings."""

from __future__ import annotations

from types import ModuleType

import pytest

from newsletter.config import RankingSection
from tests.ranking import papers as papers_module


@pytest.fixture
def papers() -> ModuleType:
    """The module of named papers (``papers.OTCACHE``, ``papers.DAY`` …)."""
    return papers_module


@pytest.fixture
def settings() -> RankingSection:
    return RankingSection()
