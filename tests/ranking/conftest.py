"""Fixtures for the ranking tests: the papers of ``papers.py`` and default ranking settings."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from newsletter.config import RankingSection


def load_papers() -> ModuleType:
    """``papers.py`` by path: test folders are not packages, and the digest tests share it."""
    name = "newsletter_test_papers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("papers.py"))
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


#: Loaded now, before the test modules, so that they can reach it as PAPERS_MODULE.
PAPERS_MODULE = load_papers()


@pytest.fixture
def papers() -> ModuleType:
    """The module of named papers (``papers.OTCACHE``, ``papers.DAY`` …)."""
    return PAPERS_MODULE


@pytest.fixture
def settings() -> RankingSection:
    return RankingSection()
