"""Send one issue through SendGrid in its own process, so a test can kill it with SIGKILL.

    python tests/delivery/send_worker.py DATABASE_URL API_HOST ISSUE_ID [--resend-unknown]

Prints the run's report as JSON on success.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from support import campaign, personalizer

from newsletter.delivery.dispatch import dispatch
from newsletter.delivery.retry import RetryPolicy
from newsletter.delivery.senders import holder_id
from newsletter.delivery.sendgrid import SendGridBackend
from newsletter.store import Database


def main() -> None:
    url, host, issue_ref = sys.argv[1:4]
    issue = int(issue_ref)
    backend = SendGridBackend(
        "SG.test-key",
        api_host=host,
        batch_size=200,
        concurrency=4,
        timeout_seconds=10,
        policy=RetryPolicy(base_seconds=0.01),
    )
    report = dispatch(
        Database(url),
        backend,
        issue,
        lambda locale: campaign(locale, issue),
        personalizer(issue),
        worker=holder_id(),
        resend_unknown="--resend-unknown" in sys.argv,
    )
    print(
        json.dumps(
            {
                "sent": report.sent,
                "unknown": report.unknown,
                "unknown_batches": list(report.unknown_batches),
                "resent_batches": list(report.resent_batches),
            }
        )
    )


if __name__ == "__main__":
    main()
