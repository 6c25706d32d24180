"""``newsletter status``: delivery counts from records, events and unsubscribes; what needs attention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from newsletter.config import Config
from newsletter.model import Window
from newsletter.scheduler import history
from newsletter.scheduler.history import DAILY_JOB, Outcome, RunResult
from newsletter.status import collect, to_json, to_lines
from newsletter.store import Database, audience, issues
from newsletter.store import sends as send_records
from newsletter.store.schema import DeliveryEvent, IssueStatus, Send, SendStatus, SubscriberStatus

CLOSE = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)  # 09:00 KST


def make_issue(db: Database, close: datetime, people: int) -> tuple[int, list[int]]:
    """An issue with ``people`` subscribers queued for it; returns its id and their ids."""
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        ids = []
        for n in range(people):
            subscriber, _ = audience.subscribe(
                session, email=f"reader{close:%d}{n}@example.org", lists=[brief], consent_source="test"
            )
            ids.append(subscriber.id)
        window = Window(start=close - timedelta(days=1), end=close)
        issue = issues.issue_for_window(session, window, close.date())
        send_records.queue(session, issue.id, audience.members_query([brief.id]), str)
        return issue.id, ids


def set_sends(db: Database, issue_id: int, statuses: list[SendStatus]) -> None:
    with db.transaction() as session:
        rows = session.scalars(select(Send).where(Send.issue_id == issue_id).order_by(Send.id)).all()
        for send, status in zip(rows, statuses, strict=True):
            send.status = status.value


def add_events(db: Database, issue_id: int, events: list[tuple[str, int]]) -> None:
    with db.transaction() as session:
        for n, (event, subscriber_id) in enumerate(events):
            session.add(
                DeliveryEvent(
                    event_id=f"ev-{issue_id}-{n}",
                    event=event,
                    issue_id=issue_id,
                    subscriber_id=subscriber_id,
                    occurred_at=CLOSE,
                )
            )


def test_counts_come_from_records_events_and_unsubscribes(config: Config, db: Database) -> None:
    issue_id, people = make_issue(db, CLOSE, 6)
    sent, failed, unknown = SendStatus.SENT, SendStatus.FAILED, SendStatus.UNKNOWN
    set_sends(db, issue_id, [sent, sent, sent, sent, failed, unknown])
    # Two deliveries for the same person count once; a bounce; an unsubscribe by webhook.
    add_events(
        db,
        issue_id,
        [
            ("delivered", people[0]),
            ("delivered", people[0]),
            ("delivered", people[1]),
            ("bounce", people[2]),
            ("open", people[1]),
            ("unsubscribe", people[3]),
        ],
    )
    with db.transaction() as session:
        subscriber = audience.find_subscriber(session, "reader091@example.org")
        assert subscriber is not None
        audience.set_status(
            session,
            subscriber,
            SubscriberStatus.UNSUBSCRIBED,
            via="unsubscribe-link",
            reason=f"one-click unsubscribe from issue {issue_id}",
            issue_id=issue_id,
        )
    found = collect(config, db, CLOSE + timedelta(hours=3))
    (summary,) = found.issues
    assert dict(summary.counts) == {
        "sent": 4,
        "delivered": 2,
        "bounced": 1,
        "unsubscribed": 2,
        "failed": 1,
        "unknown": 1,
        "pending": 0,
    }
    assert [a.kind for a in found.attention] == ["unknown"]
    assert f"newsletter send {issue_id} --resend-unknown" in found.attention[0].message


def test_paused_issues_missed_runs_and_overdue_approvals_need_attention(config: Config, db: Database) -> None:
    review = config.replace(**{"schedule.approval": "review", "schedule.review_deadline": "11:00"})
    paused_id, _ = make_issue(db, CLOSE - timedelta(days=2), 1)
    waiting_id, _ = make_issue(db, CLOSE, 1)
    with db.transaction() as session:
        issue = issues.get_issue(session, paused_id)
        issue.status, issue.note = IssueStatus.PAUSED.value, "40% of the batch failed"
    history.record_missed(db, DAILY_JOB, CLOSE - timedelta(days=1), "missed by 3:00:00")
    history.finish(db, DAILY_JOB, CLOSE, RunResult(outcome=Outcome.AWAITING_APPROVAL, issue_id=waiting_id))

    before = collect(review, db, CLOSE + timedelta(hours=1))  # 10:00 KST, before the 11:00 deadline
    after = collect(review, db, CLOSE + timedelta(hours=2, minutes=1))

    assert sorted(a.kind for a in before.attention) == ["paused", "run missed"]
    assert sorted(a.kind for a in after.attention) == ["approval overdue", "paused", "run missed"]
    overdue = next(a for a in after.attention if a.kind == "approval overdue")
    assert overdue.issue_id == waiting_id
    assert "2026-03-09 11:00" in overdue.message


def test_json_and_text_name_the_upcoming_runs_and_issues(config: Config, db: Database) -> None:
    issue_id, _ = make_issue(db, CLOSE, 2)
    # A fixed cron, which also fires on mornings without a new announcement.
    config = config.replace(**{"schedule.cron": "0 9 * * *"})
    found = collect(config, db, datetime(2026, 3, 7, 12, tzinfo=config.tz), upcoming=3)
    data = to_json(found)
    assert [u["at"] for u in data["upcoming"]] == [  # type: ignore[index]
        "2026-03-08T09:00:00+09:00",
        "2026-03-09T09:00:00+09:00",
        "2026-03-10T09:00:00+09:00",
    ]
    # Sunday's run follows a Friday evening without an announcement.
    assert [u["new_announcement"] for u in data["upcoming"]] == [False, True, True]  # type: ignore[index]
    assert data["issues"][0]["counts"]["pending"] == 2  # type: ignore[index]
    text = "\n".join(to_lines(found, config))
    assert f"#{issue_id} {date(2026, 3, 9).isoformat()} draft" in text
    assert "Sun 2026-03-08 09:00 KST  (no new arXiv announcement)" in text
    assert "Nothing needs attention." in text
