"""The feeds read by a real feed parser, and checked against each spec's required elements."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

import feedparser
import jsonschema
import pytest

from newsletter.archive import Archive

from .conftest import PUBLIC_URL, Publisher

ATOM = "{http://www.w3.org/2005/Atom}"
DAYS = [date(2026, 7, 1), date(2026, 7, 2), date(2026, 7, 3)]

#: What https://www.jsonfeed.org/version/1.1/ requires: version, title and items; each item an
#: id and content_html or content_text; dates in RFC 3339; URLs as strings.
JSON_FEED_1_1 = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string"},
        "feed_url": {"type": "string"},
        "language": {"type": "string"},
        "authors": {"type": "array", "items": {"type": "object", "required": ["name"]}},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": {"type": "string"},
                    "title": {"type": "string"},
                    "summary": {"type": "string"},
                    "content_html": {"type": "string"},
                    "date_published": {
                        "type": "string",
                        "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$",
                    },
                },
            },
        },
    },
}


@pytest.fixture
def published(publisher: Publisher) -> list[int]:
    ids = [publisher.add(day) for day in DAYS]
    publisher.add(date(2026, 7, 4), hidden=True)
    publisher.add(date(2026, 7, 5), status="skipped")
    return ids


def _urls(locale: str) -> list[str]:
    return [f"{PUBLIC_URL}/archive/{locale}/{day.isoformat()}/" for day in reversed(DAYS)]


@pytest.mark.parametrize("locale", ["en", "ko"])
@pytest.mark.usefixtures("published")
def test_atom_parses_and_has_what_rfc_4287_requires(archive: Archive, locale: str) -> None:
    text = archive.feed(locale, "atom.xml")
    assert text is not None

    parsed = feedparser.parse(text)

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == f"{PUBLIC_URL}/archive/{locale}/"
    assert parsed.feed.title
    assert parsed.feed.updated_parsed
    assert parsed.feed.language == locale
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {
        "self": f"{PUBLIC_URL}/archive/{locale}/atom.xml",
        "alternate": f"{PUBLIC_URL}/archive/{locale}/",
    }
    assert [entry.id for entry in parsed.entries] == _urls(locale)
    for entry in parsed.entries:
        assert entry.title
        assert entry.updated_parsed
        assert entry.published_parsed
        assert entry.summary
        assert entry.link == entry.id
        assert entry.content[0].type == "text/html"
        assert "<h1" in entry.content[0].value
    # Elements a parser might forgive are checked on the XML itself: author, and one id/updated each.
    root = ET.fromstring(text.encode())
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in root.iter(f"{ATOM}entry"):
        assert len(entry.findall(f"{ATOM}id")) == 1
        assert len(entry.findall(f"{ATOM}updated")) == 1
        datetime.fromisoformat(entry.findtext(f"{ATOM}updated", ""))


@pytest.mark.parametrize("locale", ["en", "ko"])
@pytest.mark.usefixtures("published")
def test_rss_parses_and_has_what_rss_2_requires(archive: Archive, locale: str) -> None:
    text = archive.feed(locale, "rss.xml")
    assert text is not None

    parsed = feedparser.parse(text)

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title
    assert parsed.feed.link == f"{PUBLIC_URL}/archive/{locale}/"
    assert parsed.feed.description
    assert parsed.feed.language == locale
    assert [entry.link for entry in parsed.entries] == _urls(locale)
    root = ET.fromstring(text.encode())
    self_link = root.find(f"channel/{ATOM}link")
    assert self_link is not None
    assert self_link.get("href") == f"{PUBLIC_URL}/archive/{locale}/rss.xml"
    for item in root.iter("item"):
        guid = item.find("guid")
        assert guid is not None
        assert guid.get("isPermaLink") == "true"
        assert guid.text == item.findtext("link")
        # RFC 822 dates, as RSS 2.0 requires.
        assert parsedate_to_datetime(item.findtext("pubDate", "")).tzinfo is not None
        assert item.findtext("title")
        assert item.findtext("description")
        assert "<h1" in (item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or "")


@pytest.mark.parametrize("locale", ["en", "ko"])
@pytest.mark.usefixtures("published")
def test_json_feed_has_what_version_1_1_requires(archive: Archive, locale: str) -> None:
    text = archive.feed(locale, "feed.json")
    assert text is not None

    feed = json.loads(text)

    # feedparser 6 reads no JSON Feed: the spec's required fields and types are checked by schema.
    assert list(jsonschema.Draft202012Validator(JSON_FEED_1_1).iter_errors(feed)) == []
    assert feed["title"]
    assert feed["home_page_url"] == f"{PUBLIC_URL}/archive/{locale}/"
    assert feed["feed_url"] == f"{PUBLIC_URL}/archive/{locale}/feed.json"
    assert feed["language"] == locale
    assert [item["id"] for item in feed["items"]] == _urls(locale)
    for item in feed["items"]:
        assert item["url"] == item["id"]
        assert "<h1" in item["content_html"]
        assert item["summary"]
        published = datetime.fromisoformat(item["date_published"])
        assert published.tzinfo is not None
        assert published - datetime(2026, 7, 1, tzinfo=UTC) < timedelta(days=4)


def test_markup_in_a_title_stays_text_in_every_feed(archive: Archive, publisher: Publisher) -> None:
    title = 'Fast <b>&</b> "exact" <script>x</script>'
    publisher.add(DAYS[0], title=title)

    atom, rss = (feedparser.parse(archive.feed("en", name)) for name in ("atom.xml", "rss.xml"))
    feed = json.loads(archive.feed("en", "feed.json") or "")

    assert atom.bozo == 0
    assert rss.bozo == 0
    root = ET.fromstring((archive.feed("en", "atom.xml") or "").encode())
    assert root.findtext(f"{ATOM}entry/{ATOM}title") == title
    rss_root = ET.fromstring((archive.feed("en", "rss.xml") or "").encode())
    assert rss_root.findtext("channel/item/title") == title
    assert feed["items"][0]["title"] == title


def test_an_empty_archive_has_valid_empty_feeds(archive: Archive) -> None:
    for name in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse(archive.feed("en", name))
        assert parsed.bozo == 0
        assert parsed.entries == []
    assert json.loads(archive.feed("en", "feed.json") or "")["items"] == []
