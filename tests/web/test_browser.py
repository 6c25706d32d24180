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
from newsletter.store.audience import set_status, subscribe
from newsletter.store.schema import StatusChange, Subscriber, SubscriberStatus
from newsletter.unsubscribe import Signer, TokenSubject
from newsletter.web.app import preview_app, public_app
from newsletter.web.preview import Preview, PreviewHooks
from tests.browser import Browser
from tests.support import need

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


#: Nothing on the page may stick out of it: no sideways scrolling, no element past the card's edge.
NO_OVERFLOW = (
    "(() => { const main = document.querySelector('main').getBoundingClientRect();"
    " const out = [...document.querySelectorAll('main *')].filter("
    "   e => e.getBoundingClientRect().right > main.right + 0.5).map(e => e.outerHTML.slice(0, 80));"
    " if (document.documentElement.scrollWidth > window.innerWidth) out.push('page scrolls sideways');"
    " return out; })()"
)
STATE = "document.getElementById('state')?.dataset.state"
WIDTHS = (375, 600)


def look(browser: Browser, name: str) -> None:
    """Screenshot the page at each width, failing if anything overflows there."""
    for width in WIDTHS:
        browser.resize(width, 800)
        assert browser.evaluate(NO_OVERFLOW) == [], f"{name} at {width} px"
        browser.screenshot(ARTIFACTS / "unsubscribe" / f"{name}-{width}.png")
    browser.resize(600, 800)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_state_of_the_subscribers_pages_in_both_languages(
    browser: Browser,
    config: Config,
    db: Database,
    signer: Signer,
    subscriber_ids: dict[str, int],
    lang: str,
) -> None:
    other = "ko" if lang == "en" else "en"
    subscriber_id = subscriber_ids[lang]
    token = signer.sign(TokenSubject(subscriber_id=subscriber_id, issue_id=3))
    with db.transaction() as session:
        bounced, _ = subscribe(session, email=f"gone-{lang}@example.org", locale=lang, consent_source="test")
        set_status(session, bounced, SubscriberStatus.BOUNCED, via="webhook", reason="bounce")
        bounced_token = signer.sign(TokenSubject(subscriber_id=bounced.id, issue_id=3))
    with serving(public_app(config, db=db, signer=signer)) as base:
        browser.resize(600, 800)
        browser.goto(f"{base}/u/{token}")
        assert (browser.evaluate(STATE), browser.evaluate("document.documentElement.lang")) == (
            "active",
            lang,
        )
        # Loading the page, as a link scanner would, must leave the subscriber alone.
        assert status(db, subscriber_id) == ("active", [])
        look(browser, f"active-{lang}")

        # The email's "Change language" link opens on the language form, above the button.
        browser.goto(f"{base}/u/{token}?lang={lang}#language")
        browser.wait_for("document.querySelector(':target')?.id === 'language'")
        for width in WIDTHS:
            browser.resize(width, 800)
            top = browser.evaluate("document.getElementById('language').getBoundingClientRect().top")
            button = browser.evaluate("document.getElementById('unsubscribe').getBoundingClientRect().top")
            save = browser.evaluate("document.getElementById('save-language').getBoundingClientRect().bottom")
            assert 0 <= top < button, width
            assert save <= 800, width
        look(browser, f"language-link-{lang}")

        # ?lang changes the page only: the dropdown still shows the stored language.
        browser.evaluate(f"document.querySelector('nav a[hreflang={other}]').click()")
        browser.wait_for(f"document.documentElement.lang === '{other}'")
        assert browser.evaluate("document.getElementById('locale').value") == lang

        # Saving a language answers in it, on the language form.
        browser.evaluate(f"document.getElementById('locale').value = '{other}'")
        browser.evaluate("document.getElementById('save-language').click()")
        browser.wait_for("document.getElementById('notice')?.textContent")
        assert browser.evaluate("document.documentElement.lang") == other
        assert browser.evaluate("document.querySelector(':target')?.id") == "language"
        look(browser, f"language-saved-{lang}-to-{other}")
        browser.evaluate(f"document.getElementById('locale').value = '{lang}'")
        browser.evaluate("document.getElementById('save-language').click()")
        browser.wait_for(f"document.documentElement.lang === '{lang}' && !!document.getElementById('notice')")

        browser.goto(f"{base}/u/{token}")
        browser.evaluate("document.getElementById('unsubscribe').click()")
        assert browser.wait_for(STATE + " === 'unsubscribed'")
        assert browser.evaluate("document.getElementById('unsubscribe')") is None
        assert status(db, subscriber_id) == ("unsubscribed", [("unsubscribed", "unsubscribe-link")])
        look(browser, f"unsubscribed-{lang}")

        browser.goto(f"{base}/u/{token}")
        assert browser.evaluate(STATE) == "already-unsubscribed"
        look(browser, f"already-unsubscribed-{lang}")

        browser.evaluate("document.getElementById('undo').click()")
        assert browser.wait_for(STATE + " === 'resubscribed'")
        assert status(db, subscriber_id)[0] == "active"
        look(browser, f"resubscribed-{lang}")

        browser.goto(f"{base}/u/{bounced_token}")
        assert (browser.evaluate(STATE), browser.evaluate("document.documentElement.lang")) == (
            "stopped",
            lang,
        )
        look(browser, f"stopped-{lang}")

        browser.goto(f"{base}/u/not-a-token?lang={lang}")
        assert (browser.evaluate(STATE), browser.evaluate("document.documentElement.lang")) == (
            "invalid",
            lang,
        )
        look(browser, f"invalid-{lang}")


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
