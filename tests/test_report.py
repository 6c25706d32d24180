"""The operator's report on one issue: people per locale and per list, clicks per link."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import cli
from newsletter.report import issue_report, to_html, to_lines
from newsletter.store import Database
from newsletter.store.audience import ensure_list, set_status, subscribe
from newsletter.store.schema import Issue, IssueStatus, Send, SendStatus, SubscriberStatus
from newsletter.web.events import apply_events, parse_events

STAMP = 1_782_900_000
ARXIV = "https://arxiv.org/abs/2606.30101"
CODE = "https://github.com/example/code"


def _issue(session: object, day: int) -> int:
    issue = Issue(
        issue_date=date(2026, 7, day),
        window_start=datetime(2026, 6, day, tzinfo=UTC),
        window_end=datetime(2026, 7, day, tzinfo=UTC),
        status=IssueStatus.SENT.value,
    )
    session.add(issue)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return issue.id


@pytest.fixture
def sent(db: Database) -> dict[str, int]:
    """Issue 1 sent to a, b (English) and c, d (Korean); lists brief = a, b, c and labs = b, d."""
    with db.transaction() as session:
        brief, labs = ensure_list(session, "brief"), ensure_list(session, "labs")
        people = {}
        for name, locale, lists in [
            ("a", "en", [brief]),
            ("b", "en", [brief, labs]),
            ("c", "ko", [brief]),
            ("d", "ko", [labs]),
        ]:
            person, _ = subscribe(
                session, email=f"{name}@example.org", locale=locale, lists=lists, consent_source="test"
            )
            people[name] = person
        issue, other = _issue(session, 1), _issue(session, 2)
        for person in people.values():
            session.add(
                Send(
                    issue_id=issue,
                    subscriber_id=person.id,
                    locale=person.locale,
                    status=SendStatus.SENT.value,
                )
            )
        # A record still waiting is not "sent".
        waiting, _ = subscribe(session, email="e@example.org", lists=[brief], consent_source="test")
        session.add(
            Send(issue_id=issue, subscriber_id=waiting.id, locale="en", status=SendStatus.PENDING.value)
        )
        set_status(
            session, people["b"], SubscriberStatus.UNSUBSCRIBED, via="unsubscribe-link", issue_id=issue
        )
        ids = {name: person.id for name, person in people.items()}
    events = [("delivered", name, "") for name in "abcd"]
    events += [
        ("bounce", "d", ""),
        ("spamreport", "c", ""),
        ("open", "a", ""),
        ("open", "a", ""),
        ("open", "b", ""),
    ]
    events += [("click", "a", ARXIV), ("click", "a", ARXIV), ("click", "b", ARXIV), ("click", "b", CODE)]
    body = [
        {
            "event": kind,
            "sg_event_id": f"e{n}",
            "timestamp": STAMP,
            "issue_id": str(issue),
            "subscriber_id": str(ids[name]),
        }
        | ({"url": url} if url else {})
        for n, (kind, name, url) in enumerate(events)
    ]
    # Another issue's events never count for this one.
    body.append(
        {
            "event": "open",
            "sg_event_id": "x",
            "timestamp": STAMP,
            "issue_id": str(other),
            "subscriber_id": str(ids["c"]),
        }
    )
    with db.transaction() as session:
        apply_events(session, parse_events(json.dumps(body).encode()), soft_bounce_threshold=3)
    return {"issue": issue, **ids}


def test_people_are_counted_per_locale_and_list_with_clicks_per_link(
    db: Database, sent: dict[str, int]
) -> None:
    report = issue_report(db, sent["issue"], tracking=True)

    def row(*values: int) -> dict[str, int]:
        return dict(
            zip(
                ("sent", "delivered", "bounced", "complained", "unsubscribed", "opened", "clicked"),
                values,
                strict=True,
            )
        )

    assert dict(report.total) == row(4, 4, 1, 1, 1, 2, 2)
    assert {k: dict(v) for k, v in report.by_locale.items()} == {
        "en": row(2, 2, 0, 0, 1, 2, 2),
        "ko": row(2, 2, 1, 1, 0, 0, 0),
    }
    assert {k: dict(v) for k, v in report.by_list.items()} == {
        "brief": row(3, 3, 0, 1, 1, 2, 2),
        "labs": row(2, 2, 1, 0, 1, 1, 1),
    }
    assert [(x.url, x.clicks, x.people) for x in report.links] == [(ARXIV, 3, 2), (CODE, 1, 1)]


@pytest.mark.parametrize("kind", ["unsubscribe", "group_unsubscribe"])
def test_every_sendgrid_unsubscribe_event_counts_as_unsubscribed(
    db: Database, sent: dict[str, int], kind: str
) -> None:
    # b left through the issue's link already and leaves again by event: still one person.
    body = [
        {
            "event": kind,
            "sg_event_id": f"{kind}-{name}",
            "timestamp": STAMP,
            "issue_id": str(sent["issue"]),
            "subscriber_id": str(sent[name]),
        }
        for name in ("b", "d")
    ]
    with db.transaction() as session:
        apply_events(session, parse_events(json.dumps(body).encode()), soft_bounce_threshold=3)
    report = issue_report(db, sent["issue"], tracking=False)
    assert report.total["unsubscribed"] == 2
    assert {name: counts["unsubscribed"] for name, counts in report.by_locale.items()} == {"en": 1, "ko": 1}


def test_without_tracking_opens_and_clicks_are_left_out(db: Database, sent: dict[str, int]) -> None:
    report = issue_report(db, "2026-07-01", tracking=False)

    assert list(report.total) == ["sent", "delivered", "bounced", "complained", "unsubscribed"]
    assert report.links == ()
    lines = to_lines(report)
    assert lines[-1] == "Opens and clicks are not counted (delivery.tracking is off)."
    assert "opened" not in to_html(report)


def test_the_text_and_html_show_every_row(db: Database, sent: dict[str, int]) -> None:
    report = issue_report(db, sent["issue"], tracking=True)

    lines = to_lines(report)
    html = to_html(report)

    assert lines[0] == f"Issue #{sent['issue']} of 2026-07-01 (sent)"
    assert lines[1].split() == [
        "sent",
        "delivered",
        "bounced",
        "complained",
        "unsubscribed",
        "opened",
        "clicked",
    ]
    assert [line.split()[-7:] for line in lines[2:7]] == [
        ["4", "4", "1", "1", "1", "2", "2"],
        ["2", "2", "0", "0", "1", "2", "2"],
        ["2", "2", "1", "1", "0", "0", "0"],
        ["3", "3", "0", "1", "1", "2", "2"],
        ["2", "2", "1", "0", "1", "1", "1"],
    ]
    assert lines[8].split() == ["3", "clicks", "2", "people", ARXIV]
    assert html.count("<tr>") == 5 + 1 + 2 + 1
    assert f"<code>{CODE}</code>" in html


def test_an_issue_nobody_received_reports_zeros(db: Database) -> None:
    with db.transaction() as session:
        issue = _issue(session, 3)

    report = issue_report(db, issue, tracking=False)

    assert set(report.total.values()) == {0}
    assert (report.by_locale, report.by_list) == ({}, {})


def test_status_issue_prints_the_report_and_its_json(
    db: Database, sent: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("NEWSLETTER_")]:
        monkeypatch.delenv(name)
    env = {
        "NEWSLETTER_DATABASE__URL": db.url.render_as_string(hide_password=False),
        "NEWSLETTER_DELIVERY__TRACKING": "true",
    }

    text = CliRunner().invoke(cli, ["status", str(sent["issue"])], env=env)
    as_json = CliRunner().invoke(cli, ["status", "2026-07-01", "--json"], env=env)
    missing = CliRunner().invoke(cli, ["status", "42"], env=env)

    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[0] == f"Issue #{sent['issue']} of 2026-07-01 (sent)"
    data = json.loads(as_json.output)
    assert data["by_list"]["labs"]["bounced"] == 1
    assert data["links"][0] == {"url": ARXIV, "clicks": 3, "people": 2}
    assert (missing.exit_code, missing.output) == (1, "error: issue '42': no such issue\n")
