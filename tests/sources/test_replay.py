"""The replay server answers the export API's queries as arXiv does, from recorded entries."""

from __future__ import annotations

from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from lxml import etree

from newsletter.sources.session import feed_total
from newsletter.testing.replay import NS, ArxivReplayServer


def ask(server: ArxivReplayServer, **params: str) -> tuple[int, list[str]]:
    """The opensearch total and the entry ids of one answer."""
    with urlopen(f"{server.url}?{urlencode(params)}", timeout=5) as response:
        body = response.read()
    root = etree.fromstring(body)
    ids = [e.rsplit("/abs/", 1)[-1] for e in root.xpath("atom:entry/atom:id/text()", namespaces=NS)]
    return feed_total(body, server.url), ids


# (name, search_query, ids that must be among the answers, ids that must not)
QUERIES = [
    ("category", "cat:stat.ML", ["2606.30015v1"], ["2606.30412v1"]),
    ("or", "cat:q-bio.BM OR cat:eess.IV", ["2606.30142v1", "2606.30190v1"], ["2606.30412v1"]),
    ("and-title", "cat:cs.CV AND ti:cache", ["2606.29977v1", "2606.30388v1"], ["2606.30233v1"]),
    ("andnot", "cat:cs.CV ANDNOT abs:diffusion", ["2606.30166v1"], ["2606.29977v1"]),
    ("phrase", 'all:"flow matching"', ["2606.30108v1"], ["2606.30412v1"]),
    ("bare-word", "otcache", ["2606.29977v1"], ["2606.30388v1"]),
    ("author", "au:maduabuchi", ["2606.30108v1"], ["2606.29977v1"]),
    (
        "dates-in-gmt",
        "(cat:cs.CV OR cat:cs.LG) AND submittedDate:[202606300000 TO 202606300500]",
        ["2606.30108v1", "2606.30047v1"],
        ["2606.30412v1", "2606.29977v1"],
    ),
]


@pytest.mark.parametrize(
    ("query", "present", "absent"), [q[1:] for q in QUERIES], ids=[q[0] for q in QUERIES]
)
def test_the_query_language(
    replay: ArxivReplayServer, query: str, present: list[str], absent: list[str]
) -> None:
    total, ids = ask(replay, search_query=query, max_results="100")
    assert total == len(ids)
    assert set(present) <= set(ids)
    assert not set(absent) & set(ids)


def test_pages_and_totals(replay: ArxivReplayServer) -> None:
    query = {"search_query": "cat:cs.CV", "sortBy": "submittedDate", "sortOrder": "ascending"}
    total, everything = ask(replay, **query, max_results="100")
    pages = [ask(replay, **query, start=str(start), max_results="7")[1] for start in range(0, total, 7)]
    assert [i for page in pages for i in page] == everything
    assert all(len(page) == 7 for page in pages[:-1])
    descending = ask(replay, **{**query, "sortOrder": "descending"}, max_results="100")[1]
    assert descending == everything[::-1]


def test_an_empty_result_is_an_empty_feed(replay: ArxivReplayServer) -> None:
    assert ask(replay, search_query="cat:cs.CV AND submittedDate:[202607040000 TO 202607050000]") == (0, [])


def test_id_list_with_and_without_version(replay: ArxivReplayServer) -> None:
    assert ask(replay, id_list="2606.29977,2606.30108v1")[1] == ["2606.29977v1", "2606.30108v1"]


def test_only_the_newest_version_of_a_paper_is_served(replay: ArxivReplayServer) -> None:
    older = next(e for e in replay.entries if e.arxiv_id == "2606.29740v2")
    replay.entries.append(type(older)(**{**_fields(older), "arxiv_id": "2606.29740v1"}))
    assert ask(replay, id_list="2606.29740")[1] == ["2606.29740v2"]


@pytest.mark.parametrize("query", ["cat:cs.CV AND", "(cat:cs.CV", "foo:bar", "submittedDate:[2026 TO 2027]"])
def test_a_query_arxiv_would_refuse_gets_a_400(replay: ArxivReplayServer, query: str) -> None:
    with pytest.raises(Exception, match="400"):
        ask(replay, search_query=query)


def test_requests_are_recorded(replay: ArxivReplayServer) -> None:
    ask(replay, search_query="cat:cs.CV", start="5")
    ask(replay, search_query="cat:cs.LG")
    assert [(r.path, r.query["search_query"]) for r in replay.requests] == [
        ("/api/query", "cat:cs.CV"),
        ("/api/query", "cat:cs.LG"),
    ]
    assert replay.requests[0].at <= replay.requests[1].at


def _fields(entry: object) -> dict[str, object]:
    return {name: getattr(entry, name) for name in entry.__slots__}  # type: ignore[attr-defined]
