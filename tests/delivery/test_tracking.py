"""Open and click tracking: off unless ``delivery.tracking`` is on, and said explicitly either way."""

from __future__ import annotations

import dataclasses

import pytest

from newsletter.config import Config
from newsletter.delivery.sendgrid import request_body
from newsletter.render import render_email
from tests.render.sample import sample_draft

from .fake_sendgrid import request_validator
from .support import campaign, person


@pytest.mark.parametrize("tracking", [False, True])
def test_the_request_says_whether_sendgrid_may_track(tracking: bool) -> None:
    chosen = dataclasses.replace(campaign("en", issue_id=2), tracking=tracking)

    body = request_body(chosen, [person(1, "ada@example.org", issue_id=2)])

    assert list(request_validator().iter_errors(body)) == []
    settings = body["tracking_settings"]
    assert settings["open_tracking"]["enable"] is tracking
    assert settings["click_tracking"]["enable"] is tracking


def test_tracking_is_off_by_default(config: Config) -> None:
    assert config.delivery.tracking is False
    assert campaign().tracking is False


#: What the footer says when tracking is on, per locale.
NOTICES = {
    "en": "This email counts opens and clicks",
    "ko": "열람과 클릭을 집계합니다",
}


@pytest.mark.parametrize("locale", ["en", "ko"])
@pytest.mark.parametrize("tracking", [False, True])
def test_the_footer_says_when_tracking_is_on(config: Config, locale: str, tracking: bool) -> None:
    rendered = render_email(
        sample_draft(), locale, config.replace(**{"delivery.tracking": tracking}).render_settings()
    )

    assert (NOTICES[locale] in rendered.html) is tracking
    assert (NOTICES[locale] in rendered.text) is tracking
    # The web version is never tracked, so it never says so.
    web = render_email(
        sample_draft(), locale, config.replace(**{"delivery.tracking": True}).render_settings(), web=True
    )
    assert NOTICES[locale] not in web.html
