"""The life of an issue: every transition from every state, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from newsletter.errors import TransitionError
from newsletter.store import Database, issues, lifecycle
from newsletter.store.schema import ConsideredPaper, Issue, IssueStatus
from tests.support import state_snapshot

AT = datetime(2026, 7, 1, 0, 30, tzinfo=UTC)
STATES = [status.value for status in IssueStatus]

Move = Callable[[Session, Issue], bool]
MOVES: dict[str, tuple[Move, str]] = {
    "approve": (lambda s, i: lifecycle.approve(s, i, actor="preview", at=AT), "approved"),
    "begin_sending": (lambda s, i: lifecycle.begin_sending(s, i, actor="cli:send"), "sending"),
    "pause": (lambda s, i: lifecycle.pause(s, i, "40% failed", actor="cli:send"), "paused"),
    "resume": (lambda s, i: lifecycle.resume(s, i, actor="cli:send"), "sending"),
    "finish": (lambda s, i: lifecycle.finish(s, i, actor="scheduler", at=AT), "sent"),
    "skip": (
        lambda s, i: lifecycle.skip(s, i, "no papers", actor="scheduler", return_papers=False),
        "skipped",
    ),
}

# What each transition does from each state: it moves the issue, finds its work already done
# and changes nothing, or refuses ("no").
#               approve  begin_sending  pause   resume  finish  skip
TABLE = {
    "draft": ("move", "move", "no", "no", "no", "move"),
    "approved": ("done", "move", "no", "no", "no", "move"),
    "sending": ("no", "done", "move", "no", "move", "no"),
    "paused": ("no", "done", "done", "move", "move", "no"),
    "sent": ("no", "done", "move", "no", "done", "no"),
    "skipped": ("no", "no", "no", "no", "no", "done"),
}
ROWS = [
    pytest.param(state, verb, TABLE[state][column], id=f"{state}-{verb}")
    for state in STATES
    for column, verb in enumerate(MOVES)
]


def add_issue(db: Database, status: str) -> int:
    with db.transaction() as session:
        issue = Issue(
            issue_date=date(2026, 7, 1),
            window_start=datetime(2026, 6, 30, tzinfo=UTC),
            window_end=datetime(2026, 7, 1, tzinfo=UTC),
            status=status,
        )
        session.add(issue)
        session.flush()
        session.add(ConsideredPaper(arxiv_id="2607.00001", issue_id=issue.id, title="A paper"))
        return issue.id


def test_the_table_covers_every_state_and_transition() -> None:
    assert sorted(TABLE) == sorted(STATES)
    assert [t.verb for t in lifecycle.TRANSITIONS] == ["approve", "send", "pause", "resume", "finish", "skip"]


@pytest.mark.parametrize(("state", "verb", "expected"), ROWS)
def test_each_transition_from_each_state(db: Database, state: str, verb: str, expected: str) -> None:
    move, target = MOVES[verb]
    issue_id = add_issue(db, state)
    before = state_snapshot(db=db)
    if expected == "no":
        with pytest.raises(TransitionError) as refused, db.transaction() as session:
            move(session, issues.get_issue(session, issue_id))
        noun = "send" if verb == "begin_sending" else verb
        assert str(refused.value) == f"issue #{issue_id}: cannot {noun} a {state} issue ({state} → {target})"
        assert state_snapshot(db=db) == before
        return
    with db.transaction() as session:
        moved = move(session, issues.get_issue(session, issue_id))
    assert moved is (expected == "move")
    if expected == "done":
        assert state_snapshot(db=db) == before
        return
    with db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        events = [
            (e.from_status, e.to_status, e.actor, e.reason) for e in lifecycle.history(session, issue_id)
        ]
        assert issue.status == target
        assert len(events) == 1
        assert events[0][:2] == (state, target)
        assert lifecycle.history(session, issue_id)[0].process


@pytest.mark.parametrize(
    ("verb", "field", "expected"),
    [
        ("approve", "approved_at", AT),
        ("finish", "sent_at", AT),
        ("pause", "note", "40% failed"),
        ("skip", "note", "no papers"),
    ],
)
def test_a_move_records_its_time_or_reason_on_the_issue(
    db: Database, verb: str, field: str, expected: object
) -> None:
    start = {"approve": "draft", "finish": "sending", "pause": "sending", "skip": "draft"}[verb]
    issue_id = add_issue(db, start)
    with db.transaction() as session:
        MOVES[verb][0](session, issues.get_issue(session, issue_id))
    with db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        assert getattr(issue, field) == expected
        event = lifecycle.history(session, issue_id)[-1]
        assert event.actor == {"approve": "preview", "finish": "scheduler"}.get(verb, event.actor)
        assert event.at == AT if verb in ("approve", "finish") else event.at > AT


def test_resume_clears_the_note_and_records_each_move_in_order(db: Database) -> None:
    issue_id = add_issue(db, "draft")
    with db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        lifecycle.begin_sending(session, issue, actor="cli:send")
        lifecycle.pause(session, issue, "40% failed", actor="cli:send")
        lifecycle.resume(session, issue, actor="cli:send")
        lifecycle.finish(session, issue, actor="cli:send")
    with db.transaction() as session:
        assert issues.get_issue(session, issue_id).note == ""
        moves = [(e.from_status, e.to_status, e.reason) for e in lifecycle.history(session, issue_id)]
    assert moves == [
        ("draft", "sending", ""),
        ("sending", "paused", "40% failed"),
        ("paused", "sending", "resumed"),
        ("sending", "sent", ""),
    ]


@pytest.mark.parametrize(("return_papers", "left"), [(True, 0), (False, 1)])
def test_a_skipped_issue_returns_its_papers_only_when_asked(
    db: Database, return_papers: bool, left: int
) -> None:
    issue_id = add_issue(db, "draft")
    with db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        lifecycle.skip(session, issue, "not approved", actor="scheduler", return_papers=return_papers)
    with db.transaction() as session:
        assert len(issues.considered_ids(session, ["2607.00001"])) == left


@pytest.mark.postgres
def test_a_move_made_meanwhile_by_another_process_is_judged_from_where_it_left_the_issue(
    postgres_url: str,
) -> None:
    db = Database(postgres_url)
    try:
        issue_id = add_issue(db, "draft")
        with db.transaction() as session:
            issue = issues.get_issue(session, issue_id)
            # The preview approves and commits while this transaction holds the issue as a draft.
            with db.transaction() as other:
                lifecycle.approve(other, issues.get_issue(other, issue_id), actor="preview", at=AT)
            assert issue.status == "draft"
            assert lifecycle.approve(session, issue, actor="cli:send", at=AT) is False
            assert lifecycle.begin_sending(session, issue, actor="cli:send") is True
        with db.transaction() as session:
            moves = [(e.from_status, e.to_status, e.actor) for e in lifecycle.history(session, issue_id)]
        assert moves == [("draft", "approved", "preview"), ("approved", "sending", "cli:send")]
    finally:
        db.dispose()


_windows = itertools.count()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list(MOVES)), max_size=8))
def test_any_sequence_of_moves_leaves_a_history_that_explains_the_status(
    db: Database, verbs: list[str]
) -> None:
    with db.transaction() as session:
        close = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(days=next(_windows))
        issue = Issue(issue_date=close.date(), window_start=close - timedelta(days=1), window_end=close)
        session.add(issue)
        session.flush()
        issue_id = issue.id
    for verb in verbs:
        before = state_snapshot(db=db)
        try:
            with db.transaction() as session:
                MOVES[verb][0](session, issues.get_issue(session, issue_id))
        except TransitionError:
            assert state_snapshot(db=db) == before
    with db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        chain = [(e.from_status, e.to_status) for e in lifecycle.history(session, issue_id)]
    # Each move starts where the last one ended, the last one ends where the issue stands, and
    # nothing leaves a skipped issue.
    assert [start for start, _ in chain] == ["draft", *(end for _, end in chain)][: len(chain)]
    assert issue.status == (chain[-1][1] if chain else "draft")
    assert "skipped" not in [start for start, _ in chain]
    assert (issue.approved_at is not None) == (("draft", "approved") in chain)
    assert (issue.sent_at is not None) == any(end == "sent" for _, end in chain)
