"""The editor's preview through the test client, with stand-in draft and render stages."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.store import Database
from newsletter.store.schema import Issue
from newsletter.web.app import preview_app
from newsletter.web.preview import Preview, PreviewHooks
from tests.support import state_snapshot

from .drafts import Outbox, read_json_draft, render, write_back, write_json_draft

GOOD_PICKS = [
    {
        "short_name": "OTCache",
        "url": "https://arxiv.org/abs/2607.01234",
        "code_url": "https://github.com/a/otcache",
    },
    {
        "short_name": "FlowDistill",
        "url": "https://arxiv.org/abs/2607.05678",
        "code_url": "https://github.com/b/fd",
    },
]


@pytest.fixture
def draft_file(tmp_path: Path) -> Path:
    path = tmp_path / "2026-07-01.json"
    write_json_draft(path, title="Five diffusion papers", picks=GOOD_PICKS)
    return path


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def preview(config: Config, db: Database, draft_file: Path, outbox: Outbox) -> Preview:
    hooks = PreviewHooks(
        read_draft=read_json_draft, render=render, send_test=outbox.send_test, write_draft=write_back
    )
    return Preview(config=config, db=db, draft_path=draft_file, hooks=hooks)


@pytest.fixture
def client(preview: Preview) -> TestClient:
    return TestClient(preview_app(preview), base_url="http://127.0.0.1")


def add_issue(db: Database, draft_file: Path, status: str = "draft") -> int:
    with db.transaction() as session:
        issue = Issue(
            issue_date=date(2026, 7, 1),
            window_start=datetime(2026, 6, 30, 13, tzinfo=UTC),
            window_end=datetime(2026, 7, 1, 13, tzinfo=UTC),
            draft_path=str(draft_file),
            status=status,
        )
        session.add(issue)
        session.flush()
        return issue.id


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def touch(path: Path, text: str) -> None:
    """Rewrite a file and move its modification time on, as an editor's save does."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_overview_shows_subject_preheader_size_frames_and_text(client: TestClient, config: Config) -> None:
    page = client.get("/").text
    assert '<dd class="subject">Five diffusion papers</dd>' in page
    assert '<dd class="preheader">preheader en</dd>' in page
    assert re.search(r"\d+\.\d KB of the 102 KB at which Gmail clips", page)
    assert '<iframe loading="eager" class="desktop" width="800" src="/email/en.html"' in page
    assert '<iframe loading="eager" class="phone" width="375" src="/email/en.html"' in page
    text = re.search(r'<pre class="text">(.*?)</pre>', page, re.S)
    assert text is not None
    # The text part is filled in as a real recipient's would be, with a (preview-only) link.
    assert f"Unsubscribe: {config.newsletter.public_url}/u/" in text.group(1)
    assert "%%" not in page
    assert "No link problems found" in page


def test_each_locale_is_switchable_and_side_by_side(client: TestClient) -> None:
    korean = client.get("/?locale=ko").text
    assert '<section class="locale" id="locale-ko" lang="ko">' in korean
    assert 'id="locale-en"' not in korean
    both = client.get("/?locale=all").text
    assert 'id="locale-en"' in both
    assert 'id="locale-ko"' in both
    email = client.get("/email/ko.html")
    assert email.status_code == 200
    assert '<h1 id="title">Five diffusion papers (한국어)</h1>' in email.text
    assert "sandbox" in email.headers["content-security-policy"]
    assert client.get("/email/fr.html").status_code == 404


def test_link_problems_are_listed(client: TestClient, draft_file: Path) -> None:
    picks = [
        {"short_name": "A", "url": "htps//arxiv.org/abs/1", "code_url": "https://github.com/same/repo"},
        {"short_name": "B", "url": "https://arxiv.org/abs/2 3", "code_url": "https://github.com/same/repo"},
        {"short_name": "C", "url": "", "code_url": "https://localhost"},
    ]
    touch(draft_file, "")
    write_json_draft(draft_file, title="Links", picks=picks)
    warnings = re.search(r'<section id="warnings">(.*?)</section>', client.get("/").text, re.S)
    assert warnings is not None
    found = warnings.group(1)
    # The email links "htps//…" as https://htps//…, so that is the link checked and shown.
    assert (
        "https://htps//arxiv.org/abs/1</code>: no domain name (pick 1 (A) url, en email, ko email)" in found
    )
    assert "contains spaces (pick 2 (B) url, en email, ko email)" in found
    assert "(empty)</code>: empty link (pick 3 (C) url, en email, ko email)" in found
    assert found.count("<li>") == 4
    assert (
        "https://github.com/same/repo</code>: the same link in two picks (pick 1 (A) and pick 2 (B))" in found
    )
    assert "https://localhost" not in found


def test_an_email_over_gmails_limit_is_flagged(config: Config, db: Database, draft_file: Path) -> None:
    def heavy(draft, locale):  # type: ignore[no-untyped-def]
        return render(draft, locale, padding=110 * 1024)

    hooks = PreviewHooks(read_draft=read_json_draft, render=heavy, send_test=Outbox().send_test)
    page = (
        TestClient(
            preview_app(Preview(config=config, db=db, draft_path=draft_file, hooks=hooks)),
            base_url="http://127.0.0.1",
        )
        .get("/")
        .text
    )
    assert '<dd class="size over">' in page
    assert "Gmail will clip this message" in page


def test_version_changes_when_the_draft_changes_and_the_page_follows(
    client: TestClient, draft_file: Path
) -> None:
    first = client.get("/version").json()["version"]
    assert client.get("/version").json()["version"] == first
    touch(
        draft_file, draft_file.read_text(encoding="utf-8").replace("Five diffusion papers", "Six flow papers")
    )
    second = client.get("/version").json()["version"]
    assert second != first
    page = client.get("/").text
    assert f'data-version="{second}"' in page
    assert "Six flow papers" in page


def test_a_broken_draft_shows_the_error_until_it_is_fixed(client: TestClient, draft_file: Path) -> None:
    good = draft_file.read_text(encoding="utf-8")
    touch(draft_file, "{ not json")
    page = client.get("/").text
    assert 'id="render-error"' in page
    assert f"{draft_file}:1: syntax" in page
    touch(draft_file, good)
    assert 'id="render-error"' not in client.get("/").text


def test_approve_marks_the_issue_and_the_draft(client: TestClient, db: Database, draft_file: Path) -> None:
    issue_id = add_issue(db, draft_file)
    token = csrf(client.get("/").text)
    response = client.post("/approve", data={"csrf": token, "back": "/?locale=ko"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/?locale=ko"
    with db.transaction() as session:
        issue = session.get(Issue, issue_id)
        assert issue is not None
        assert issue.status == "approved"
        assert issue.approved_at is not None
    assert read_json_draft(draft_file).approved
    page = client.get("/?locale=ko").text
    assert f"Approved issue #{issue_id}." in page
    assert "· approved · draft approved" in page


@pytest.mark.parametrize("status", ["sending", "paused", "sent", "skipped"])
def test_an_issue_past_its_draft_cannot_be_approved(
    client: TestClient, db: Database, draft_file: Path, status: str
) -> None:
    issue_id = add_issue(db, draft_file, status=status)
    page = client.get("/").text
    before, draft = state_snapshot(db=db), draft_file.read_bytes()
    answer = client.post("/approve", data={"csrf": csrf(page)})
    # Neither the store nor the draft file changed: the store is asked first.
    assert (state_snapshot(db=db), draft_file.read_bytes()) == (before, draft)
    # The redirect lands on the page, which shows the notice once.
    assert f"error: issue #{issue_id}: cannot approve a {status} issue ({status} → approved)" in answer.text
    assert "error:" not in client.get("/").text


def test_send_test_goes_to_the_editor(
    client: TestClient, db: Database, draft_file: Path, outbox: Outbox, config: Config
) -> None:
    page = client.get("/").text
    refused = client.post("/send-test", data={"csrf": csrf(page)})
    assert "error: 2026-07-01.json: no issue in the store uses this draft" in refused.text
    issue_id = add_issue(db, draft_file)
    sent = client.post("/send-test", data={"csrf": csrf(page)})
    assert outbox.sent == [(issue_id, config.newsletter.editor_email, "en")]
    assert f"Sent a test of issue #{issue_id} (en) to {config.newsletter.editor_email}." in sent.text


def test_send_test_is_in_the_language_of_the_tab_it_came_from(
    client: TestClient, db: Database, draft_file: Path, outbox: Outbox
) -> None:
    issue_id = add_issue(db, draft_file)
    korean = client.get("/?locale=ko").text
    assert '<input type="hidden" name="locale" value="ko">' in korean
    client.post("/send-test", data={"csrf": csrf(korean), "locale": "ko", "back": "/?locale=ko"})
    refused = client.post("/send-test", data={"csrf": csrf(korean), "locale": "fr"})
    assert "error: locale: expected one of en, ko, got &#x27;fr&#x27;" in refused.text
    assert outbox.sent == [(issue_id, "editor@example.org", "ko")]


def test_actions_need_the_pages_token_and_a_local_host_name(
    client: TestClient, preview: Preview, db: Database, draft_file: Path, outbox: Outbox
) -> None:
    issue_id = add_issue(db, draft_file)
    assert client.post("/approve", data={"csrf": "guessed"}).status_code == 403
    assert client.post("/send-test", data={}).status_code == 403
    rebinding = TestClient(preview_app(preview), base_url="http://attacker.example")
    assert rebinding.get("/").status_code == 400
    with db.transaction() as session:
        issue = session.get(Issue, issue_id)
        assert issue is not None
        assert issue.status == "draft"
    assert outbox.sent == []
    assert not read_json_draft(draft_file).approved


def test_each_fact_shows_the_phrase_it_came_from_on_hover(client: TestClient, draft_file: Path) -> None:
    sentence = 'OTCache reaches 4.5× acceleration on FLUX.1 [dev] & "more".'
    picks = [
        {
            **GOOD_PICKS[0],
            "key_number": "4.5× on FLUX.1 [dev]",
            "venue": "ECCV 2026",
            "sources": {"key_number": sentence},
        },
        GOOD_PICKS[1],
    ]
    touch(draft_file, json.dumps({"title": {"en": "T"}, "picks": picks, "approved": False}))
    page = client.get("/").text
    row = re.search(r'<tr data-arxiv-id="2607.00000">(.*?)</tr>', page, re.S)
    assert row is not None
    escaped = "OTCache reaches 4.5× acceleration on FLUX.1 [dev] &amp; &quot;more&quot;."
    assert f'<td class="key_number"><span title="{escaped}">4.5× on FLUX.1 [dev]</span></td>' in row.group(1)
    # A fact without a recorded source is shown plainly, not with an empty hover.
    assert '<td class="venue">ECCV 2026</td>' in row.group(1)
