"""Fixtures for the writing tests: the demo window's app with the writer pointed at a fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from newsletter.pipeline import App
from tests.writing.fake_llm import FakeLLM, Script
from tests.writing.texts import good_reply

SEOUL = ZoneInfo("Asia/Seoul")
AT = datetime(2026, 7, 1, 9, tzinfo=SEOUL)


@pytest.fixture
def fake_llm() -> Iterator[Callable[..., FakeLLM]]:
    """Start a fake API with a script; stopped at the end of the test."""
    started: list[FakeLLM] = []

    def start(script: Script = good_reply) -> FakeLLM:
        server = FakeLLM(script).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__()


@pytest.fixture
def writing_app(demo_app: App) -> Callable[..., App]:
    """The demo app with ``writing.backend = "openai"`` at ``url`` and small timeouts."""

    def make(url: str, **settings: object) -> App:
        keys = {
            "writing.backend": "openai",
            "writing.base_url": url,
            "writing.model": "fake-model",
            "writing.timeout_seconds": 2.0,
            "writing.max_retries": 1,
            "writing.deadline_seconds": 30.0,
        }
        keys.update({f"writing.{k}": v for k, v in settings.items()})
        app = App(demo_app.config.replace(**keys))
        app.__dict__["db"] = demo_app.db
        return app

    return make
