"""The orchestrator: the few top-level steps that the CLI, the scheduler and the preview call.

gather (sources) → build_draft (ranking, digest) → render_issue (render) → deliver_issue
(delivery). Each step is usable alone; :func:`run_cycle` chains them for one scheduled run.
Mail to the editors (the review request, test copies) is :mod:`newsletter.editors`'s, and
which lists an issue goes to is :mod:`newsletter.subscribers.lists`'s.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path

from newsletter import editors, i18n
from newsletter.config import Config
from newsletter.delivery import senders
from newsletter.delivery.base import Campaign, DeliveryBackend
from newsletter.delivery.dispatch import DeliveryReport, checkpoint, dispatch
from newsletter.delivery.message import campaign_for, personalizer_for
from newsletter.digest import compose_draft, merge_drafts, read_draft, write_draft
from newsletter.errors import DeliveryError, StoreError
from newsletter.history import check_interests, editor_interests
from newsletter.model import Draft, Paper, RenderedEmail, Window
from newsletter.ranking import rank
from newsletter.render import render_email
from newsletter.sources.arxiv import ArxivSource
from newsletter.sources.base import PaperSource
from newsletter.sources.candidates import select_candidates
from newsletter.store import Database, audience, issues, lifecycle
from newsletter.store import sends as send_records
from newsletter.store.schema import IssueStatus, SendStatus
from newsletter.subscribers import lists as mailing_lists
from newsletter.unsubscribe import Signer
from newsletter.window import issue_window, send_time
from newsletter.writing import WritingReport, settle, write_prose

logger = logging.getLogger(__name__)


@dataclass
class App:
    """The components one configuration wires together, created on first use."""

    config: Config
    source_factory: Callable[[Config], PaperSource] = field(default=lambda cfg: ArxivSource(cfg.arxiv))
    actor: str = "cli"
    """Who moves issues through this app, as their history records it (``cli:send``, ``scheduler`` …)."""

    @cached_property
    def db(self) -> Database:
        return Database(self.config.database_url)

    @cached_property
    def source(self) -> PaperSource:
        return self.source_factory(self.config)

    def backend(self, *, test: bool = False) -> DeliveryBackend:
        from newsletter.delivery import backends

        return backends.create(self.config, test=test)

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
    writing: WritingReport = field(default_factory=WritingReport)
    """What the writing step did (all zero with the default extractive writer)."""


def gather(app: App, at: datetime) -> Gathering:
    """The candidates of the issue that closes at ``at``, recorded as considered by it.

    Re-running for the same close finds the same issue and the same candidates. When the
    source fails nothing is recorded, so the next run covers the window.
    """
    with app.db.transaction() as session:
        existing = issues.at_close(session, at)
        if existing is not None:
            window = Window(start=existing.window_start, end=existing.window_end)
        else:
            window = issue_window(at, issues.previous_window_end(session, at), app.config.arxiv)
    lookback = timedelta(days=app.config.arxiv.lookback_days)
    papers = app.source.fetch(submitted_after=window.end - lookback, submitted_before=window.end)
    issue_date = window.end.astimezone(app.config.tz).date()
    with app.db.transaction() as session:
        issue = issues.issue_for_window(session, window, issue_date, lists=app.config.newsletter.lists)
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
    # Read first: a broken export in ranking.interests must fail before anything is recorded.
    interests = editor_interests(app.db, app.config, before=at)
    gathering = gathering or gather(app, at)
    path = app.draft_path(gathering.issue_date)
    edited = read_draft(path) if path.exists() else None
    picks = rank(
        gathering.candidates,
        app.config.ranking,
        pinned=edited.pinned if edited else (),
        excluded=edited.excluded if edited else (),
        interests=interests,
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
    fresh, writing = write_prose(app.config, fresh, picks)
    draft = settle(merge_drafts(edited, fresh)) if edited else fresh
    draft = dataclasses.replace(draft, lists=tuple(own_lists(app, gathering.issue_id)))
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
        writing=writing,
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
    done = _decided_issue(app, at)
    if done is not None:
        return done
    # A broken export in ranking.interests must fail before the window is recorded.
    check_interests(app.config)
    gathering = gather(app, at)
    if not gathering.candidates and app.config.schedule.empty_window == "skip":
        reason = "no new papers in the window; it folds into the next issue"
        with app.db.transaction() as session:
            issue = issues.get_issue(session, gathering.issue_id)
            if issue.status == IssueStatus.DRAFT.value:
                lifecycle.skip(session, issue, reason, actor=app.actor, return_papers=False)
        return CycleResult(gathering=gathering, skipped=reason)
    draft = build_draft(app, at, gathering)
    if not send:
        return CycleResult(gathering=gathering, draft=draft, skipped="sending was not asked for")
    if app.config.schedule.approval == "review" and not _approved(app, draft):
        if not draft.merged:
            editors.notify_editors(
                app.config, app.backend, draft.issue_id, draft.draft.title.get("en", ""), at
            )
        return CycleResult(gathering=gathering, draft=draft, skipped="waiting for an editor's approval")
    on_batch = checkpoint(should_stop) if should_stop else None
    report = deliver_issue(app, draft.issue_id, on_batch=on_batch)
    return CycleResult(gathering=gathering, draft=draft, report=report)


def _decided_issue(app: App, at: datetime) -> CycleResult | None:
    """The result of a run for ``at`` whose issue was already sent or skipped, else None."""
    with app.db.transaction() as session:
        issue = issues.at_close(session, at)
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


def render_issue(app: App, draft: Draft, locale: str, *, send_time: datetime | None = None) -> RenderedEmail:
    """One locale's email, with the per-recipient placeholders left in.

    Its header shows ``send_time``; without one, the planned send time (the issue's close).
    """
    return render_email(
        draft, i18n.resolve_locale(locale, app.config), app.config.render_settings(), send_time=send_time
    )


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
    exclusive: bool = True,
) -> DeliveryReport:
    """Send the issue to every subscriber of its lists who has no record yet.

    The issue goes to the lists it was drafted for; ``lists`` may narrow them. Everything
    the send needs (the draft, the signing key, the lists, a working backend) is checked
    before the issue or any record changes. Safe to run again at any time: it resumes where
    the last run stopped and never sends an issue twice to the same person. A paused issue
    is sent only with ``resume``. ``on_start`` gets how many records are waiting,
    ``on_batch`` how many this run has settled so far.

    With ``exclusive`` (a plain ``send``) it refuses, changing nothing, while another process
    is sending the issue; workers that share the issue on purpose pass False (see
    :mod:`newsletter.workers`). Either way only a dead sender's batches are marked unknown.
    """
    issue_id, draft = load_draft(app, issue_ref)
    if exclusive:
        _refuse_if_sending(app, issue_id)
    signer = signer or Signer.from_env()
    chosen = sending_lists(app, issue_id, lists)
    backend = app.backend()
    try:
        _unpause(app, issue_id, resume=resume)
        queued = queue_recipients(app, issue_id, chosen)
        logger.info("queued %d new recipients for issue %s", queued, issue_id)
        if on_start is not None:
            on_start(send_counts(app, issue_id).get(SendStatus.PENDING.value, 0))
        report = dispatch(
            app.db,
            backend,
            issue_id,
            _campaigns(app, issue_id, draft),
            personalizer_for(app.config, issue_id, signer, own_lists(app, issue_id)),
            worker=senders.holder_id(),
            resend_unknown=resend_unknown,
            failure_threshold=app.config.delivery.failure_threshold,
            on_batch=on_batch,
            lease_seconds=app.config.delivery.lease_seconds,
        )
    finally:
        backend.close()
    _record_outcome(app, issue_id, report)
    return report


def check_ready(app: App, issue_id: int, lists: Sequence[str] = ()) -> list[str]:
    """What :func:`deliver_issue` checks before it changes anything, for callers that change
    something first (the workers queue the issue); returns the lists the send goes to."""
    Signer.from_env()
    chosen = sending_lists(app, issue_id, lists)
    app.backend().close()
    return chosen


def _refuse_if_sending(app: App, issue_id: int) -> None:
    with app.db.transaction() as session:
        live = senders.live_senders(session, issue_id)
    if live:
        raise DeliveryError(
            f"{senders.describe(issue_id, live)}; wait for it to finish, or add --worker to share its batches"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Settlement:
    """What ``send ISSUE --settle-unknown`` recorded."""

    issue_id: int
    settled: int
    """Records whose unknown outcome was recorded as ``outcome``."""
    batches: tuple[int, ...]
    """The batches they were in."""
    outcome: SendStatus
    found_unknown: tuple[int, ...]
    """Batches of a dead sender found only now: listed, left unknown for a later decision."""
    issue_status: str


def settle_unknown(app: App, issue_ref: int | str, outcome: SendStatus) -> Settlement:
    """Record what the provider's activity log says of the issue's unknown batches, sending nothing.

    Only batches already listed as unknown are settled; a dead sender's batches found now are
    marked unknown and listed, for the operator to check first. The issue becomes sent once
    no record is left without a final outcome.
    """
    if outcome not in (SendStatus.SENT, SendStatus.FAILED):
        raise DeliveryError(f"--settle-unknown: expected sent or failed, got {outcome.value!r}")
    how = "went out" if outcome == SendStatus.SENT else "did not go out"
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_ref)
        listed = tuple(batch.id for batch, _ in send_records.unknown_batches(session, issue.id))
        settled = send_records.settle_unknown(
            session, issue.id, outcome, error=f"the operator found that it {how} (--settle-unknown)"
        )
        found = tuple(senders.settle_abandoned(session, issue.id))
        totals = send_records.counts(session, issue.id)
        unsettled = any(totals.get(status) for status in send_records.UNSETTLED)
        if issue.status == IssueStatus.SENDING.value and not unsettled:
            lifecycle.finish(
                session, issue, actor=app.actor, reason=f"--settle-unknown {outcome.value}: {settled} records"
            )
        return Settlement(
            issue_id=issue.id,
            settled=settled,
            batches=listed,
            outcome=outcome,
            found_unknown=found,
            issue_status=issue.status,
        )


def _unpause(app: App, issue_id: int, *, resume: bool) -> None:
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        if issue.status != IssueStatus.PAUSED.value:
            return
        if not resume:
            raise DeliveryError(
                f"issue #{issue_id} is paused ({issue.note}); fix the cause, then add --resume"
            )
        lifecycle.resume(session, issue, actor=app.actor)


def _record_outcome(app: App, issue_id: int, report: DeliveryReport) -> None:
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        if report.paused:
            lifecycle.pause(session, issue, report.paused, actor=app.actor)
        elif report.finished:
            lifecycle.finish(session, issue, actor=app.actor)


def send_test(app: App, issue_ref: int | str, addresses: Sequence[str], *, locale: str | None = None) -> int:
    """Send the issue to editors' addresses as a test (:mod:`newsletter.editors`): no send record
    is read or written.

    Each address is checked as an import row is, and ``locale`` against the configured
    locales, before anything is sent.
    """
    checked = editors.test_copy_addresses(addresses)
    chosen = editors.test_copy_locale(app.config, locale)
    issue_id, draft = load_draft(app, issue_ref)
    email = render_issue(app, draft, chosen)
    lists = own_lists(app, issue_id)
    editors.send_test_copies(
        app.config, lambda: app.backend(test=True), email, checked, issue_id=issue_id, lists=lists
    )
    return issue_id


def own_lists(app: App, issue_id: int) -> list[str]:
    """The lists the issue goes to (:func:`newsletter.subscribers.lists.issue_lists`), by its id."""
    with app.db.transaction() as session:
        return mailing_lists.issue_lists(issues.get_issue(session, issue_id), app.config.newsletter.lists)


def sending_lists(app: App, issue_id: int, narrowed: Sequence[str] = ()) -> list[str]:
    """The names of the lists a send of the issue goes to, checked before anything changes
    (:func:`newsletter.subscribers.lists.sending_lists`)."""
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        chosen = mailing_lists.sending_lists(session, issue, app.config.newsletter.lists, narrowed)
        return [row.name for row in chosen]


def queue_recipients(app: App, issue_id: int, lists: Sequence[str] = ()) -> int:
    """Create a pending send record for each member of the issue's lists (or of ``lists``, which
    must be among them) who has none for this issue."""
    with app.db.transaction() as session:
        issue = issues.get_issue(session, issue_id)
        chosen = mailing_lists.sending_lists(session, issue, app.config.newsletter.lists, lists)
        lifecycle.begin_sending(session, issue, actor=app.actor)
        members = audience.members_query([item.id for item in chosen])
        return send_records.queue(
            session, issue_id, members, lambda raw: i18n.resolve_locale(raw, app.config)
        )


def send_counts(app: App, issue_id: int) -> dict[str, int]:
    with app.db.transaction() as session:
        return dict(send_records.counts(session, issue_id))


def _campaigns(app: App, issue_id: int, draft: Draft) -> Callable[[str], Campaign]:
    """A locale's campaign, rendered when asked (``dispatch`` asks once per locale).

    Its header shows the send time (:func:`newsletter.window.send_time`); its From name is the
    locale's own brand.
    """
    sent_at = send_time(draft.window.end, datetime.now(UTC), app.config.schedule.misfire_grace_seconds)

    def campaign(locale: str) -> Campaign:
        return campaign_for(app.config, issue_id, render_issue(app, draft, locale, send_time=sent_at))

    return campaign
