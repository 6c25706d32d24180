"""What ``newsletter status`` reports: upcoming runs, recent issues and runs, and what needs attention.

Delivery counts per issue come from three places: the send records (sent, failed, unknown,
pending), the provider's events that the webhook stores (delivered, bounced), and the
unsubscribes made through that issue's links or reported by the provider for it.

Looking is also when a dead sender's batches are found: batches whose holder's lease has
lapsed are marked unknown here and listed, so that an operator sees them before any command
may send them again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from newsletter.config import Config
from newsletter.delivery import senders, sendgrid
from newsletter.scheduler import history, timing
from newsletter.scheduler.history import Outcome
from newsletter.store import Database, Session, issues
from newsletter.store import events as stored_events
from newsletter.store import sends as send_records
from newsletter.store.schema import Issue, IssueStatus, SendStatus
from newsletter.window import review_deadline

COUNT_KEYS = ("sent", "delivered", "bounced", "unsubscribed", "failed", "unknown", "pending")
_TROUBLE = frozenset({Outcome.FAILED, Outcome.MISSED, Outcome.STOPPED, Outcome.PAUSED})


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueSummary:
    id: int
    date: str
    status: str
    window_start: datetime
    window_end: datetime
    candidates: int
    picks: tuple[str, ...]
    """The featured arXiv ids, in order."""
    counts: Mapping[str, int]
    """Each of :data:`COUNT_KEYS`."""
    lists: tuple[str, ...] = ()
    """The lists the issue goes to (``newsletter.lists`` for an issue that recorded none)."""
    note: str = ""
    unknown_batches: tuple[int, ...] = ()
    """The batches whose outcome is unknown, for the operator to check and settle."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSummary:
    scheduled_for: datetime
    outcome: str
    detail: str
    issue_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Attention:
    """Something an operator should act on, and what to do."""

    issue_id: int | None
    kind: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    upcoming: tuple[timing.FireTime, ...]
    issues: tuple[IssueSummary, ...]
    runs: tuple[RunSummary, ...]
    attention: tuple[Attention, ...]


def collect(config: Config, db: Database, now: datetime, *, limit: int = 10, upcoming: int = 3) -> Status:
    """Everything ``newsletter status`` shows, as of ``now``."""
    trigger = timing.schedule_trigger(config.schedule, config.tz)
    with db.transaction() as session:
        latest = issues.latest_issues(session, limit)
        for issue in latest:
            senders.settle_abandoned(session, issue.id)
        summaries = tuple(_summary(session, issue, config.newsletter.lists) for issue in latest)
        runs = tuple(
            RunSummary(scheduled_for=r.scheduled_for, outcome=r.outcome, detail=r.detail, issue_id=r.issue_id)
            for r in history.recent(session, limit)
        )
    return Status(
        upcoming=tuple(timing.upcoming(trigger, now, upcoming)),
        issues=summaries,
        runs=runs,
        attention=tuple(_attention(config, summaries, runs, now)),
    )


def delivery_counts(session: Session, issue_id: int) -> dict[str, int]:
    records = send_records.counts(session, issue_id)
    counts = {key: records.get(key, 0) for key in ("sent", "failed", "unknown", "pending")}
    counts["pending"] += records.get(SendStatus.CLAIMED.value, 0)
    counts["delivered"] = stored_events.subscribers_with(session, issue_id, (sendgrid.DELIVERED,))
    counts["bounced"] = stored_events.subscribers_with(session, issue_id, (sendgrid.BOUNCE,))
    # People who left through this issue: its one-click link, or the provider's unsubscribe.
    counts["unsubscribed"] = stored_events.left_through(session, issue_id, sendgrid.UNSUBSCRIBE_EVENTS)
    return {key: counts[key] for key in COUNT_KEYS}


def _summary(session: Session, issue: Issue, default_lists: Sequence[str]) -> IssueSummary:
    return IssueSummary(
        id=issue.id,
        date=issue.issue_date.isoformat(),
        status=issue.status,
        window_start=issue.window_start,
        window_end=issue.window_end,
        candidates=issue.candidates,
        picks=tuple(p.arxiv_id for p in issues.featured(session, issue.id)),
        counts=delivery_counts(session, issue.id),
        lists=tuple(issue.lists or default_lists),
        note=issue.note,
        unknown_batches=tuple(batch.id for batch, _ in send_records.unknown_batches(session, issue.id)),
    )


def _attention(
    config: Config, summaries: Sequence[IssueSummary], runs: Sequence[RunSummary], now: datetime
) -> list[Attention]:
    found = []
    for issue in summaries:
        if issue.status == IssueStatus.PAUSED.value:
            found.append(
                Attention(
                    issue_id=issue.id,
                    kind="paused",
                    message=f"paused: {issue.note or 'too many failures'}; fix the cause, then "
                    f"`newsletter send {issue.id} --resume`",
                )
            )
        if issue.counts["unknown"]:
            found.append(
                Attention(
                    issue_id=issue.id,
                    kind="unknown",
                    message=unknown_advice(issue.id, issue.unknown_batches, issue.counts["unknown"]),
                )
            )
    for run in runs:
        if run.outcome == Outcome.AWAITING_APPROVAL:
            deadline = review_deadline(run.scheduled_for, config.schedule.review_deadline, config.tz)
            if now >= deadline:
                found.append(
                    Attention(
                        issue_id=run.issue_id,
                        kind="approval overdue",
                        message=f"approval was due at {deadline.astimezone(config.tz):%Y-%m-%d %H:%M}; "
                        "is `newsletter schedule` running?",
                    )
                )
        elif run.outcome in _TROUBLE:
            found.append(
                Attention(
                    issue_id=run.issue_id,
                    kind=f"run {run.outcome}",
                    message=f"run for {run.scheduled_for.astimezone(config.tz):%Y-%m-%d %H:%M} "
                    f"{run.outcome}: {run.detail}",
                )
            )
    return found


def unknown_advice(issue_id: int, batches: Sequence[int], records: int) -> str:
    """What an operator does with unknown batches: look them up, then settle or re-send them."""
    listed = f" in {batch_list(batches)}" if batches else ""
    return (
        f"{records} sends{listed} with unknown outcome; look them up in the provider's activity log, "
        f"then `newsletter send {issue_id} --settle-unknown sent` if they went out, "
        f"`--settle-unknown failed` if they did not, or `newsletter send {issue_id} --resend-unknown` "
        "to send them again"
    )


def batch_list(ids: Sequence[int]) -> str:
    """``batch 3`` or ``batches 3, 4``."""
    return ("batch " if len(ids) == 1 else "batches ") + ", ".join(map(str, ids))


def to_json(status: Status) -> dict[str, object]:
    return {
        "upcoming": [
            {"at": f.at.isoformat(), "new_announcement": f.new_announcement} for f in status.upcoming
        ],
        "issues": [
            {
                "id": i.id,
                "date": i.date,
                "status": i.status,
                "window": [i.window_start.isoformat(), i.window_end.isoformat()],
                "candidates": i.candidates,
                "lists": list(i.lists),
                "picks": list(i.picks),
                "counts": dict(i.counts),
                "unknown_batches": list(i.unknown_batches),
                "note": i.note,
            }
            for i in status.issues
        ],
        "runs": [
            {
                "scheduled_for": r.scheduled_for.isoformat(),
                "outcome": r.outcome,
                "detail": r.detail,
                "issue_id": r.issue_id,
            }
            for r in status.runs
        ],
        "attention": [
            {"issue_id": a.issue_id, "kind": a.kind, "message": a.message} for a in status.attention
        ],
    }


def to_lines(status: Status, config: Config) -> list[str]:
    """The human-readable report, one line per fact."""
    tz = config.tz
    lines = ["Upcoming runs:"]
    lines += [
        f"  {f.at.astimezone(tz):%a %Y-%m-%d %H:%M %Z}"
        + ("" if f.new_announcement else "  (no new arXiv announcement)")
        for f in status.upcoming
    ]
    lines.append(
        "Recent issues:" if status.issues else "No issues yet. Run `newsletter run` or `newsletter demo`."
    )
    for i in status.issues:
        window = f"{i.window_start.astimezone(tz):%m-%d %H:%M} → {i.window_end.astimezone(tz):%m-%d %H:%M}"
        counts = ", ".join(f"{i.counts[k]} {k}" for k in COUNT_KEYS if i.counts[k] or k != "pending")
        lines.append(
            f"  #{i.id} {i.date} {i.status:<8} window {window}  to {', '.join(i.lists) or '(no list)'}  "
            f"{len(i.picks)} picks  {counts}"
        )
    if status.runs:
        lines.append("Recent runs:")
        lines += [
            f"  {r.scheduled_for.astimezone(tz):%Y-%m-%d %H:%M}  {r.outcome:<17} {r.detail}"
            for r in status.runs
        ]
    lines.append("Needs attention:" if status.attention else "Nothing needs attention.")
    lines += [
        f"  {'#' + str(a.issue_id) if a.issue_id else '-'} {a.kind}: {a.message}" for a in status.attention
    ]
    return lines
