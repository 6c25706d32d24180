"""The preview on the real stages: the demo's draft, the real renderer, the outbox backend."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from newsletter import pipeline
from newsletter.digest import read_draft
from newsletter.store import issues
from newsletter.store import sends as send_records
from newsletter.web.app import preview_app
from newsletter.web.preview import Preview, pipeline_hooks

CLOSE = datetime(2026, 7, 1, 9, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture
def drafted(demo_app: pipeline.App) -> tuple[pipeline.App, pipeline.DraftResult]:
    return demo_app, pipeline.build_draft(demo_app, CLOSE)


@pytest.fixture
def client(drafted: tuple[pipeline.App, pipeline.DraftResult]) -> TestClient:
    app, draft = drafted
    preview = Preview(config=app.config, db=app.db, draft_path=draft.path, hooks=pipeline_hooks(app.config))
    return TestClient(preview_app(preview), base_url="http://127.0.0.1")


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_every_locale_is_rendered_by_the_real_renderer(
    client: TestClient, drafted: tuple[pipeline.App, pipeline.DraftResult]
) -> None:
    _, draft = drafted
    page = client.get("/?locale=all").text
    assert draft.draft.title["en"] in page
    assert draft.draft.title["ko"] in page
    assert "리서치 브리프" in page  # The Korean email's chrome, from the real catalog.
    assert re.search(r"\d+(\.\d)? KB of the 102 KB", page)
    assert "link warning" not in page
    assert f"issue #{draft.issue_id} to research-brief · draft" in page


def test_send_test_goes_through_the_outbox_and_keeps_no_record(
    client: TestClient, drafted: tuple[pipeline.App, pipeline.DraftResult]
) -> None:
    app, draft = drafted
    client.post("/send-test", data={"csrf": _csrf(client.get("/?locale=ko").text), "locale": "ko"})
    assert not (app.config.outbox_dir / f"issue-{draft.issue_id}").exists()
    sent = list((app.config.outbox_dir / f"issue-{draft.issue_id}-test").glob("*.eml"))
    assert len(sent) == 1
    message = email.message_from_bytes(sent[0].read_bytes(), policy=email.policy.default)  # type: ignore[misc]
    assert message["To"].addresses[0].addr_spec == app.config.newsletter.editor_email
    # Sent from the Korean tab: the Korean email, marked as a test.
    assert message["Content-Language"] == "ko"
    assert str(message["Subject"]) == f"[TEST] {draft.draft.title['ko']}"
    with app.db.transaction() as session:
        assert send_records.counts(session, draft.issue_id) == {}


def test_approve_marks_the_issue_and_the_draft_file(
    client: TestClient, drafted: tuple[pipeline.App, pipeline.DraftResult]
) -> None:
    app, draft = drafted
    client.post("/approve", data={"csrf": _csrf(client.get("/").text)})
    with app.db.transaction() as session:
        issue = issues.get_issue(session, draft.issue_id)
        assert issue.status == "approved"
        assert issue.approved_at is not None
    assert read_draft(draft.path).approved
