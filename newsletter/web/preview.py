"""The editor's live preview: the draft rendered in every locale, checked, and kept current.

The page polls ``/version``, a fingerprint of the draft file, the templates and the catalogs,
and reloads when it changes. Renderings are cached per fingerprint, so the page and its
iframes render each locale once per edit. The server binds 127.0.0.1 only; it also refuses
other Host names (DNS rebinding) and forms without this run's token (cross-site posts).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newsletter import assets, writing
from newsletter.config import Config
from newsletter.delivery.message import personalize, sample_copy
from newsletter.errors import InputError, NewsletterError, StoreError
from newsletter.model import Draft, RenderedEmail
from newsletter.store import Database, Session, issues, lifecycle
from newsletter.store.schema import Issue
from newsletter.web.linkcheck import LinkWarning, check_links

logger = logging.getLogger(__name__)

#: Gmail shows "[Message clipped]" and hides the rest, the unsubscribe link included, past this.
GMAIL_CLIP_BYTES = 102 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewHooks:
    """What the preview calls: the pipeline's own functions (see :func:`pipeline_hooks`)."""

    read_draft: Callable[[Path], Draft]
    render: Callable[[Draft, str], RenderedEmail]
    send_test: Callable[[int, str, str], None]
    """Send issue ``id`` as a test to one address, in one locale."""
    write_draft: Callable[[Draft, Path], None] | None = None
    """Writes the draft back, to set its ``approved`` flag; None when the digest has no writer."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LocaleView:
    """One locale's rendering, filled in for a sample recipient as a real message would be."""

    locale: str
    subject: str
    preheader: str
    html: str
    text: str

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueState:
    issue_id: int
    status: str
    approved_at: datetime | None
    lists: tuple[str, ...] = ()
    """The lists the issue goes to."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """Everything the page shows for one version of the files."""

    version: str
    draft: Draft | None
    views: tuple[LocaleView, ...] = ()
    warnings: tuple[LinkWarning, ...] = ()
    error: str = ""
    """Why the draft could not be read or rendered; the page shows it until the file is fixed."""
    edit_warnings: tuple[str, ...] = ()
    """The fact guard's warnings on texts the editor wrote (it warns, never blocks)."""

    def view(self, locale: str) -> LocaleView | None:
        return next((v for v in self.views if v.locale == locale), None)


class Preview:
    """The preview's state: which draft, the cached rendering, and the editor's actions."""

    def __init__(
        self,
        *,
        config: Config,
        db: Database,
        draft_path: Path,
        hooks: PreviewHooks,
        watched: Sequence[Path] = (),
    ) -> None:
        self.config = config
        self.db = db
        self.draft_path = draft_path
        self.hooks = hooks
        self.watched = (draft_path, *watched)
        self.csrf = secrets.token_urlsafe(24)
        self._lock = threading.Lock()
        self._cached: Snapshot | None = None
        self._notice = ""

    def version(self) -> str:
        """A fingerprint of every watched file's name, size and modification time."""
        digest = hashlib.sha256()
        for path in _files(self.watched):
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
        return digest.hexdigest()[:16]

    def snapshot(self) -> Snapshot:
        version = self.version()
        with self._lock:
            if self._cached is None or self._cached.version != version:
                self._cached = self._build(version)
            return self._cached

    def issue(self) -> IssueState | None:
        with self.db.transaction() as session:
            issue = self._issue(session)
            if issue is None:
                return None
            return IssueState(
                issue_id=issue.id,
                status=issue.status,
                approved_at=issue.approved_at,
                lists=tuple(issue.lists or self.config.newsletter.lists),
            )

    def send_test(self, locale: str | None = None) -> str:
        """Send the issue in ``locale`` (default: the default locale) to the editor's address;
        returns what the page should say."""
        newsletter = self.config.newsletter
        chosen = locale or newsletter.default_locale
        if chosen not in newsletter.locales:
            raise InputError(f"locale: expected one of {', '.join(newsletter.locales)}, got {chosen!r}")
        state = self.issue()
        if state is None:
            raise StoreError(f"{self.draft_path.name}: no issue in the store uses this draft")
        address = newsletter.editor_email
        self.hooks.send_test(state.issue_id, address, chosen)
        logger.info("sent a %s test of issue %s to the editor", chosen, state.issue_id)
        return f"Sent a test of issue #{state.issue_id} ({chosen}) to {address}."

    def approve(self, at: datetime | None = None) -> str:
        """Mark the draft and its issue approved; returns what the page should say."""
        now = at or datetime.now(UTC)
        with self.db.transaction() as session:
            issue = self._issue(session)
            # The store first: an issue that can no longer be approved leaves the file as it is,
            # and a file that cannot be written rolls the approval back.
            if issue is not None:
                lifecycle.approve(session, issue, actor="preview", at=now)
            if self.hooks.write_draft is not None:
                draft = self.hooks.read_draft(self.draft_path)
                if not draft.approved:
                    self.hooks.write_draft(dataclasses.replace(draft, approved=True), self.draft_path)
            if issue is None:
                return "Approved the draft file; no issue in the store uses it yet."
            logger.info("issue %s approved from the preview", issue.id)
            return f"Approved issue #{issue.id}."

    def flash(self, notice: str) -> None:
        with self._lock:
            self._notice = notice

    def take_notice(self) -> str:
        with self._lock:
            notice, self._notice = self._notice, ""
            return notice

    def _issue(self, session: Session) -> Issue | None:
        """The issue whose draft this file is: by its recorded path, else by the draft's date."""
        by_path = issues.issue_with_draft(session, [str(self.draft_path), str(self.draft_path.resolve())])
        if by_path is not None:
            return by_path
        snapshot = self._cached
        if snapshot is None or snapshot.draft is None:
            return None
        return issues.latest_of_day(session, snapshot.draft.issue_date)

    def _build(self, version: str) -> Snapshot:
        try:
            draft = self.hooks.read_draft(self.draft_path)
        except (NewsletterError, OSError) as error:
            return Snapshot(version=version, draft=None, error=str(error))
        try:
            views = tuple(self._view(draft, locale) for locale in self.config.newsletter.locales)
        except NewsletterError as error:
            return Snapshot(version=version, draft=draft, error=str(error))
        warnings = check_links(draft, {v.locale: v.html for v in views})
        records = writing.load_records(self.config.writing_cache_dir, (p.arxiv_id for p in draft.picks))
        guarded = tuple(writing.edit_warnings(draft, records))
        return Snapshot(
            version=version, draft=draft, views=views, warnings=tuple(warnings), edit_warnings=guarded
        )

    def _view(self, draft: Draft, locale: str) -> LocaleView:
        email = self.hooks.render(draft, locale)
        message = personalize(*sample_copy(self.config, email, address=self.config.newsletter.editor_email))
        return LocaleView(
            locale=locale,
            subject=email.subject,
            preheader=email.preheader,
            html=message.html,
            text=message.text,
        )


def pipeline_hooks(config: Config) -> PreviewHooks:
    """The real thing: the pipeline's render and send_test and the digest's reader and writer."""
    from newsletter import digest, pipeline

    app = pipeline.App(config)

    def send_test(issue_id: int, address: str, locale: str) -> None:
        pipeline.send_test(app, issue_id, [address], locale=locale)

    return PreviewHooks(
        read_draft=digest.read_draft,
        render=lambda draft, locale: pipeline.render_issue(app, draft, locale),
        send_test=send_test,
        write_draft=digest.write_draft,
    )


def watched_folders() -> list[Path]:
    """The templates and catalogs the rendering reads."""
    try:
        return [assets.templates_dir(), assets.locales_dir()]
    except NewsletterError:
        return []


def latest_draft(db: Database) -> Path:
    """The draft of the most recent issue that has one: what ``newsletter preview`` opens."""
    with db.transaction() as session:
        found = issues.latest_draft_path(session)
    if not found:
        raise StoreError("no issue has a draft yet: run `newsletter draft`, or pass a draft file")
    return Path(found)


def _files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        else:
            found.append(path)
    return found
