"""A small stand-in for the digest and render stages, so the preview is tested on its own.

The draft is a JSON file; the "rendering" is a plain page that links each pick and carries the
unsubscribe placeholder, as the real email does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any

from newsletter.errors import DraftError
from newsletter.model import PLACEHOLDER_UNSUBSCRIBE_URL, Draft, DraftPick, RenderedEmail, Window, link_target

WINDOW = Window(start=datetime(2026, 6, 30, 13, tzinfo=UTC), end=datetime(2026, 7, 1, 13, tzinfo=UTC))


def write_json_draft(path: Path, *, title: str, picks: list[dict[str, str]], approved: bool = False) -> None:
    data = {"title": {"en": title, "ko": f"{title} (한국어)"}, "picks": picks, "approved": approved}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def read_json_draft(path: Path) -> Draft:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        # The real reader reports a broken file the same way: a DraftError naming the line.
        raise DraftError(str(path), "syntax", error.msg, line=error.lineno) from None
    picks = tuple(
        DraftPick(arxiv_id=f"2607.0000{n}", title=p["short_name"], **p) for n, p in enumerate(data["picks"])
    )
    return Draft(
        issue_date=date(2026, 7, 1),
        window=WINDOW,
        title=data["title"],
        intro={"en": "Today's papers.", "ko": "오늘의 논문."},
        picks=picks,
        approved=bool(data["approved"]),
    )


def write_back(draft: Draft, path: Path) -> None:
    picks = [{"short_name": p.short_name, "url": p.url, "code_url": p.code_url} for p in draft.picks]
    write_json_draft(path, title=draft.title["en"], picks=picks, approved=draft.approved)


def _href(url: str) -> str:
    """As the real renderer links a URL: with a scheme added, an empty one left empty."""
    return link_target(url) if url.strip() else url


def render(draft: Draft, locale: str, *, padding: int = 0) -> RenderedEmail:
    title = draft.title.get(locale) or draft.title["en"]
    items = "".join(
        f'<li><a href="{escape(_href(p.url))}">{escape(p.short_name)}</a> '
        f'<a href="{escape(_href(p.code_url))}">code</a></li>'
        for p in draft.picks
    )
    html = (
        f'<!doctype html><html lang="{locale}"><body style="font-family:sans-serif">'
        f'<h1 id="title">{escape(title)}</h1><ul>{items}</ul>'
        f'<p><a href="{PLACEHOLDER_UNSUBSCRIBE_URL}">unsubscribe</a></p>'
        f"<!-- {'x' * padding} --></body></html>"
    )
    text = f"{title}\n\n" + "\n".join(f"- {p.short_name}: {p.url}" for p in draft.picks)
    text += f"\n\nUnsubscribe: {PLACEHOLDER_UNSUBSCRIBE_URL}\n"
    return RenderedEmail(locale=locale, subject=title, preheader=f"preheader {locale}", html=html, text=text)


@dataclass
class Outbox:
    """Where the stand-in send_test puts what it would have sent, to look at afterwards."""

    sent: list[tuple[int, str, str]] = field(default_factory=list)

    def send_test(self, issue_id: int, address: str, locale: str) -> None:
        self.sent.append((issue_id, address, locale))
