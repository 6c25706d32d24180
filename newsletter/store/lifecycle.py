"""The life of an issue: the one module that moves its status, and records who moved it and why.

::

    transition      moves from          to          already done in
    approve         draft               approved    approved
    begin_sending   draft, approved     sending     sending, paused, sent
    pause           sending, sent       paused      paused
    resume          paused              sending
    finish          sending, paused     sent        sent
    skip            draft, approved     skipped     skipped

Each transition names the states it moves from, and those in which its work is already done
(approving an approved issue changes nothing). From any other state it raises
:class:`~newsletter.errors.TransitionError` naming both states, and changes nothing. Every move
adds an :class:`~newsletter.store.schema.IssueEvent`: from, to, the actor, this process and why.
Nothing else writes an issue's status (``tests/test_architecture.py`` guards it).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from newsletter.errors import TransitionError
from newsletter.store import issues
from newsletter.store.schema import Issue, IssueEvent, IssueStatus, utcnow

DRAFT, APPROVED, SENDING, PAUSED, SENT, SKIPPED = (
    IssueStatus.DRAFT,
    IssueStatus.APPROVED,
    IssueStatus.SENDING,
    IssueStatus.PAUSED,
    IssueStatus.SENT,
    IssueStatus.SKIPPED,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """One named move of an issue's status."""

    verb: str
    """What the error calls it: "cannot <verb> a sent issue"."""
    to: IssueStatus
    moves_from: frozenset[IssueStatus]
    done_in: frozenset[IssueStatus] = frozenset()
    """States in which the move's work is already done: it changes and records nothing."""

    def allows(self, current: IssueStatus) -> bool:
        return current in self.moves_from or current in self.done_in


APPROVE = Transition(
    verb="approve", to=APPROVED, moves_from=frozenset({DRAFT}), done_in=frozenset({APPROVED})
)
# A send has begun already in a paused issue (``send --resume`` moves it on) and in a sending
# one (a second worker joins); a later send of a sent issue reaches members who joined its
# lists since, and the issue stays sent.
BEGIN_SENDING = Transition(
    verb="send",
    to=SENDING,
    moves_from=frozenset({DRAFT, APPROVED}),
    done_in=frozenset({SENDING, PAUSED, SENT}),
)
# A sent issue pauses too when a later run for new members fails past the threshold.
PAUSE = Transition(
    verb="pause", to=PAUSED, moves_from=frozenset({SENDING, SENT}), done_in=frozenset({PAUSED})
)
RESUME = Transition(verb="resume", to=SENDING, moves_from=frozenset({PAUSED}))
# A paused issue is finished when another worker settled its last records meanwhile.
FINISH = Transition(
    verb="finish", to=SENT, moves_from=frozenset({SENDING, PAUSED}), done_in=frozenset({SENT})
)
SKIP = Transition(
    verb="skip", to=SKIPPED, moves_from=frozenset({DRAFT, APPROVED}), done_in=frozenset({SKIPPED})
)

TRANSITIONS: tuple[Transition, ...] = (APPROVE, BEGIN_SENDING, PAUSE, RESUME, FINISH, SKIP)


def approve(session: Session, issue: Issue, *, actor: str, at: datetime | None = None) -> bool:
    """draft → approved, stamping ``approved_at``; returns whether the issue moved."""
    moved = _move(session, issue, APPROVE, actor=actor, reason="", at=at)
    if moved:
        issue.approved_at = at or utcnow()
    return moved


def begin_sending(session: Session, issue: Issue, *, actor: str) -> bool:
    """draft or approved → sending, when its recipients are queued."""
    return _move(session, issue, BEGIN_SENDING, actor=actor, reason="")


def pause(session: Session, issue: Issue, reason: str, *, actor: str) -> bool:
    """sending → paused; ``reason`` becomes the issue's note, shown by ``newsletter status``."""
    moved = _move(session, issue, PAUSE, actor=actor, reason=reason)
    if moved:
        issue.note = reason
    return moved


def resume(session: Session, issue: Issue, *, actor: str) -> bool:
    """paused → sending (``send --resume``), clearing the note."""
    moved = _move(session, issue, RESUME, actor=actor, reason="resumed")
    if moved:
        issue.note = ""
    return moved


def finish(
    session: Session, issue: Issue, *, actor: str, reason: str = "", at: datetime | None = None
) -> bool:
    """sending → sent, stamping ``sent_at``, once no record is left without a final outcome."""
    moved = _move(session, issue, FINISH, actor=actor, reason=reason, at=at)
    if moved:
        issue.sent_at = at or utcnow()
    return moved


def skip(session: Session, issue: Issue, reason: str, *, actor: str, return_papers: bool) -> bool:
    """draft or approved → skipped; its window folds into the next issue's.

    With ``return_papers`` the papers it considered go back to the pool, so the next issue,
    whose window now starts where this one started, may pick them.
    """
    moved = _move(session, issue, SKIP, actor=actor, reason=reason)
    if moved:
        issue.note = reason
        if return_papers:
            issues.forget_considered(session, issue.id)
    return moved


def history(session: Session, issue_id: int) -> Sequence[IssueEvent]:
    """The issue's moves, oldest first."""
    return session.scalars(
        select(IssueEvent).where(IssueEvent.issue_id == issue_id).order_by(IssueEvent.id)
    ).all()


def _move(
    session: Session,
    issue: Issue,
    transition: Transition,
    *,
    actor: str,
    reason: str,
    at: datetime | None = None,
) -> bool:
    current = IssueStatus(issue.status)
    if current in transition.done_in:
        return False
    if current not in transition.moves_from:
        raise TransitionError(issue.id, transition.verb, current.value, transition.to.value)
    # Only from the state read above: when another process moved the issue since, nothing is
    # written, and the move is judged again from where that process left it.
    moved = session.execute(
        update(Issue)
        .where(Issue.id == issue.id, Issue.status == current.value)
        .values(status=transition.to.value)
        .execution_options(synchronize_session=False)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        session.refresh(issue)
        return _move(session, issue, transition, actor=actor, reason=reason, at=at)
    set_committed_value(issue, "status", transition.to.value)
    session.add(
        IssueEvent(
            issue_id=issue.id,
            from_status=current.value,
            to_status=transition.to.value,
            actor=actor,
            process=_process(),
            reason=reason,
            at=at or utcnow(),
        )
    )
    return True


def _process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
