"""A local replay of arXiv's export API, serving recorded entries from 127.0.0.1.

The demo, the benchmarks and the tests point the real ``arxiv`` client at it, so they run the
production code path with no network. It answers ``GET /api/query`` faithfully enough for our
use: the query language's ``cat:``, ``ti:``, ``abs:``, ``all:`` and ``submittedDate:[… TO …]``
terms with ``AND``, ``OR``, ``ANDNOT`` and parentheses; ``id_list``; ``start`` and ``max_results``
paging; sorting; opensearch totals; and, like the API, only each paper's newest version. It
records every request received. A subclass may answer requests itself through :meth:`intercept`
(the tests script faults that way, in ``tests/sources/faults.py``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
_FEED_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
    '<link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>\n'
    "<title>arXiv Query: replay</title>\n<id>http://arxiv.org/api/replay</id>\n"
    "<updated>{updated}</updated>\n"
    "<opensearch:totalResults>{total}</opensearch:totalResults>\n"
    "<opensearch:startIndex>{start}</opensearch:startIndex>\n"
    "<opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A recorded entry with what the query language filters on."""

    xml: bytes
    arxiv_id: str
    published: datetime
    updated: datetime
    categories: frozenset[str]
    title: str
    """Lower-cased, whitespace collapsed, for the query's substring matches."""
    abstract: str
    """Lower-cased, whitespace collapsed."""
    authors: str = ""
    """Every author's name, lower-cased, separated by ``;``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRequest:
    """One request the server received, so tests can check paging and politeness."""

    path: str
    query: dict[str, str]
    """The query parameters (the first value of each)."""
    at: float
    """``time.monotonic()`` when the request arrived."""


class ArxivReplayServer:
    """``with ArxivReplayServer(feed, …) as server:`` then use ``server.url`` as ``arxiv.base_url``."""

    def __init__(self, *feeds: Path, entries: Sequence[Entry] = ()) -> None:
        self.entries = [*entries, *(entry for feed in feeds for entry in load_entries(feed))]
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        # A short poll interval lets ``shutdown`` return at once instead of after half a second.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/query"

    def __enter__(self) -> ArxivReplayServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def intercept(self, request: BaseHTTPRequestHandler) -> bool:
        """Answer ``request`` in some other way than the API would, returning whether it did.

        The replay itself never does; a subclass in the tests overrides this to serve faults.
        """
        return False

    def answer(self, query: dict[str, str]) -> bytes:
        """The Atom feed the real API would give for these query parameters."""
        matches = self.search(query.get("search_query", ""), query.get("id_list", ""))
        sort_by = query.get("sortBy", "")
        if sort_by in _SORT_KEYS:
            matches.sort(
                key=_SORT_KEYS[sort_by], reverse=query.get("sortOrder", "descending") == "descending"
            )
        elif query.get("id_list"):
            # Like the real API, an id_list without sortBy answers in the order the ids were asked.
            order = [_split_version(i)[0] for i in query["id_list"].split(",")]
            matches.sort(key=lambda e: order.index(_split_version(e.arxiv_id)[0]))
        start = int(query.get("start", "0") or 0)
        per_page = int(query.get("max_results", "10") or 10)
        return feed_page(
            matches[start : start + per_page], total=len(matches), start=start, per_page=per_page
        )

    def search(self, search_query: str, id_list: str) -> list[Entry]:
        """The entries a query selects; like the real API, only each paper's newest version."""
        chosen = _newest(self.entries)
        if id_list:
            wanted = set(id_list.split(","))
            chosen = [e for e in chosen if e.arxiv_id in wanted or _split_version(e.arxiv_id)[0] in wanted]
        if search_query.strip():
            predicate = _parse_query(search_query)
            chosen = [e for e in chosen if predicate(e)]
        return list(chosen)


_SORT_KEYS: dict[str, Callable[[Entry], Any]] = {
    "submittedDate": lambda e: (e.published, e.arxiv_id),
    "lastUpdatedDate": lambda e: (e.updated, e.arxiv_id),
    # Relevance has no meaning for recorded entries; the id keeps answers stable.
    "relevance": lambda e: e.arxiv_id,
}


def feed_page(entries: Sequence[Entry], *, total: int, start: int = 0, per_page: int = 10) -> bytes:
    """An export-API Atom page holding ``entries``, claiming ``total`` results in all."""
    head = _FEED_HEAD.format(
        updated=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), total=total, start=start, per_page=per_page
    )
    return head.encode() + b"".join(entry.xml for entry in entries) + b"</feed>\n"


def _newest(entries: Sequence[Entry]) -> list[Entry]:
    newest: dict[str, Entry] = {}
    for entry in entries:
        base, version = _split_version(entry.arxiv_id)
        known = newest.get(base)
        if known is None or version > _split_version(known.arxiv_id)[1]:
            newest[base] = entry
    return list(newest.values())


def _split_version(arxiv_id: str) -> tuple[str, int]:
    base, _, version = arxiv_id.rpartition("v")
    return (base, int(version)) if base and version.isdigit() else (arxiv_id, 0)


def load_entries(feed: Path) -> list[Entry]:
    """The entries of a recorded Atom feed."""
    root = etree.parse(str(feed)).getroot()
    return [_entry(element) for element in root.iterfind("atom:entry", NS)]


def _entry(element: Any) -> Entry:
    def text(path: str) -> str:
        return " ".join((element.findtext(path, default="", namespaces=NS) or "").split())

    return Entry(
        xml=etree.tostring(element) + b"\n",
        arxiv_id=text("atom:id").rsplit("/abs/", 1)[-1],
        published=_time(text("atom:published")),
        updated=_time(text("atom:updated")),
        categories=frozenset(c.get("term", "") for c in element.iterfind("atom:category", NS)),
        title=text("atom:title").lower(),
        abstract=text("atom:summary").lower(),
        authors=";".join(
            " ".join((name or "").split()).lower()
            for name in element.xpath("atom:author/atom:name/text()", namespaces=NS)
        ),
    )


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


# The query language: term (AND|OR|ANDNOT term)*, with parentheses. A term is field:value,
# field:"a phrase", a submittedDate range, or a bare word (which arXiv reads as all:word).
_TOKEN = re.compile(
    r"""\s*(?:(?P<paren>[()])|(?P<op>AND|OR|ANDNOT)(?=[\s()]|$)"""
    r"""|(?P<date>submittedDate:\[[^\]]*\])|(?P<term>(?:\w+:)?(?:"[^"]*"|[^\s()"]+)))"""
)
Predicate = Callable[[Entry], bool]


def _tokens(query: str) -> list[str]:
    tokens, position = [], 0
    while position < len(query.rstrip()):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read the query {query!r} at {query[position:]!r}")
        tokens.append(match.group().strip())
        position = match.end()
    return tokens


def _parse_query(query: str) -> Predicate:
    predicate, rest = _expression(_tokens(query))
    if rest:
        raise ValueError(f"unexpected {rest[0]!r} in query {query!r}")
    return predicate


def _expression(tokens: list[str]) -> tuple[Predicate, list[str]]:
    left, tokens = _term(tokens)
    while tokens and tokens[0] in ("AND", "OR", "ANDNOT"):
        operator, (right, tokens) = tokens[0], _term(tokens[1:])
        left = _combine(operator, left, right)
    return left, tokens


def _combine(operator: str, left: Predicate, right: Predicate) -> Predicate:
    if operator == "AND":
        return lambda e: left(e) and right(e)
    if operator == "OR":
        return lambda e: left(e) or right(e)
    return lambda e: left(e) and not right(e)


def _term(tokens: list[str]) -> tuple[Predicate, list[str]]:
    if not tokens:
        raise ValueError("the query ends too early")
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        inner, rest = _expression(rest)
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced parentheses in the query")
        return inner, rest[1:]
    return _field(head), rest


def _field(token: str) -> Predicate:
    name, colon, value = token.partition(":")
    if not colon:
        name, value = "all", token
    value = value.strip('"').lower()
    if name == "submittedDate":
        return _date_range(value)
    if name == "cat":
        return lambda e: any(c.lower() == value for c in e.categories)
    fields: dict[str, Callable[[Entry], str]] = {
        "ti": lambda e: e.title,
        "abs": lambda e: e.abstract,
        "au": lambda e: e.authors,
        "all": lambda e: f"{e.title} {e.abstract} {e.authors}",
    }
    if name not in fields:
        raise ValueError(f"unknown field {name!r} in the query")
    text = fields[name]
    return lambda e: value in text(e)


def _date_range(value: str) -> Predicate:
    bounds = re.fullmatch(r"\[\s*(\d{12})\s+to\s+(\d{12})\s*\]", value)
    if bounds is None:
        raise ValueError(f"submittedDate expects [YYYYMMDDHHMM TO YYYYMMDDHHMM], got {value!r}")
    low, high = (datetime.strptime(v, "%Y%m%d%H%M").replace(tzinfo=UTC) for v in bounds.groups())
    return lambda e: low <= e.published <= high


def _handler(replay: ArxivReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            with replay._lock:
                replay.requests.append(RecordedRequest(path=parts.path, query=query, at=time.monotonic()))
            if replay.intercept(self):
                return
            try:
                body = replay.answer(query)
            except ValueError as error:
                self._send(400, str(error).encode(), {"Content-Type": "text/plain"})
                return
            self._send(200, body, {"Content-Type": "application/atom+xml; charset=utf-8"})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (a timeout under test): nothing is left to answer.
                return

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
