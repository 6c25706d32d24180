"""The per-issue report's queries, on SQLite and PostgreSQL alike: people per outcome, clicks per link.

The event names here are made up on purpose: the store counts whatever vocabulary the caller
passes, and knows none of its own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from newsletter.store import Database, audience
from newsletter.store import events as stored_events
from newsletter.store.report import Grouping, clicks_per_link, people_per_outcome
from newsletter.store.schema import Issue, Send, SendStatus, SubscriberStatus

AT = datetime(2026, 7, 1, tzinfo=UTC)
EVENTS = {"ping": "reached", "poke": "reached", "tap": "tapped"}


def _issue(db: Database) -> tuple[int, dict[str, int]]:
    """Issue sent to a (en; lists x, y) and b (ko; list x); c is on list x with no send record."""
    with db.transaction() as session:
        issue = Issue(issue_date=date(2026, 7, 1), window_start=AT, window_end=AT, lists=[])
        session.add(issue)
        x, y = audience.ensure_list(session, "x"), audience.ensure_list(session, "y")
        subscribers = {
            name: audience.subscribe(
                session, email=f"{name}@example.org", locale=locale, lists=lists, consent_source="t"
            )[0]
            for name, locale, lists in [("a", "en", [x, y]), ("b", "ko", [x]), ("c", "en", [x])]
        }
        session.flush()
        people = {name: person.id for name, person in subscribers.items()}
        for name, locale in [("a", "en"), ("b", "ko")]:
            session.add(
                Send(
                    issue_id=issue.id, subscriber_id=people[name], locale=locale, status=SendStatus.SENT.value
                )
            )
        audience.set_status(
            session,
            subscribers["b"],
            SubscriberStatus.UNSUBSCRIBED,
            via="unsubscribe-link",
            issue_id=issue.id,
        )
        events = [
            ("e1", "ping", "a", None),
            ("e2", "poke", "a", None),  # a second kind of one outcome: a still counts once
            ("e3", "ping", "b", None),
            ("e4", "ping", "c", None),  # no send record of the issue: not counted
            ("e5", "tap", "a", "https://one.example/"),
            ("e6", "tap", "a", "https://one.example/"),
            ("e7", "tap", "b", "https://two.example/"),
            ("e8", "tap", "b", "https://one.example/"),
            ("e9", "other", "a", None),  # not in the caller's vocabulary: not counted
        ]
        for event_id, kind, name, url in events:
            stored_events.record(
                session,
                event_id=event_id,
                kind=kind,
                occurred_at=AT,
                issue_id=issue.id,
                subscriber_id=people[name],
                url=url,
            )
        return issue.id, people


def test_people_are_counted_once_per_outcome_and_group(db: Database) -> None:
    issue_id, _ = _issue(db)
    with db.transaction() as session:

        def counts(by: Grouping) -> set[tuple[str, str, int]]:
            rows = people_per_outcome(
                session,
                issue_id,
                events=EVENTS,
                sent="went",
                left="left",
                by=by,
            )
            return {(row.group, row.outcome, row.people) for row in rows}

        assert counts("issue") == {("", "went", 2), ("", "reached", 2), ("", "tapped", 2), ("", "left", 1)}
        assert counts("locale") == {
            ("en", "went", 1),
            ("en", "reached", 1),
            ("en", "tapped", 1),
            ("ko", "went", 1),
            ("ko", "reached", 1),
            ("ko", "tapped", 1),
            ("ko", "left", 1),
        }
        assert counts("list") == {
            ("x", "went", 2),
            ("x", "reached", 2),
            ("x", "tapped", 2),
            ("x", "left", 1),
            ("y", "went", 1),
            ("y", "reached", 1),
            ("y", "tapped", 1),
        }


def test_clicks_per_link_counts_only_the_named_kind_most_clicked_first(db: Database) -> None:
    issue_id, _ = _issue(db)
    with db.transaction() as session:
        links = [(x.url, x.clicks, x.people) for x in clicks_per_link(session, issue_id, click="tap")]
        assert links == [("https://one.example/", 3, 2), ("https://two.example/", 1, 1)]
        assert clicks_per_link(session, issue_id, click="ping") == []
