"""Fixtures for the draft tests: the ranking tests' papers, ranked, and a composed draft."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

from newsletter.config import RankingSection
from newsletter.digest import compose_draft
from newsletter.model import Draft, Pick, Window
from newsletter.ranking import rank
from tests.ranking import papers as papers_module

WINDOW = Window(start=datetime(2026, 6, 30, 0, 20, tzinfo=UTC), end=datetime(2026, 7, 1, 0, 0, tzinfo=UTC))
ISSUE_DATE = date(2026, 7, 1)
GENERATED_AT = datetime(2026, 7, 1, 0, 24, tzinfo=UTC)


@pytest.fixture
def papers() -> ModuleType:
    return papers_module


@pytest.fixture
def settings() -> RankingSection:
    return RankingSection()


@pytest.fixture
def picks(papers: ModuleType, settings: RankingSection) -> list[Pick]:
    return rank(papers.DAY, settings)


def _compose(picks: list[Pick], *, locales: tuple[str, ...] = ("en", "ko")) -> Draft:
    return compose_draft(
        picks,
        window=WINDOW,
        issue_date=ISSUE_DATE,
        candidates=11,
        locales=locales,
        tz=ZoneInfo("Asia/Seoul"),
        topic_terms=RankingSection().topic_terms,
        generated_at=GENERATED_AT,
    )


@pytest.fixture
def compose() -> Callable[..., Draft]:
    """Compose a draft of the given picks for the fixed window, clock and time zone."""
    return _compose


@pytest.fixture
def draft(picks: list[Pick]) -> Draft:
    return _compose(picks)
