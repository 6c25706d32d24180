"""A real uvicorn server on 127.0.0.1 and headless chromium: the pages as people meet them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from newsletter.config import Config
from newsletter.store import Database
from newsletter.store.schema import StatusChange, Subscriber
from newsletter.unsubscribe import Signer, TokenSubject
from newsletter.web.app import preview_app, public_app
from newsletter.web.preview import Preview, PreviewHooks
from tests.support import need

from .browser import Browser
from .drafts import Outbox, read_json_draft, render, write_back, write_json_draft
from .server import serving

pytestmark = pytest.mark.browser
#: Every email frame of the page has arrived (the frames are sandboxed, so the parent sees only timing).
FRAMES_LOADED = (
    "[...document.querySelectorAll('iframe')].every(f => performance.getEntriesByName(f.src).length > 0)"
)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    need(shutil.which("chromium") is not None, "chromium is not installed (apt-get install chromium)")
    opened = Browser(tmp_path / "profile")
    yield opened
    opened.close()


def test_the_unsubscribe_button_unsubscribes_and_the_page_alone_does_not(
    browser: Browser, config: Config, db: Database, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    subscriber_id = subscriber_ids["ko"]
    token = signer.sign(TokenSubject(subscriber_id=subscriber_id, issue_id=3))
    with serving(public_app(config, db=db, signer=signer)) as base:
        browser.goto(f"{base}/u/{token}")
        assert browser.evaluate("document.documentElement.lang") == "ko"
        # Loading the page, as a link scanner would, must leave the subscriber alone.
        assert status(db, subscriber_id) == ("active", [])
        browser.evaluate("document.querySelector('a[hreflang=en]').click()")
        browser.wait_for("document.documentElement.lang === 'en' && !!document.getElementById('unsubscribe')")
        browser.screenshot(ARTIFACTS / "unsubscribe-page.png")
        browser.evaluate("document.getElementById('unsubscribe').click()")
        notice = browser.wait_for("document.getElementById('notice')?.textContent")
    assert notice
    assert status(db, subscriber_id) == ("unsubscribed", [("unsubscribed", "unsubscribe-link")])


def test_preview_renders_every_locale_and_reloads_after_an_edit(
    browser: Browser, config: Config, db: Database, tmp_path: Path
) -> None:
    draft = tmp_path / "2026-07-01.json"
    picks = [
        {
            "short_name": "OTCache",
            "url": "https://arxiv.org/abs/2607.01234",
            "code_url": "https://github.com/a/b",
        },
        {"short_name": "Broken", "url": "htps//oops", "code_url": "https://github.com/a/b"},
    ]
    write_json_draft(draft, title="Five diffusion papers", picks=picks)
    hooks = PreviewHooks(
        read_draft=read_json_draft, render=render, send_test=Outbox().send_test, write_draft=write_back
    )
    preview = Preview(config=config, db=db, draft_path=draft, hooks=hooks)
    with serving(preview_app(preview)) as base:
        browser.resize(1400, 2900)
        browser.goto(f"{base}/?locale=all")
        widths = browser.evaluate(
            "[...document.querySelectorAll('#locale-ko iframe')].map(f => f.clientWidth)"
        )
        assert sorted(widths) == [375, 800]
        assert browser.evaluate("document.querySelector('#locale-ko .subject').textContent") == (
            "Five diffusion papers (한국어)"
        )
        assert "2 link warnings" in browser.evaluate("document.getElementById('warnings').textContent")
        browser.wait_for(FRAMES_LOADED)
        browser.screenshot(ARTIFACTS / "preview.png")
        # A mark on the window disappears only when the page really reloads.
        browser.evaluate("window.__before_edit = true")
        before = draft.stat().st_mtime_ns
        write_json_draft(draft, title="Six flow papers", picks=picks[:1])
        os.utime(draft, ns=(before + 10**9, before + 10**9))
        browser.wait_for(
            "window.__before_edit === undefined && "
            "document.querySelector('#locale-en .subject')?.textContent === 'Six flow papers'"
        )
        assert "No link problems found" in browser.evaluate("document.getElementById('warnings').textContent")
        browser.wait_for(FRAMES_LOADED)
        browser.screenshot(ARTIFACTS / "preview-after-edit.png")


def status(db: Database, subscriber_id: int) -> tuple[str, list[tuple[str, str]]]:
    with db.transaction() as session:
        subscriber = session.get(Subscriber, subscriber_id)
        assert subscriber is not None
        changes = session.scalars(
            select(StatusChange).where(
                StatusChange.subscriber_id == subscriber_id, StatusChange.via == "unsubscribe-link"
            )
        )
        return subscriber.status, [(c.status, c.via) for c in changes]
