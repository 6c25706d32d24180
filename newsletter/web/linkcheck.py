"""Offline link checks for the preview: syntax, emptiness and one URL shared by two papers.

Nothing here touches the network: a link that merely looks right is not proven to work, but a
malformed, empty or copied-over link is caught before the issue goes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from newsletter.model import ABSENT, Draft, link_target

_URL_FIELDS = ("url", "code_url", "demo_url", "project_url")
_PLACEHOLDER = re.compile(r"%%[a-z_]+%%")


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkWarning:
    where: str
    """Which locale's email or which pick's field holds the link."""
    url: str
    problem: str


def check_links(draft: Draft, html_by_locale: Mapping[str, str]) -> list[LinkWarning]:
    """Every bad link once, naming every place it appears, then URLs that two picks share."""
    places: dict[str, list[str]] = {}
    for where, url in _draft_urls(draft):
        places.setdefault(url, []).append(where)
    for locale, html in html_by_locale.items():
        for url in dict.fromkeys(html_links(html)):
            places.setdefault(url, []).append(f"{locale} email")
    bad = [
        LinkWarning(where=", ".join(dict.fromkeys(where)), url=url, problem=problem)
        for url, where in places.items()
        if (problem := url_problem(url))
    ]
    return [*bad, *_shared_urls(draft)]


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a working link, or None when it looks like one."""
    return _text_problem(url) or _structure_problem(url)


def _text_problem(url: str) -> str | None:
    if not url.strip():
        return "empty link"
    if url.strip() == "#":
        return "link goes nowhere"
    if _PLACEHOLDER.search(url):
        return "unfilled placeholder"
    if any(c.isspace() for c in url):
        return "contains spaces"
    return None


def _structure_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return "malformed"
    if parts.scheme == "mailto":
        return None if "@" in parts.path else "mailto without an address"
    if parts.scheme not in ("http", "https"):
        return f"unexpected scheme {parts.scheme!r}" if parts.scheme else "not an absolute URL"
    host = parts.hostname or ""
    if "." not in host and host not in ("localhost", "127.0.0.1"):
        return "no domain name"
    return None


def html_links(html: str) -> list[str]:
    """The ``href`` of every ``<a>`` in ``html``, in order."""
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    return parser.links


def _draft_urls(draft: Draft) -> Iterable[tuple[str, str]]:
    for place, pick in enumerate(draft.picks, start=1):
        for name in _URL_FIELDS:
            value = getattr(pick, name)
            if value != ABSENT:
                # Checked as the email links it, scheme added where the source left it out.
                yield (
                    f"pick {place} ({pick.short_name}) {name}",
                    link_target(value) if value.strip() else value,
                )


def _shared_urls(draft: Draft) -> list[LinkWarning]:
    """A URL that two different picks use is almost always a copy-and-paste slip."""
    owners: dict[str, list[str]] = {}
    for place, pick in enumerate(draft.picks, start=1):
        for url in {getattr(pick, name) for name in _URL_FIELDS} - {ABSENT, ""}:
            owners.setdefault(url, []).append(f"pick {place} ({pick.short_name})")
    return [
        LinkWarning(where=" and ".join(picks), url=url, problem="the same link in two picks")
        for url, picks in owners.items()
        if len(picks) > 1
    ]


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name == "href":
                    self.links.append(value or "")
