"""A machine-written issue against tests/golden/machine/<locale>/, in both languages.

The recorded window of 2026-07-01 is drafted with ``writing.backend = "openai"`` pointed at
the fake API on 127.0.0.1, which answers with fixed text built from each prompt's record
(tests/writing/texts.py): every field passes the fact guard, so the email shows the
machine-written English and Korean body. Regenerate with ``make golden`` and review the diff.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from newsletter import pipeline
from newsletter.pipeline import App
from newsletter.render import render_email
from tests.render.test_golden import GOLDEN, _squash
from tests.writing.conftest import AT, fake_llm, writing_app  # noqa: F401 - fixtures
from tests.writing.fake_llm import FakeLLM
from tests.writing.texts import good_reply

GENERATED_AT = datetime(2026, 7, 1, 0, 24, tzinfo=UTC)


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_machine_written_issue_matches_golden(
    fake_llm: Callable[..., FakeLLM],  # noqa: F811 - the imported fixture
    writing_app: Callable[..., App],  # noqa: F811 - the imported fixture
    locale: str,
    update_golden: bool,
) -> None:
    app = writing_app(fake_llm(good_reply).url)
    result = pipeline.build_draft(app, AT)
    assert result.writing.machine == 52
    draft = dataclasses.replace(result.draft, generated_at=GENERATED_AT)
    pinned = app.config.replace(
        **{
            "newsletter.name": "Research Brief",
            "newsletter.postal_address": "Research Brief, 1 Example Street, Seoul 04524, Republic of Korea",
            "newsletter.public_url": "https://brief.example.org",
            "newsletter.timezone": "Asia/Seoul",
        }
    )
    rendered = render_email(draft, locale, pinned.render_settings())
    files = {
        "issue.html": rendered.html,
        "issue.txt": rendered.text,
        "headers.txt": f"Subject: {rendered.subject}\nPreheader: {rendered.preheader}\n",
    }
    folder = GOLDEN / "machine" / locale
    if update_golden:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (folder / name).write_text(content, encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        assert path.is_file(), f"{path} is missing: run make golden"
        expected = path.read_text(encoding="utf-8")
        assert _squash(content) == _squash(expected), f"{path} differs: review, then run make golden"
