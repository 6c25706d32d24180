"""Review mode through the real pipeline: editors are asked once, approval sends, the deadline decides."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from newsletter import editors, pipeline
from newsletter.scheduler import approval, service, timing
from newsletter.scheduler.daily import pipeline_cycle, pipeline_review
from newsletter.scheduler.history import Outcome
from newsletter.store import issues, lifecycle
from newsletter.store import sends as send_records
from newsletter.store.schema import IssueStatus

SEOUL = ZoneInfo("Asia/Seoul")
CLOSE = datetime(2026, 7, 1, 9, tzinfo=SEOUL)
BEFORE_DEADLINE = datetime(2026, 7, 1, 10, 30, tzinfo=SEOUL)
AFTER_DEADLINE = datetime(2026, 7, 1, 11, 1, tzinfo=SEOUL)


@pytest.fixture
def app(demo_app: pipeline.App, monkeypatch: pytest.MonkeyPatch) -> pipeline.App:
    monkeypatch.setenv("NEWSLETTER_SIGNING_KEY", "r" * 32)
    return pipeline.App(
        demo_app.config.replace(**{"schedule.approval": "review", "schedule.review_deadline": "11:00"})
    )


def _runtime(app: pipeline.App) -> service.Runtime:
    return service.Runtime(
        db=app.db,
        trigger=timing.daily_trigger(app.config.schedule.cron, app.config.tz),
        cycle=pipeline_cycle(app),
        review=pipeline_review(app),
    )


def _drafted(app: pipeline.App) -> int:
    result = service.run_close(_runtime(app), CLOSE)
    assert result is not None
    assert result.outcome == Outcome.AWAITING_APPROVAL
    assert result.issue_id is not None
    return result.issue_id


def _sent(app: pipeline.App, issue_id: int) -> int:
    with app.db.transaction() as session:
        return send_records.counts(session, issue_id).get("sent", 0)


def test_a_drafted_issue_waits_and_the_editors_are_asked_once(app: pipeline.App) -> None:
    issue_id = _drafted(app)
    assert _sent(app, issue_id) == 0
    requests = sorted((app.config.outbox_dir / "issue-0").glob("*.eml"))
    assert len(requests) == 1
    request = email.message_from_bytes(requests[0].read_bytes(), policy=email.policy.default)  # type: ignore[misc]
    assert request["To"].addresses[0].addr_spec == app.config.newsletter.editor_email
    assert str(request["Subject"]).startswith("Review: ")
    assert editors.preview_url(app.config) in request.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert approval.review_step(app, BEFORE_DEADLINE, lambda: False) == []
    assert _sent(app, issue_id) == 0
    # Running the close again neither drafts anew nor asks the editors a second time.
    assert service.run_close(_runtime(app), CLOSE) is None
    assert len(list((app.config.outbox_dir / "issue-0").glob("*.eml"))) == 1


def test_an_approved_issue_is_sent_at_the_next_step(app: pipeline.App) -> None:
    issue_id = _drafted(app)
    with app.db.transaction() as session:
        lifecycle.approve(session, issues.get_issue(session, issue_id), actor="test")
    decided = approval.review_step(app, BEFORE_DEADLINE, lambda: False)
    assert [r.outcome for r in decided] == [Outcome.SENT]
    assert _sent(app, issue_id) == 6
    assert approval.review_step(app, AFTER_DEADLINE, lambda: False) == []
    assert _sent(app, issue_id) == 6


def test_at_the_deadline_an_unapproved_issue_is_skipped_and_its_papers_return(app: pipeline.App) -> None:
    issue_id = _drafted(app)
    decided = approval.review_step(app, AFTER_DEADLINE, lambda: False)
    assert [r.outcome for r in decided] == [Outcome.SKIPPED]
    assert _sent(app, issue_id) == 0
    with app.db.transaction() as session:
        assert issues.get_issue(session, issue_id).status == IssueStatus.SKIPPED.value
        moves = [(e.from_status, e.to_status, e.actor) for e in lifecycle.history(session, issue_id)]
    assert moves == [("draft", "skipped", "cli")]
    # The skipped issue's papers are no longer "considered": the next issue may pick them.
    later = pipeline.gather(app, datetime(2026, 7, 2, 9, tzinfo=SEOUL))
    assert len(later.candidates) > 30


def test_at_the_deadline_an_unapproved_issue_can_be_sent(app: pipeline.App) -> None:
    sending = pipeline.App(app.config.replace(**{"schedule.on_deadline": "send"}))
    issue_id = _drafted(sending)
    decided = approval.review_step(sending, AFTER_DEADLINE, lambda: False)
    assert [r.outcome for r in decided] == [Outcome.SENT]
    assert "sent unapproved at the deadline" in decided[0].detail
    assert _sent(sending, issue_id) == 6
