"""The orchestrator: the few top-level steps that the CLI, the scheduler and the preview call.

gather (sources) → build_draft (ranking, digest) → render_issue (render) → deliver_issue
(delivery). Each step is usable alone; :func:`run_cycle` chains them for one scheduled run.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path

from newsletter import i18n
from newsletter.config import Config
from newsletter.delivery.base import Campaign, DeliveryBackend
from newsletter.delivery.dispatch import DeliveryReport, dispatch
from newsletter.delivery.message import Personalizer, personalization
from newsletter.digest import compose_draft, merge_drafts, read_draft, write_draft
from newsletter.errors import DeliveryError, StoreError
from newsletter.model import Draft, Paper, Recipient, RenderedEmail, Window
from newsletter.ranking import rank
from newsletter.render import render_email
from newsletter.sources.arxiv import ArxivSource
from newsletter.sources.base import PaperSource
from newsletter.sources.candidates import select_candidates
from newsletter.store import Database, audience, issues
from newsletter.store import sends as send_records
from newsletter.store.schema import Issue, IssueStatus, SendStatus
from newsletter.unsubscribe import PREVIEW_SIGNER, Signer
from newsletter.window import issue_window

logger = logging.getLogger(__name__)


@dataclass
class App:
    """The components one configuration wires together, created on first use."""

    config: Config
    source_factory: Callable[[Config], PaperSource] = field(default=lambda cfg: ArxivSource(cfg.arxiv))

    @cached_property
    def db(self) -> Database:
        return Database(self.config.database_url)

    @cached_property
    def source(self) -> PaperSource:
        return self.source_factory(self.config)

    def backend(self) -> DeliveryBackend:
        from newsletter.delivery import backends

        return backends.create(self.config)

    def draft_path(self, issue_date: date) -> Path:
        return self.config.drafts_dir / f"{issue_date.isoformat()}.toml"


@dataclass(frozen=True, slots=True, kw_only=True)
class Gathering:
    """What :func:`gather` found for one issue's window."""

    issue_id: int
    issue_date: date
    window: Window
    candidates: tuple[Paper, ...]
    fetched: int
    """How many papers the source returned before de-duplication."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftResult:
    issue_id: int
    path: Path
    draft: Draft
    candidates: int
    merged: bool
    """Whether an editor's earlier file was merged rather than written fresh."""


def gather(app: App, at: datetime) -> Gathering:
    """The candidates of the issue that closes at ``at``, recorded as considered by it.

    Re-running for the same close finds the same issue and the same candidates. When the
    source fails nothing is recorded, so the next run covers the window.
    """
    with app.db.transaction() as session:
        existing = session.query(Issue).filter(Issue.window_end == at).one_or_none()
        if existing is not None:
            window = Window(start=existing.window_start, end=existing.window_end)
        else:
            window = issue_window(at, issues.previous_window_end(session, at), app.config.arxiv)
    lookback = timedelta(days=app.config.arxiv.lookback_days)
    papers = app.source.fetch(submitted_after=window.end - lookback, submitted_before=window.end)
    issue_date = window.end.astimezone(app.config.tz).date()
    with app.db.transaction() as session:
        issue = issues.issue_for_window(session, window, issue_date)
        seen = issues.considered_ids(session, (p.arxiv_id for p in papers), except_issue=issue.id)
        candidates = select_candidates(
            papers,
            already_considered=seen,
            categories=app.config.arxiv.categories,
            include_cross_lists=app.config.arxiv.include_cross_lists,
        )
        issues.record_considered(session, issue, candidates)
        issue_id = issue.id
    logger.info("gathered %d candidates (%d fetched) for issue %s", len(candidates), len(papers), issue_id)
    return Gathering(
        issue_id=issue_id,
        issue_date=issue_date,
        window=window,
        candidates=tuple(candidates),
        fetched=len(papers),
    )


def build_draft(app: App, at: datetime, gathering: Gathering | None = None) -> DraftResult:
    """Gather, rank and write the issue's draft file, keeping an editor's earlier edits."""
    gathering = gathering or gather(app, at)
    path = app.draft_path(gathering.issue_date)
    edited = read_draft(path) if path.exists() else None
    picks = rank(
        gathering.candidates,
        app.config.ranking,
        pinned=edited.pinned if edited else (),
        excluded=edited.excluded if edited else (),
    )
    fresh = compose_draft(
        picks,
        window=gathering.window,
        issue_date=gathering.issue_date,
        candidates=len(gathering.candidates),
        locales=app.config.newsletter.locales,
        tz=app.config.tz,
        topic_terms=app.config.ranking.topic_terms,
    )
    draft = merge_drafts(edited, fresh) if edited else fresh
    write_draft(draft, path)
    with app.db.transaction() as session:
        issue = issues.get_issue(session, gathering.issue_id)
        issues.record_picks(session, issue, picks)
        issue.draft_path = str(path)
        issue.subject = draft.title.get("en", "")
    return DraftResult(
        issue_id=gathering.issue_id,
        path=path,
        draft=draft,
        candidates=len(gathering.candidates),
        merged=edited is not None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleResult:
    """What one scheduled run did."""

    gathering: Gathering
    draft: DraftResult | None = None
    report: DeliveryReport | None = None
    skipped: str = ""
    """Why nothing was sent, when nothing was."""


def run_cycle(
    app: App, at: datetime, *, send: bool = True, should_stop: Callable[[], bool] | None = None
) -> CycleResult:
    """One full run for the issue closing at ``at``: gather, draft, and send unless held back.

    In review mode an unapproved issue is drafted and the editors are asked (once) to review
    it; the scheduler sends it on approval or applies the deadline. An issue already sent or
    skipped is left alone, so a second run for the same close does nothing. ``should_stop`` is
    checked between batches (StopRequestedError); a later run resumes the send.
    """
    from newsletter import workers
    from newsletter.scheduler import approval

    done = _decided_issue(app, at)
    if done is not None:
        return done
    gathering = gather(app, at)
    if not gathering.candidates and app.config.schedule.empty_window == "skip":
        reason = "no new papers in the window; it folds into the next issue"
        with app.db.transaction() as session:
            issue = issues.get_issue(session, gathering.issue_id)
            if issue.status == IssueStatus.DRAFT.value:
                issue.status, issue.note = IssueStatus.SKIPPED.value, reason
        return CycleResult(gathering=gathering, skipped=reason)
    draft = build_draft(app, at, gathering)
    if not send:
        return CycleResult(gathering=gathering, draft=draft, skipped="sending was not asked for")
    if app.config.schedule.approval == "review" and not _approved(app, draft):
        if not draft.merged:
            approval.notify_editors(app, draft.issue_id, draft.draft.title.get("en", ""), at)
        return CycleResult(gathering=gathering, draft=draft, skipped="waiting for an editor's approval")
    on_batch = workers.checkpoint(should_stop) if should_stop else None
    report = deliver_issue(app, draft.issue_id, on_batch=on_batch)
    return CycleResult(gathering=gathering, draft=draft, report=report)


def _decided_issue(app: App, at: datetime) -> CycleResult | None:
    """The result of a run for ``at`` whose issue was already sent or skipped, else None."""
    with app.db.transaction() as session:
        issue = session.query(Issue).filter(Issue.window_end == at).one_or_none()
        if issue is None or issue.status not in (IssueStatus.SENT.value, IssueStatus.SKIPPED.value):
            return None
        gathering = Gathering(
            issue_id=issue.id,
            issue_date=issue.issue_date,
            window=Window(start=issue.window_start, end=issue.window_end),
            candidates=(),
            fetched=0,
        )
        return CycleResult(gathering=gathering, skipped=f"issue #{issue.id} is already {issue.status}")


def _approved(app: App, draft: DraftResult) -> bool:
    """Approved in the draft file or in the store (the preview sets both)."""
    with app.db.transaction() as session:
        status = issues.get_issue(session, draft.issue_id).status
    return draft.draft.approved or status == IssueStatus.APPROVED.value


def render_issue(app: App, draft: Draft, locale: str) -> RenderedEmail:
    """One locale's email, with the per-recipient placeholders left in."""
    return render_email(draft, i18n.resolve_locale(locale, app.config), app.config)


def load_draft(app: App, issue_ref: int | str) -> tuple[int, Draft]:
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_ref)
        issue_id, path = issue.id, issue.draft_path
    if not path:
        raise StoreError(f"issue {issue_ref}: it has no draft yet; run `newsletter draft` first")
    return issue_id, read_draft(Path(path))


def deliver_issue(
    app: App,
    issue_ref: int | str,
    *,
    lists: Sequence[str] = (),
    resend_unknown: bool = False,
    resume: bool = False,
    signer: Signer | None = None,
    on_batch: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    settle_abandoned: bool = True,
) -> DeliveryReport:
    """Send the issue to every subscriber of ``lists`` (all lists when empty) who has no record yet.

    Safe to run again at any time: it resumes where the last run stopped and never sends an
    issue twice to the same person. A paused issue is sent only with ``resume``. ``on_start``
    gets how many records are waiting, ``on_batch`` how many this run has settled so far.
    Workers sharing the issue pass ``settle_abandoned=False`` (see :mod:`newsletter.workers`).
    """
    issue_id, draft = load_draft(app, issue_ref)
    _unpause(app, issue_id, resume=resume)
    signer = signer or Signer.from_env()
    queued = queue_recipients(app, issue_id, lists)
    logger.info("queued %d new recipients for issue %s", queued, issue_id)
    if on_start is not None:
        on_start(send_counts(app, issue_id).get(SendStatus.PENDING.value, 0))
    backend = app.backend()
    try:
        report = dispatch(
            app.db,
            backend,
            issue_id,
            _campaigns(app, issue_id, draft),
            _personalizer(app, issue_id, signer),
            worker=f"{socket.gethostname()}:{os.getpid()}",
            resend_unknown=resend_unknown,
            failure_threshold=app.config.delivery.failure_threshold,
            on_batch=on_batch,
            settle_abandoned=settle_abandoned,
        )
    finally:
        backend.close()
    _record_outcome(app, issue_id, report)
    return report


def _unpause(app: App, issue_id: int, *, resume: bool) -> None:
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        if issue.status != IssueStatus.PAUSED.value:
            return
        if not resume:
            raise DeliveryError(
                f"issue #{issue_id} is paused ({issue.note}); fix the cause, then add --resume"
            )
        issue.status, issue.note = IssueStatus.SENDING.value, ""


def _record_outcome(app: App, issue_id: int, report: DeliveryReport) -> None:
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        if report.paused:
            issue.status, issue.note = IssueStatus.PAUSED.value, report.paused
        elif report.finished and issue.status != IssueStatus.SENT.value:
            issue.status = IssueStatus.SENT.value
            issue.sent_at = datetime.now(app.config.tz)


def send_test(app: App, issue_ref: int | str, addresses: Sequence[str], *, locale: str | None = None) -> int:
    """Send the issue to editors' addresses as a test: no send record is read or written."""
    issue_id, draft = load_draft(app, issue_ref)
    campaign = _campaigns(app, issue_id, draft)(locale or app.config.newsletter.default_locale)
    people = [
        personalization(
            Recipient(subscriber_id=0, email=address, locale=campaign.email.locale),
            issue_id=issue_id,
            signer=PREVIEW_SIGNER,
            public_url=app.config.newsletter.public_url,
            sender=app.config.newsletter.sender,
        )
        for address in addresses
    ]
    backend = app.backend()
    try:
        for start in range(0, len(people), backend.batch_size):
            result = backend.send_batch(campaign, people[start : start + backend.batch_size])
            if result.rejected:
                refused = "; ".join(result.rejected.values())
                raise DeliveryError(f"the mail system refused the test copy: {refused}", permanent=True)
    finally:
        backend.close()
    return issue_id


def queue_recipients(app: App, issue_id: int, lists: Sequence[str]) -> int:
    """Create a pending send record for each list member who has none for this issue."""
    with app.db.transaction() as session:
        chosen = [audience.get_list(session, name) for name in lists] or list(audience.all_lists(session))
        issue = issues.get_issue(session, issue_id)
        if issue.status in (IssueStatus.DRAFT.value, IssueStatus.APPROVED.value):
            issue.status = IssueStatus.SENDING.value
        members = audience.members_query([item.id for item in chosen])
        return send_records.queue(
            session, issue_id, members, lambda raw: i18n.resolve_locale(raw, app.config)
        )


def send_counts(app: App, issue_id: int) -> dict[str, int]:
    with app.db.transaction() as session:
        return dict(send_records.counts(session, issue_id))


def _campaigns(app: App, issue_id: int, draft: Draft) -> Callable[[str], Campaign]:
    """A locale's campaign, rendered when asked (``dispatch`` asks once per locale)."""
    newsletter = app.config.newsletter

    def campaign(locale: str) -> Campaign:
        return Campaign(
            issue_id=issue_id,
            email=render_issue(app, draft, locale),
            sender=newsletter.sender,
            reply_to=newsletter.reply_to or None,
            categories=tuple(app.config.delivery.sendgrid.categories),
            tracking=app.config.delivery.tracking,
        )

    return campaign


def _personalizer(app: App, issue_id: int, signer: Signer) -> Personalizer:
    newsletter = app.config.newsletter
    return Personalizer(
        issue_id=issue_id, signer=signer, public_url=newsletter.public_url, sender=newsletter.sender
    )
