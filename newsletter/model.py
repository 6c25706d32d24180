"""Plain data passed between the stages of the pipeline.

sources → ranking → digest → render → delivery: each stage takes and returns these frozen
values and never reaches into another stage's internals. Times are timezone-aware
(UTC from the sources; the display zone is applied only when rendering).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

#: Placeholders left in a rendered email and filled per recipient without re-rendering.
#: They survive Jinja2 escaping and MJML compilation unchanged, and SendGrid can fill
#: them as ``substitutions``.
PLACEHOLDER_UNSUBSCRIBE_URL = "%%unsubscribe_url%%"
PLACEHOLDER_EMAIL = "%%email%%"

LANGUAGE_SECTION = "language"
"""The id of the unsubscribe page's language form."""

#: The change-language link is the recipient's unsubscribe link opened at its language form.
#: It is spelled with the unsubscribe placeholder, so filling that one fills both: one value
#: fewer per recipient, in every message and in every SendGrid personalization.
PLACEHOLDER_LANGUAGE_URL = f"{PLACEHOLDER_UNSUBSCRIBE_URL}#{LANGUAGE_SECTION}"

#: Shown wherever a fact is absent from the source, as the sample issue does.
ABSENT = "—"


def link_target(url: str) -> str:
    """Where a URL written as a source writes it should link: ``github.com/x`` → ``https://github.com/x``.

    Facts keep the source's spelling; only the ``href`` gains the scheme a mail client needs.
    """
    return url if "://" in url or url.startswith("mailto:") else f"https://{url}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Author:
    name: str
    """The author's name as the feed writes it."""
    affiliations: tuple[str, ...] = ()
    """``arxiv:affiliation`` values, when the feed has them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Paper:
    """One arXiv paper as a source delivered it."""

    arxiv_id: str
    """The identifier without its version, e.g. ``2607.01234``."""
    version: int
    """The version the feed served (1 for a new paper, 2+ for a replacement)."""
    title: str
    abstract: str
    authors: tuple[Author, ...]
    primary_category: str
    categories: tuple[str, ...]
    published: datetime
    """When v1 was submitted (the feed's ``published``), UTC."""
    updated: datetime
    """When this version was submitted (the feed's ``updated``), UTC."""
    comment: str | None = None
    journal_ref: str | None = None

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """The span of arXiv announcements an issue covers: ``start`` < t ≤ ``end``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware")
        if self.start >= self.end:
            raise ValueError(f"window start {self.start} is not before its end {self.end}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """What a pick's source says about it, extracted verbatim; ``None`` when absent."""

    institution: str | None = None
    venue: str | None = None
    code_url: str | None = None
    demo_url: str | None = None
    project_url: str | None = None
    key_number: str | None = None
    core_method: str | None = None
    summary: str | None = None
    short_name: str | None = None
    """How people name the paper: its coined name, acronym or title lead-in."""
    sources: Mapping[str, str] = field(default_factory=dict)
    """The phrase each fact was read from (the sentence, comment clause or affiliations), by
    fact name, so that an editor can check a fact in one glance."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pick:
    """A ranked paper with the signals that placed it and the facts found in it."""

    paper: Paper
    score: float
    """The weighted total of ``signals``."""
    signals: Mapping[str, float]
    """Each signal in [0, 1], by name (topic, novelty, venue, evidence, code)."""
    facts: Facts
    reasons: tuple[str, ...] = ()
    """Why it was chosen beyond its signals, e.g. ``close to <past pick>``."""


#: Editorial text: English under ``"en"``, optionally other locales beside it.
#: A locale without its own text falls back to English.
LocalizedText = Mapping[str, str]


def localized(text: LocalizedText, locale: str) -> str:
    """The text for ``locale``, falling back to English."""
    return text.get(locale) or text.get("en", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftPick:
    """One paper's section of a draft: facts plus editable editorial text."""

    arxiv_id: str
    title: str
    short_name: str
    """How the issue refers to the paper in tables and prose (e.g. ``OTCache``)."""
    url: str
    authors: tuple[str, ...] = ()
    institution: str = ABSENT
    venue: str = ABSENT
    code_url: str = ABSENT
    demo_url: str = ABSENT
    project_url: str = ABSENT
    key_number: str = ABSENT
    core_method: str = ABSENT
    area: str = ""
    """The research area used for the reading order (e.g. ``Inference acceleration``)."""
    headline: LocalizedText = field(default_factory=dict)
    """What is new, in a few of the paper's own words ("large teachers, compact one-step students")."""
    quote: LocalizedText = field(default_factory=dict)
    """The paper's strongest sentence with its attribution ("… — Zhang et al.")."""
    first_read_reason: LocalizedText = field(default_factory=dict)
    evidence_strength: LocalizedText = field(default_factory=dict)
    decision: LocalizedText = field(default_factory=dict)
    what_it_does: LocalizedText = field(default_factory=dict)
    technical_read: LocalizedText = field(default_factory=dict)
    evidence_and_limits: LocalizedText = field(default_factory=dict)
    score: float = 0.0
    signals: Mapping[str, float] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    """The phrase of the paper's record each fact came from, by fact name (``key_number`` …)."""
    reasons: tuple[str, ...] = ()
    """Why the ranking chose the paper beyond its signals, e.g. ``close to <past pick>``."""
    machine: tuple[str, ...] = ()
    """The machine-written texts that passed the fact guard, as ``field.locale``."""
    guard: tuple[str, ...] = ()
    """Why the fact guard kept the extractive text of a field (``decision.ko rejected: …``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """An issue's editable content: what the editor reviews and the renderer reads."""

    issue_date: date
    window: Window
    title: LocalizedText
    """The headline, also the subject line (e.g. "Five diffusion papers: July 1, 2026")."""
    intro: LocalizedText
    picks: tuple[DraftPick, ...]
    reading_order: tuple[LocalizedText, ...] = ()
    """Paragraphs that suggest an order of reading by research area."""
    generated_at: datetime | None = None
    pinned: tuple[str, ...] = ()
    """arXiv ids the editor placed at the top, in order."""
    excluded: tuple[str, ...] = ()
    """arXiv ids the editor removed; the ranking never puts them back."""
    approved: bool = False
    lists: tuple[str, ...] = ()
    """The lists the issue goes to, as its store record says; shown in the draft file for
    information only (editing it there changes nothing)."""
    machine: tuple[str, ...] = ()
    """Machine-written issue texts that passed the fact guard (``intro.ko``); picks keep their own."""
    guard: tuple[str, ...] = ()
    """Why the fact guard kept the extractive text of an issue text."""
    generated: Mapping[str, str] = field(default_factory=dict)
    """A hash of each generated text by field path (``picks/<id>/decision/en``), so that
    re-drafting the window can tell an editor's edits, which it keeps, from generated text."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedEmail:
    """One locale's rendering of an issue, with per-recipient placeholders left in."""

    locale: str
    subject: str
    preheader: str
    html: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    """Who one message goes to."""

    subscriber_id: int
    email: str
    name: str = ""
    locale: str = "en"


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderSettings:
    """What rendering an email takes from the configuration, and nothing more.

    Built from the configuration by :meth:`newsletter.config.Config.render_settings`.
    """

    name: str
    """``newsletter.name``: the masthead of a locale without a brand of its own."""
    brands: Mapping[str, str] = field(default_factory=dict)
    """``newsletter.brand``: the masthead per locale (``ko`` serves ``ko_KR``)."""
    timezone: str
    """``newsletter.timezone``: the zone every date and time in the email reads in."""
    public_url: str
    postal_address: str
    locales: tuple[str, ...] = ()
    """``newsletter.locales``: the languages the web version links to each other."""
    tracking: bool = False
    """``delivery.tracking``: the footer says that opens and clicks are counted."""
