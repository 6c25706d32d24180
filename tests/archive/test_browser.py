"""The archive in headless chromium at phone width: the list and an issue, in both languages."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from newsletter.archive import Archive
from newsletter.config import Config
from newsletter.store import Database
from newsletter.unsubscribe import Signer
from newsletter.web.app import public_app
from tests.browser import Browser
from tests.support import need
from tests.web.server import serving

from .conftest import Publisher

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "archive"
PHONE = 375

#: What sticks out sideways at this width: the page scrolling, or an element past the viewport.
OVERFLOW = (
    "(() => { const out = [...document.querySelectorAll('body *')].filter("
    "   e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && e.getClientRects().length)"
    "   .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40));"
    " if (document.documentElement.scrollWidth > window.innerWidth) out.push('page scrolls sideways');"
    " return out; })()"
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    need(shutil.which("chromium") is not None, "chromium is not installed (apt-get install chromium)")
    opened = Browser(tmp_path / "profile", width=PHONE, height=800)
    yield opened
    opened.close()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("locale", "other", "switch"), [("en", "ko", "한국어"), ("ko", "en", "English")])
def test_the_list_and_an_issue_read_on_a_phone(
    browser: Browser,
    site_config: Config,
    db: Database,
    publisher: Publisher,
    locale: str,
    other: str,
    switch: str,
) -> None:
    for n in range(3):
        publisher.add(date(2026, 7, 1) + timedelta(days=n))
    app = public_app(
        site_config,
        db=db,
        signer=Signer([b"archive-browser-key-0123456789ab"]),
        archive=Archive(site_config, db),
    )

    with serving(app) as base:
        for name, path in (("list", f"/archive/{locale}/"), ("issue", f"/archive/{locale}/2026-07-03/")):
            browser.goto(base + path)
            browser.resize(PHONE, 800)

            assert browser.evaluate("document.documentElement.lang") == locale
            assert browser.evaluate(OVERFLOW) == [], f"{name} ({locale}) at {PHONE} px"
            link = browser.evaluate(
                f"(() => {{ const a = document.querySelector('body a[hreflang={other}]');"
                " const box = a.getBoundingClientRect();"
                " const inside = box.left >= 0 && box.right <= window.innerWidth && box.height > 0;"
                " return [a.textContent, inside]; })()"
            )
            assert link == [switch, True]
            heading = browser.evaluate("getComputedStyle(document.querySelector('h1')).fontSize")
            assert float(heading.removesuffix("px")) >= 20
            browser.screenshot(ARTIFACTS / f"{name}-{locale}-{PHONE}.png")
            # The whole issue is too tall to read at once: its top and its footer, as a reader sees them.
            height = browser.evaluate("document.documentElement.scrollHeight")
            for part, top in (("top", 0), ("end", max(0, height - 800))):
                _clip(browser, ARTIFACTS / f"{name}-{locale}-{PHONE}-{part}.png", top)


def _clip(browser: Browser, path: Path, top: int) -> None:
    clip = {"x": 0, "y": top, "width": PHONE, "height": 800, "scale": 1}
    data = browser.send(
        "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}, session=True
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data["data"]))
