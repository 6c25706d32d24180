"""No header value reaches a mail system with a line break: checked once per issue and locale
before anything is claimed, names made one line, and ``render`` writes nothing on such a value."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from newsletter import pipeline
from newsletter.cli import cli
from newsletter.delivery import senders
from newsletter.delivery.base import Campaign
from newsletter.delivery.dispatch import dispatch
from newsletter.delivery.message import check_headers
from newsletter.delivery.outbox import OutboxBackend
from newsletter.delivery.retry import RetryPolicy
from newsletter.delivery.sendgrid import SendGridBackend, request_body
from newsletter.errors import DeliveryError, RenderError
from newsletter.model import Draft, RenderedEmail
from newsletter.store import Database
from newsletter.store.schema import Batch, Send
from tests.support import state_snapshot

from .drafted import SIGNING_KEY, drafted_issue, write_config
from .fake_sendgrid import API_KEY, FakeSendGrid
from .support import campaign, personalizer, populate


def with_subject(base: Campaign, subject: str) -> Campaign:
    return replace(base, email=replace(base.email, subject=subject))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda c: with_subject(c, "Five papers\r\nBcc: victim@example.org"), "subject (en)"),
        (lambda c: with_subject(c, "Five papers\n"), "subject (en)"),
        (lambda c: with_subject(c, "Five\u2028papers"), "subject (en)"),
        (lambda c: replace(c, sender="Brief <brief@example.org>\r\nBcc: x@example.org"), "newsletter.sender"),
        (lambda c: replace(c, reply_to="editor@example.org\nBcc: x@example.org"), "newsletter.reply_to"),
    ],
)
def test_a_header_value_with_a_line_break_is_refused_by_name(change: object, named: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        check_headers(change(campaign("en")))  # type: ignore[operator]
    assert str(caught.value).startswith(f"{named}: expected one line of text for a mail header")
    assert caught.value.permanent


@pytest.mark.parametrize("category", ["newsletter\r", "daily\nBcc: x@example.org", "a\u2028b", "\x00"])
def test_a_sendgrid_category_with_a_line_break_is_refused_before_any_send(category: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        SendGridBackend("SG.key", categories=("newsletter", category))
    message = "delivery.sendgrid.categories: expected one line of text for a mail header"
    assert str(caught.value).startswith(message)
    assert caught.value.permanent


def test_unusual_but_harmless_characters_pass() -> None:
    subject = "Five papers\u00a0·\u200d👩\u200d🔬 확산 모델"
    assert check_headers(with_subject(campaign("ko"), subject)).email.subject == subject


def test_a_name_with_a_line_break_reaches_no_header() -> None:
    person = personalizer(1)(7, "ada@example.org", "Ada\r\nBcc: victim@example.org\x00", "en")
    assert person.recipient.name == "Ada Bcc: victim@example.org"
    (sent,) = request_body(campaign("en"), [person])["personalizations"]
    assert sent["to"] == [{"email": "ada@example.org", "name": "Ada Bcc: victim@example.org"}]


def test_a_subject_with_a_line_break_claims_and_sends_nothing(db: Database, fake: FakeSendGrid) -> None:
    issue = populate(db, 20)
    backend = SendGridBackend(API_KEY, api_host=fake.url, batch_size=5, policy=RetryPolicy(retries=1))

    with pytest.raises(DeliveryError, match=r"^subject \(en\): expected one line"):
        dispatch(
            db,
            backend,
            issue,
            lambda locale: with_subject(campaign(locale, issue), "Five papers\r\nBcc: x@example.org"),
            personalizer(issue),
            worker=senders.holder_id(),
        )

    with db.transaction() as session:
        assert set(session.scalars(select(Send.status))) == {"pending"}
        assert session.scalar(select(func.count()).select_from(Batch)) == 0
    assert fake.requests == 0


def test_render_writes_nothing_when_a_locale_cannot_be_made_into_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSLETTER_SIGNING_KEY", SIGNING_KEY)
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    drafted_issue(config, 0)
    draft = tmp_path / "var" / "drafts" / "2026-07-01.toml"
    # The config and the draft refuse line breaks when they are read, so a locale that fails is
    # simulated: English renders, Korean does not, and nothing of English may be written either.
    real_render = pipeline.render_issue

    def render_issue(app: pipeline.App, parsed: Draft, locale: str, **kwargs: object) -> RenderedEmail:
        if locale == "ko":
            raise RenderError("ko: the template failed")
        return real_render(app, parsed, locale, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "render_issue", render_issue)
    out = tmp_path / "out"
    before = state_snapshot(tmp_path / "var", out)

    result = CliRunner().invoke(cli, ["--config", str(config), "render", str(draft), "--out", str(out)])

    assert result.exit_code == 1
    assert result.output.splitlines() == ["error: ko: the template failed"]
    assert state_snapshot(tmp_path / "var", out) == before
    assert not out.exists() or not any(out.rglob("*"))


def test_every_backend_refuses_a_line_break_in_a_header_as_a_permanent_delivery_error(
    tmp_path: Path, fake: FakeSendGrid
) -> None:
    bad = with_subject(campaign("en"), "Five papers\r\nBcc: victim@example.org")
    people = [personalizer(1)(1, "ada@example.org")]
    outbox = OutboxBackend(tmp_path / "outbox")
    sendgrid = SendGridBackend(API_KEY, api_host=fake.url, batch_size=5, policy=RetryPolicy(retries=1))

    for backend in (outbox, sendgrid):
        with pytest.raises(DeliveryError, match=r"^subject.*: expected one line") as caught:
            backend.send_batch(bad, people)
        assert caught.value.permanent

    assert not any((tmp_path / "outbox").rglob("*.eml"))
    assert fake.requests == 0
