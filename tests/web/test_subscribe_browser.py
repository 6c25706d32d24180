"""The whole sign-up journey in chromium, in both languages, with each page's phone layout.

subscribe → confirmation email (from the outbox) → confirm → welcome email → choose lists →
unsubscribe → undo. Screenshots at 375 and 600 px go to tests/artifacts/signup/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from newsletter.config import Config
from newsletter.store import Database
from newsletter.store.schema import MailingList, Membership, Subscriber
from newsletter.unsubscribe import Signer
from newsletter.web.app import public_app
from tests.browser import Browser
from tests.support import need

from .server import serving
from .signups import html_of, link_in, notices_to, signup_config
from .test_browser import NO_OVERFLOW, STATE

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "signup"
WIDTHS = (375, 600)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    need(shutil.which("chromium") is not None, "chromium is not installed (apt-get install chromium)")
    opened = Browser(tmp_path / "profile")
    yield opened
    opened.close()


def look(browser: Browser, name: str, *, page: bool = True) -> None:
    """Screenshot at each width, failing if anything sticks out (an email has no ``main``)."""
    for width in WIDTHS:
        browser.resize(width, 900)
        if page:
            assert browser.evaluate(NO_OVERFLOW) == [], f"{name} at {width} px"
        else:
            overflow = "document.documentElement.scrollWidth > window.innerWidth"
            assert browser.evaluate(overflow) is False, f"{name} at {width} px"
        browser.screenshot(ARTIFACTS / f"{name}-{width}.png")
    browser.resize(600, 900)


def click(browser: Browser, element: str, state: str) -> None:
    browser.evaluate(f"document.getElementById('{element}').click()")
    assert browser.wait_for(f"{STATE} === '{state}'"), state


def show_email(browser: Browser, html: str, path: Path) -> None:
    path.write_text(html, encoding="utf-8")
    browser.goto(path.as_uri())


def lists_of(db: Database, email: str) -> list[str]:
    with db.transaction() as session:
        query = (
            select(MailingList.name)
            .join(Membership)
            .join(Subscriber, Subscriber.id == Membership.subscriber_id)
            .where(Subscriber.email_key == email)
        )
        return sorted(session.scalars(query))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_whole_sign_up_journey_in_chromium(
    browser: Browser, config: Config, db: Database, signer: Signer, tmp_path: Path, lang: str
) -> None:
    config = signup_config(config)
    address = f"journey-{lang}@example.org"
    with serving(public_app(config, db=db, signer=signer)) as base:
        browser.resize(600, 900)
        browser.goto(f"{base}/subscribe?lang={lang}")
        assert (browser.evaluate(STATE), browser.evaluate("document.documentElement.lang")) == ("form", lang)
        look(browser, f"form-{lang}")
        browser.evaluate(f"document.getElementById('email').value = '{address}'")
        browser.evaluate("document.querySelector('input[name=\"list-papers\"]').click()")
        click(browser, "subscribe", "sent")
        look(browser, f"sent-{lang}")

        (confirmation,) = notices_to(config, address)
        assert confirmation["Content-Language"] == lang
        show_email(browser, html_of(confirmation), tmp_path / "confirm.html")
        look(browser, f"confirm-email-{lang}", page=False)

        browser.goto(base + link_in(confirmation, "/subscribe/confirm/"))
        assert browser.evaluate("document.documentElement.lang") == lang
        look(browser, f"confirm-{lang}")
        click(browser, "confirm", "confirmed")
        look(browser, f"confirmed-{lang}")
        assert lists_of(db, address) == ["brief"]

        welcome = notices_to(config, address)[-1]
        show_email(browser, html_of(welcome), tmp_path / "welcome.html")
        look(browser, f"welcome-email-{lang}", page=False)

        preferences = base + link_in(welcome, "/u/")
        browser.goto(preferences)
        assert browser.evaluate(STATE) == "active"
        assert browser.evaluate("document.getElementById('joined').textContent")
        look(browser, f"preferences-{lang}")
        browser.evaluate("document.querySelector('#lists-section input[name=\"list-papers\"]').click()")
        browser.evaluate("document.getElementById('save-lists').click()")
        browser.wait_for("!!document.getElementById('lists-notice')")
        assert lists_of(db, address) == ["brief", "papers"]
        look(browser, f"lists-saved-{lang}")

        click(browser, "unsubscribe", "unsubscribed")
        look(browser, f"unsubscribed-{lang}")
        click(browser, "undo", "resubscribed")
        look(browser, f"resubscribed-{lang}")
        with db.transaction() as session:
            found = session.scalar(select(Subscriber).where(Subscriber.email_key == address))
            assert found is not None
            assert found.status == "active"


def test_the_readme_snippet_on_another_site_signs_up_after_one_more_press(
    browser: Browser, config: Config, db: Database, signer: Signer, tmp_path: Path
) -> None:
    """The snippet's post carries no CSRF token: the answer is the form, filled in, whose button
    then sends it from here (the cookie it sets is same-site for that second post)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    snippet = readme.split("```html\n", 1)[1].split("```", 1)[0]
    config = signup_config(config, **{"newsletter.public_lists": ["research-brief"]})
    with serving(public_app(config, db=db, signer=signer)) as base:
        page = tmp_path / "operator-site.html"
        page.write_text(snippet.replace("https://brief.example.org", base), encoding="utf-8")
        browser.goto(page.as_uri())
        browser.evaluate("document.getElementById('nl-email').value = 'from-site@example.org'")
        browser.evaluate("document.getElementById('nl-locale').value = 'ko'")
        browser.evaluate("document.querySelector('button').click()")
        assert browser.wait_for(f"{STATE} === 'form'")
        assert browser.evaluate("document.getElementById('email').value") == "from-site@example.org"
        click(browser, "subscribe", "sent")
    (mail,) = notices_to(config, "from-site@example.org")
    assert mail["Content-Language"] == "ko"
