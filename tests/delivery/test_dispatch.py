"""Durable send records: claim, send, record; resume, unknown outcomes, skips, failures, pauses."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select, update

from newsletter.delivery.dispatch import DeliveryReport, dispatch
from newsletter.delivery.retry import RetryPolicy
from newsletter.delivery.sendgrid import SendGridBackend
from newsletter.delivery.smtp import SmtpBackend
from newsletter.errors import DeliveryError
from newsletter.store import Database
from newsletter.store import sends as send_records
from newsletter.store.schema import Send, SendStatus, Subscriber

from .fake_sendgrid import API_KEY, FakeSendGrid
from .smtp_server import smtp_server
from .support import campaign, personalizer, populate

FAST = RetryPolicy(retries=2, base_seconds=0.01)


def sendgrid(
    fake: FakeSendGrid, *, batch_size: int = 10, concurrency: int = 3, key: str = API_KEY
) -> SendGridBackend:
    return SendGridBackend(
        key, api_host=fake.url, batch_size=batch_size, concurrency=concurrency, timeout_seconds=5, policy=FAST
    )


def send(db: Database, backend: object, issue_id: int, **options: object) -> DeliveryReport:
    return dispatch(
        db,
        backend,  # type: ignore[arg-type]
        issue_id,
        lambda locale: campaign(locale, issue_id),
        personalizer(issue_id),
        worker="test",
        **options,  # type: ignore[arg-type]
    )


def statuses(db: Database, issue_id: int) -> dict[int, str]:
    with db.transaction() as session:
        rows = session.execute(select(Send.subscriber_id, Send.status).where(Send.issue_id == issue_id))
        return dict(rows.all())


def test_everyone_is_sent_once_in_single_locale_batches(db: Database, fake: FakeSendGrid) -> None:
    issue = populate(db, 95)

    report = send(db, sendgrid(fake), issue)

    assert (report.sent, report.failed, report.skipped, report.unknown) == (95, 0, 0, 0)
    assert report.finished
    assert set(statuses(db, issue).values()) == {"sent"}
    assert len(fake.accepted) == 95
    assert set(fake.accepted.values()) == {1}
    # populate() gives reader<n> English when n is even and Korean when it is odd.
    for delivery in fake.deliveries():
        number = int(delivery.email.removeprefix("reader").split("@")[0])
        assert delivery.subject == campaign(("en", "ko")[number % 2]).email.subject
    assert fake.invalid == []


def test_a_second_run_sends_nothing_again(db: Database, fake: FakeSendGrid) -> None:
    issue = populate(db, 40)
    send(db, sendgrid(fake), issue)
    requests = fake.requests

    again = send(db, sendgrid(fake), issue)

    assert again.sent == 0
    assert fake.requests == requests
    assert set(fake.accepted.values()) == {1}


def test_a_batch_left_claimed_by_a_crash_is_unknown_and_resent_only_on_request(
    db: Database, fake: FakeSendGrid
) -> None:
    issue = populate(db, 30, locales=("en",))
    with db.transaction() as session:
        (crashed,) = send_records.claim_batches(session, issue, count=1, size=10, worker="killed")
    assert crashed is not None
    crashed_ids = {r.subscriber_id for r in crashed.records}

    report = send(db, sendgrid(fake), issue)

    assert report.unknown == 10
    assert report.unknown_batches == (crashed.batch_id,)
    assert not any(("1", str(sid)) in fake.accepted for sid in crashed_ids)
    assert {statuses(db, issue)[sid] for sid in crashed_ids} == {"unknown"}

    resent = send(db, sendgrid(fake), issue, resend_unknown=True)

    assert resent.sent == 10
    assert resent.unknown == 0
    assert resent.finished
    assert {fake.accepted[("1", str(sid))] for sid in crashed_ids} == {1}


def test_subscribers_who_left_after_queueing_are_skipped(db: Database, fake: FakeSendGrid) -> None:
    issue = populate(db, 20)
    with db.transaction() as session:
        left = list(session.scalars(select(Subscriber.id).order_by(Subscriber.id).limit(5)))
        for status, sid in zip(
            ["unsubscribed", "bounced", "complained", "unsubscribed", "bounced"], left, strict=True
        ):
            session.execute(update(Subscriber).where(Subscriber.id == sid).values(status=status))

    report = send(db, sendgrid(fake), issue)

    assert (report.sent, report.skipped) == (15, 5)
    assert {statuses(db, issue)[sid] for sid in left} == {"skipped"}
    assert not any(("1", str(sid)) in fake.accepted for sid in left)


def test_a_rejected_batch_fails_with_the_providers_message_and_the_rest_go_on(
    db: Database, fake: FakeSendGrid
) -> None:
    issue = populate(db, 50, locales=("en",))
    fake.inject("400", message="Invalid substitution", field="personalizations.0.substitutions")

    report = send(db, sendgrid(fake, concurrency=1), issue)

    assert (report.sent, report.failed) == (40, 10)
    with db.transaction() as session:
        errors = set(session.scalars(select(Send.error).where(Send.status == SendStatus.FAILED.value)))
    assert errors == {
        "SendGrid rejected the batch (400): Invalid substitution (personalizations.0.substitutions)"
    }
    # A permanent failure is not retried by the next run.
    assert send(db, sendgrid(fake), issue).sent == 0


def test_too_many_failures_pause_the_run(db: Database, fake: FakeSendGrid) -> None:
    issue = populate(db, 100, locales=("en",))
    fake.inject("413", times=3)

    report = send(db, sendgrid(fake, concurrency=1), issue, failure_threshold=0.2)

    assert report.paused
    assert not report.finished
    assert report.failed == 30
    assert report.totals.get("pending", 0) > 0


def test_a_bad_key_stops_everything_and_leaves_the_queue_intact(db: Database, fake: FakeSendGrid) -> None:
    issue = populate(db, 60)

    with pytest.raises(DeliveryError, match="refused the API key"):
        send(db, sendgrid(fake, key="SG.revoked"), issue)

    assert set(statuses(db, issue).values()) == {"pending"}
    assert fake.accepted == {}


def test_failures_the_provider_never_accepted_are_retried_next_run(db: Database, fake: FakeSendGrid) -> None:
    issue = populate(db, 20, locales=("en",))
    fake.inject("500", times=3)

    first = send(db, sendgrid(fake, concurrency=1), issue)
    second = send(db, sendgrid(fake, concurrency=1), issue)

    assert (first.failed, second.sent) == (10, 10)
    assert len(fake.accepted) == 20
    assert set(fake.accepted.values()) == {1}


def test_a_timeout_that_never_resolves_leaves_the_batch_unknown(db: Database, fake: FakeSendGrid) -> None:
    issue = populate(db, 10, locales=("en",))
    fake.inject("timeout", times=3, seconds=0.5)
    backend = SendGridBackend(API_KEY, api_host=fake.url, batch_size=10, timeout_seconds=0.2, policy=FAST)

    report = send(db, backend, issue)

    assert report.unknown == 10
    assert len(report.unknown_batches) == 1
    assert send(db, sendgrid(fake), issue).sent == 0


def test_smtp_refusals_fail_only_that_recipient(db: Database, tmp_path: Path) -> None:
    issue = populate(db, 6, locales=("ko",))
    with smtp_server(tmp_path) as (controller, inbox, _):
        inbox.refuse.add("reader2@example.net")
        backend = SmtpBackend("127.0.0.1", controller.port, batch_size=3, policy=FAST)
        report = send(db, backend, issue)
        backend.close()

    assert (report.sent, report.failed) == (5, 1)
    assert sorted(to for to, _ in inbox.messages) == sorted(
        f"reader{n}@example.net" for n in range(6) if n != 2
    )


@pytest.mark.postgres
def test_workers_sharing_an_issue_on_postgresql_never_claim_a_record_twice(
    pg_db: Database, fake: FakeSendGrid
) -> None:
    issue = populate(pg_db, 2000)
    reports: list[DeliveryReport] = []

    def worker(name: str) -> None:
        report = dispatch(
            pg_db,
            sendgrid(fake, batch_size=50, concurrency=4),
            issue,
            lambda locale: campaign(locale, issue),
            personalizer(issue),
            worker=name,
        )
        reports.append(report)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.sent for r in reports) == 2000
    assert len(fake.accepted) == 2000
    assert set(fake.accepted.values()) == {1}
