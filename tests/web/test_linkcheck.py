"""Offline link checks: a table of links and what is wrong with each."""

from __future__ import annotations

import pytest

from newsletter.web.linkcheck import html_links, url_problem

CASES = [
    ("https://arxiv.org/abs/2607.01234", None),
    ("http://example.org/a?b=c#d", None),
    ("mailto:editor@example.org", None),
    ("https://localhost:8000/u/x", None),
    ("", "empty link"),
    ("   ", "empty link"),
    ("#", "link goes nowhere"),
    ("https://example.org/%%unsubscribe_url%%", "unfilled placeholder"),
    ("https://example.org/a b", "contains spaces"),
    ("https://[::1", "malformed"),
    ("https://example.org:99999/", "malformed"),
    ("mailto:", "mailto without an address"),
    ("javascript:alert(1)", "unexpected scheme 'javascript'"),
    ("arxiv.org/abs/1", "not an absolute URL"),
    ("https://arxiv/abs/1", "no domain name"),
]


@pytest.mark.parametrize(("url", "problem"), CASES)
def test_url_problem(url: str, problem: str | None) -> None:
    assert url_problem(url) == problem


def test_html_links_reads_every_anchor_in_order() -> None:
    html = (
        '<p><a href="https://a.org/1">a</a><img src="https://img.org/x.png"><a>none</a><A HREF="">e</A></p>'
    )
    assert html_links(html) == ["https://a.org/1", ""]
