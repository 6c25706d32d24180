"""The preview's facts table: each pick's facts, with the phrase each came from on hover.

An editor checks a number in one glance: hovering over a fact shows the sentence, comment
clause or affiliations it was read from (its ``title`` attribute), and the row says so
when a fact has no recorded source (a draft written before sources were kept, or an edit).
"""

from __future__ import annotations

from html import escape

from newsletter.model import ABSENT, Draft, DraftPick

#: The facts shown, by DraftPick field, with their column headings.
FACTS = (
    ("short_name", "Short name"),
    ("key_number", "Key number"),
    ("venue", "Venue"),
    ("institution", "Institutions"),
    ("core_method", "Core method"),
)
_STYLE = (
    "<style>.facts{border-collapse:collapse;background:#fff;margin:1rem 0}"
    ".facts th,.facts td{border:1px solid #d4d4d8;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    ".facts [title]{text-decoration:underline dotted;cursor:help}</style>"
)


def facts_section(draft: Draft) -> str:
    """A table of every pick's facts; a fact with a source shows it on hover."""
    if not draft.picks:
        return ""
    head = "".join(f"<th>{escape(label)}</th>" for _, label in FACTS)
    rows = "".join(_row(pick) for pick in draft.picks)
    return (
        f'<section id="facts">{_STYLE}<h2>Facts and their sources</h2>'
        "<p>Hover over a fact to see the phrase of the paper it came from.</p>"
        f'<table class="facts"><thead><tr><th>arXiv</th>{head}<th>Reasons</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def _row(pick: DraftPick) -> str:
    cells = "".join(_cell(pick, name) for name, _ in FACTS)
    reasons = escape("; ".join(pick.reasons))
    arxiv_id = escape(pick.arxiv_id)
    return f'<tr data-arxiv-id="{arxiv_id}"><td>{arxiv_id}</td>{cells}<td>{reasons}</td></tr>'


def _cell(pick: DraftPick, name: str) -> str:
    value = str(getattr(pick, name))
    source = pick.sources.get(name, "")
    if value == ABSENT or not source:
        return f'<td class="{name}">{escape(value)}</td>'
    return f'<td class="{name}"><span title="{escape(source, quote=True)}">{escape(value)}</span></td>'
