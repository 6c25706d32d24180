"""End to end: an issue the real pipeline sends appears on the archive, and its emails link there."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default

from starlette.testclient import TestClient

from newsletter import pipeline
from newsletter.archive import Archive
from newsletter.demo import DEMO_AT, DEMO_LIST
from newsletter.unsubscribe import Signer
from newsletter.web.app import public_app

KEY = b"archive-pipeline-key-0123456789a"


def test_a_sent_issue_is_on_the_archive_and_every_email_links_to_it(demo_app: pipeline.App) -> None:
    archive = Archive(demo_app.config, demo_app.db, refresh_seconds=0)
    drafted = pipeline.build_draft(demo_app, DEMO_AT)
    day = DEMO_AT.date()
    assert archive.issue_page("en", day) is None

    pipeline.deliver_issue(demo_app, drafted.issue_id, lists=[DEMO_LIST], signer=Signer([KEY]))

    messages = sorted((demo_app.config.outbox_dir / f"issue-{drafted.issue_id}").glob("*.eml"))
    assert messages
    base = demo_app.config.newsletter.public_url.rstrip("/")
    app = public_app(demo_app.config, db=demo_app.db, signer=Signer([KEY]), archive=archive)
    seen = set()
    with TestClient(app) as client:
        for path in messages:
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            assert isinstance(message, EmailMessage)
            html, text = (message.get_body((kind,)) for kind in ("html", "plain"))
            assert html is not None
            assert text is not None
            locale = "ko" if "웹에서 보기" in text.get_content() else "en"
            seen.add(locale)
            link = f"{base}/archive/{locale}/{day.isoformat()}/"
            assert link in html.get_content()
            assert link in text.get_content()
            page = client.get(link.removeprefix(base))
            assert page.status_code == 200
            assert "%%" not in page.text
            # The recipient's own address is in their email, never on the public page.
            assert str(message["To"]).split("<")[-1].rstrip(">") not in page.text
    assert seen == {"en", "ko"}
