"""One send worker in its own process: ``process.py DB_URL ISSUE_ID OUTBOX NAME GO_FILE``.

It waits for GO_FILE (so all workers start together), then sends the issue's pending records
through the outbox backend, as ``newsletter send --worker`` does, and prints its report as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from newsletter.delivery.base import Campaign, Personalization
from newsletter.delivery.dispatch import checkpoint, dispatch
from newsletter.delivery.outbox import OutboxBackend
from newsletter.model import PLACEHOLDER_EMAIL, Recipient, RenderedEmail
from newsletter.store import Database
from newsletter.workers import stop_on_signals


def campaign(issue_id: int, locale: str) -> Campaign:
    email = RenderedEmail(
        locale=locale,
        subject="Issue",
        preheader="",
        html=f"<p>{PLACEHOLDER_EMAIL}</p>",
        text=PLACEHOLDER_EMAIL,
    )
    return Campaign(issue_id=issue_id, email=email, sender="Brief <brief@example.org>")


def personalize(subscriber_id: int, email: str, name: str, locale: str) -> Personalization:
    recipient = Recipient(subscriber_id=subscriber_id, email=email, name=name, locale=locale)
    return Personalization(recipient=recipient, values={PLACEHOLDER_EMAIL: email})


def main() -> None:
    url, issue_id, outbox, name, go = (
        sys.argv[1],
        int(sys.argv[2]),
        Path(sys.argv[3]),
        sys.argv[4],
        Path(sys.argv[5]),
    )
    db = Database(url)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    with stop_on_signals() as stopping:
        report = dispatch(
            db,
            OutboxBackend(outbox, batch_size=100),
            issue_id,
            lambda locale: campaign(issue_id, locale),
            personalize,
            worker=name,
            on_batch=checkpoint(stopping.is_set),
        )
    print(json.dumps({"sent": report.sent, "skipped": report.skipped, "failed": report.failed}), flush=True)


if __name__ == "__main__":
    main()
