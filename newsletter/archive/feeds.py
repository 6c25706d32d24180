"""Atom 1.0 (RFC 4287), RSS 2.0 and JSON Feed 1.1 for one locale's archive.

Written with :mod:`xml.etree.ElementTree` (which escapes every value) and :mod:`json`. Each
item's id is its archive URL, which never changes; dates are RFC 3339 in Atom and JSON Feed
and RFC 822 in RSS.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

#: The file names of the feeds inside a locale's archive folder, with their media types.
FEED_TYPES = {
    "atom.xml": "application/atom+xml; charset=utf-8",
    "rss.xml": "application/rss+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}

ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("content", CONTENT_NS)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedItem:
    url: str
    """The issue's web version: also its permanent id."""
    title: str
    summary: str
    content_html: str
    published: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedInfo:
    locale: str
    title: str
    description: str
    home_url: str
    """The locale's list of issues."""
    base_url: str
    """The locale's archive folder; the feeds' own addresses are ``base_url + name``."""
    author: str


def render_feed(name: str, info: FeedInfo, items: Sequence[FeedItem]) -> str:
    """The feed ``name`` (a key of :data:`FEED_TYPES`) of ``items``, newest first."""
    if name == "atom.xml":
        return atom(info, items)
    if name == "rss.xml":
        return rss(info, items)
    if name == "feed.json":
        return json_feed(info, items)
    raise ValueError(f"unknown feed {name!r}")


def atom(info: FeedInfo, items: Sequence[FeedItem]) -> str:
    # Atom's own elements are written without a prefix under a default namespace declaration.
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: info.locale})
    _sub(feed, "id", info.home_url)
    _sub(feed, "title", info.title)
    _sub(feed, "subtitle", info.description)
    _sub(feed, "updated", _rfc3339(_updated(items)))
    author = ET.SubElement(feed, "author")
    _sub(author, "name", info.author)
    _link(feed, "self", info.base_url + "atom.xml", "application/atom+xml")
    _link(feed, "alternate", info.home_url, "text/html")
    for item in items:
        entry = ET.SubElement(feed, "entry")
        _sub(entry, "id", item.url)
        _sub(entry, "title", item.title)
        _sub(entry, "published", _rfc3339(item.published))
        _sub(entry, "updated", _rfc3339(item.published))
        _link(entry, "alternate", item.url, "text/html")
        _sub(entry, "summary", item.summary)
        _sub(entry, "content", item.content_html).set("type", "html")
    return _xml(feed)


def rss(info: FeedInfo, items: Sequence[FeedItem]) -> str:
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = info.title
    ET.SubElement(channel, "link").text = info.home_url
    ET.SubElement(channel, "description").text = info.description
    ET.SubElement(channel, "language").text = info.locale
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(_updated(items).astimezone(UTC))
    ET.SubElement(
        channel,
        f"{{{ATOM_NS}}}link",
        {"rel": "self", "href": info.base_url + "rss.xml", "type": "application/rss+xml"},
    )
    for item in items:
        entry = ET.SubElement(channel, "item")
        ET.SubElement(entry, "title").text = item.title
        ET.SubElement(entry, "link").text = item.url
        ET.SubElement(entry, "guid", {"isPermaLink": "true"}).text = item.url
        ET.SubElement(entry, "pubDate").text = format_datetime(item.published.astimezone(UTC))
        ET.SubElement(entry, "description").text = item.summary
        ET.SubElement(entry, f"{{{CONTENT_NS}}}encoded").text = item.content_html
    return _xml(root)


def json_feed(info: FeedInfo, items: Sequence[FeedItem]) -> str:
    feed = {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "description": info.description,
        "home_page_url": info.home_url,
        "feed_url": info.base_url + "feed.json",
        "language": info.locale,
        "authors": [{"name": info.author}],
        "items": [
            {
                "id": item.url,
                "url": item.url,
                "title": item.title,
                "summary": item.summary,
                "content_html": item.content_html,
                "date_published": _rfc3339(item.published),
                "language": info.locale,
            }
            for item in items
        ],
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _updated(items: Sequence[FeedItem]) -> datetime:
    # An empty feed still needs an updated date; the epoch says "nothing yet" without lying.
    return max((item.published for item in items), default=datetime(1970, 1, 1, tzinfo=UTC))


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _link(parent: ET.Element, rel: str, href: str, kind: str) -> None:
    ET.SubElement(parent, "link", {"rel": rel, "href": href, "type": kind})


def _xml(root: ET.Element) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
