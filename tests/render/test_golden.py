"""The sample issue against tests/golden/<locale>/: any change to the email shows up as a diff.

Compared whitespace-insensitively, so re-indenting a template is not a change. Regenerate only
on purpose, with ``make golden`` (``pytest tests/render --update-golden``), and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.config import Config
from newsletter.model import Draft
from newsletter.render import render_email

from .sample import SEND_TIME

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_sample_issue_matches_golden(draft: Draft, config: Config, locale: str, update_golden: bool) -> None:
    # Pinned here so a change to the configuration defaults does not read as a change to the email.
    pinned = config.replace(
        **{
            "newsletter.name": "Research Brief",
            "newsletter.postal_address": "Research Brief, 1 Example Street, Seoul 04524, Republic of Korea",
            "newsletter.public_url": "https://brief.example.org",
            "newsletter.timezone": "Asia/Seoul",
        }
    )
    rendered = render_email(draft, locale, pinned.render_settings(), send_time=SEND_TIME)
    files = {
        "issue.html": rendered.html,
        "issue.txt": rendered.text,
        "headers.txt": f"Subject: {rendered.subject}\nPreheader: {rendered.preheader}\n",
    }
    folder = GOLDEN / locale
    if update_golden:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (folder / name).write_text(content, encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        assert path.is_file(), f"{path} is missing: run make golden"
        expected = path.read_text(encoding="utf-8")
        assert _squash(content) == _squash(expected), f"{path} differs: review, then run make golden"
