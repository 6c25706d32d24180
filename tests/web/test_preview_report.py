"""The preview of a sent issue shows its delivery report; a draft's preview does not."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.store import Database
from newsletter.store.audience import ensure_list, subscribe
from newsletter.store.schema import DeliveryEvent, Send, SendStatus
from newsletter.web.app import preview_app
from newsletter.web.preview import Preview, PreviewHooks

from .drafts import Outbox, read_json_draft, render, write_back, write_json_draft
from .test_preview import add_issue

PICKS = [
    {"short_name": "OTCache", "url": "https://arxiv.org/abs/2607.01234", "code_url": "https://github.com/a/o"}
]


def _client(config: Config, db: Database, draft: Path) -> TestClient:
    hooks = PreviewHooks(
        read_draft=read_json_draft, render=render, send_test=Outbox().send_test, write_draft=write_back
    )
    return TestClient(
        preview_app(Preview(config=config, db=db, draft_path=draft, hooks=hooks)), base_url="http://127.0.0.1"
    )


def _send(db: Database, issue: int) -> None:
    with db.transaction() as session:
        brief = ensure_list(session, "brief")
        person, _ = subscribe(session, email="ada@example.org", lists=[brief], consent_source="test")
        session.add(Send(issue_id=issue, subscriber_id=person.id, locale="en", status=SendStatus.SENT.value))
        session.add(
            DeliveryEvent(
                event_id="c1",
                event="click",
                issue_id=issue,
                subscriber_id=person.id,
                occurred_at=datetime(2026, 7, 1, tzinfo=UTC),
                url="https://arxiv.org/abs/2607.01234",
            )
        )


@pytest.mark.parametrize(
    ("status", "tracking", "shown"),
    [
        ("draft", False, None),
        ("approved", True, None),
        ("sent", False, ["sent", "delivered", "bounced", "complained", "unsubscribed"]),
        ("sent", True, ["sent", "delivered", "bounced", "complained", "unsubscribed", "opened", "clicked"]),
        ("paused", False, ["sent", "delivered", "bounced", "complained", "unsubscribed"]),
    ],
)
def test_the_report_appears_once_the_issue_is_sent(
    config: Config, db: Database, tmp_path: Path, status: str, tracking: bool, shown: list[str] | None
) -> None:
    draft = tmp_path / "2026-07-01.json"
    write_json_draft(draft, title="Five diffusion papers", picks=PICKS)
    issue = add_issue(db, draft, status=status)
    _send(db, issue)

    page = _client(config.replace(**{"delivery.tracking": tracking}), db, draft).get("/")

    report = lxml.html.fromstring(page.text).xpath("//section[@id='report']")
    if shown is None:
        assert report == []
        return
    assert [th.text_content() for th in report[0].xpath(".//thead//th[@scope='col']")] == shown
    assert report[0].xpath(".//tbody/tr[1]/td/text()")[0] == "1"
    assert ("https://arxiv.org/abs/2607.01234" in report[0].text_content()) is tracking
