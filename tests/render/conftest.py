"""Fixtures for the render tests: the sample draft and both locales rendered from it."""

from __future__ import annotations

import pytest

from newsletter.config import Config
from newsletter.model import Draft, RenderedEmail
from newsletter.render import render_email

from .sample import SEND_TIME, sample_draft


@pytest.fixture
def draft() -> Draft:
    return sample_draft()


@pytest.fixture(params=["en", "ko"])
def rendered(request: pytest.FixtureRequest, draft: Draft, config: Config) -> RenderedEmail:
    """The sample issue rendered in each shipped locale, as its send renders it."""
    return render_email(draft, request.param, config.render_settings(), send_time=SEND_TIME)
