"""The archive over HTTP: the addresses that exist, and a 404 or 405 for everything else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from newsletter.archive import Archive
from newsletter.config import Config
from newsletter.store import Database
from newsletter.unsubscribe import Signer
from newsletter.web.app import public_app
from tests.support import state_snapshot

from .conftest import Publisher

DAY = date(2026, 7, 1)


@pytest.fixture
def client(site_config: Config, db: Database, archive: Archive, publisher: Publisher) -> Iterator[TestClient]:
    publisher.add(DAY)
    publisher.add(date(2026, 7, 2), hidden=True)
    publisher.add(date(2026, 7, 3), status="skipped")
    publisher.add(date(2026, 7, 4), status="draft")
    publisher.add(date(2026, 7, 5), status="sending")
    publisher.add(date(2026, 7, 6), status="paused")
    app = public_app(
        site_config, db=db, signer=Signer([b"archive-tests-signing-key-0123456"]), archive=archive
    )
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/archive/en/", "text/html"),
        ("/archive/ko/", "text/html"),
        ("/archive/en/2026-07-01/", "text/html"),
        ("/archive/ko/2026-07-01/", "text/html"),
        ("/archive/en/atom.xml", "application/atom+xml"),
        ("/archive/ko/rss.xml", "application/rss+xml"),
        ("/archive/ko/feed.json", "application/feed+json"),
    ],
)
def test_every_archive_address_answers_get_and_head(client: TestClient, path: str, media_type: str) -> None:
    got = client.get(path)
    head = client.head(path)

    assert got.status_code == 200
    assert head.status_code == 200
    assert got.headers["content-type"].startswith(media_type)
    assert "public" in got.headers["cache-control"]
    assert "%%" not in got.text


@pytest.mark.parametrize(
    ("accept", "locale"), [("ko-KR,ko;q=0.9,en;q=0.5", "ko"), ("en-US", "en"), ("fr", "en")]
)
def test_the_archive_root_sends_the_browser_to_its_language(
    client: TestClient, accept: str, locale: str
) -> None:
    response = client.get("/archive/", headers={"Accept-Language": accept})

    assert response.status_code == 302
    assert response.headers["location"] == f"/archive/{locale}/"


#: (method, path, status): every kind of bad address, each answered without changing anything.
BAD_INPUT = [
    # Locales that are not configured, or are not locales at all.
    ("GET", "/archive/fr/", 404),
    ("GET", "/archive/EN/", 404),
    ("GET", "/archive/xx/2026-07-01/", 404),
    ("GET", "/archive/fr/atom.xml", 404),
    ("GET", "/archive/en-US/", 404),
    ("GET", "/archive/%00/", 404),
    # Dates that are not dates, or not in the one spelling the archive uses.
    ("GET", "/archive/en/2026-13-01/", 404),
    ("GET", "/archive/en/2026-02-30/", 404),
    ("GET", "/archive/en/20260701/", 404),
    ("GET", "/archive/en/2026-7-1/", 404),
    ("GET", "/archive/en/99999-01-01/", 404),
    ("GET", "/archive/en/2026-07-01x/", 404),
    ("GET", "/archive/en/١٢٣٤-٠٧-٠١/", 404),
    ("GET", "/archive/en/2025-01-01/", 404),
    # Path traversal, plain and encoded.
    ("GET", "/archive/en/../../../etc/passwd", 404),
    ("GET", "/archive/en/%2e%2e/%2e%2e/etc/passwd", 404),
    ("GET", "/archive/..%2f..%2fetc%2fpasswd/", 404),
    ("GET", "/archive/en/2026-07-01/..%2f..%2f..%2fpyproject.toml", 404),
    ("GET", "/archive/en/%2e%2e%2fconfig.toml", 404),
    # Page numbers: past the end, huge, zero, negative, padded, the first page's second name.
    ("GET", "/archive/en/page/2/", 404),
    ("GET", "/archive/en/page/99999999999999999999999999999999999999/", 404),
    ("GET", "/archive/en/page/" + "9" * 5000 + "/", 404),
    ("GET", "/archive/en/page/0/", 404),
    ("GET", "/archive/en/page/-1/", 404),
    ("GET", "/archive/en/page/01/", 404),
    ("GET", "/archive/en/page/1/", 404),
    ("GET", "/archive/en/page/1e3/", 404),
    # Feeds that do not exist.
    ("GET", "/archive/en/atom.rss", 404),
    ("GET", "/archive/en/feed.json.bak", 404),
    ("GET", "/archive/en/index.html", 404),
    # Issues that are hidden, skipped, drafted, sending or paused.
    ("GET", "/archive/en/2026-07-02/", 404),
    ("GET", "/archive/ko/2026-07-02/", 404),
    ("GET", "/archive/en/2026-07-03/", 404),
    ("GET", "/archive/en/2026-07-04/", 404),
    ("GET", "/archive/en/2026-07-05/", 404),
    ("GET", "/archive/ko/2026-07-06/", 404),
    # Methods other than GET and HEAD.
    ("POST", "/archive/en/", 405),
    ("PUT", "/archive/en/2026-07-01/", 405),
    ("DELETE", "/archive/en/2026-07-01/", 405),
    ("PATCH", "/archive/en/atom.xml", 405),
    ("POST", "/archive/ko/feed.json", 405),
    ("POST", "/archive/", 405),
    ("DELETE", "/archive/en/page/2/", 405),
]


@pytest.mark.parametrize(
    ("method", "path", "status"), BAD_INPUT, ids=[f"{m} {p[:60]}" for m, p, _ in BAD_INPUT]
)
def test_bad_addresses_get_their_status_and_change_nothing(
    client: TestClient, db: Database, tmp_path: Path, method: str, path: str, status: int
) -> None:
    before = state_snapshot(tmp_path / "drafts", db=db)

    response = client.request(method, path)

    assert response.status_code == status, response.text[:200]
    assert "Issue of" not in response.text
    assert state_snapshot(tmp_path / "drafts", db=db) == before


def test_gzip_is_sent_to_clients_that_ask_and_reads_back_the_same(
    client: TestClient, archive: Archive
) -> None:
    zipped = client.get("/archive/ko/atom.xml", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/archive/ko/atom.xml", headers={"Accept-Encoding": "identity"})

    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content) / 4
    assert "content-encoding" not in plain.headers
    assert zipped.text == plain.text == archive.feed("ko", "atom.xml")


def test_an_issue_address_without_its_slash_is_redirected(client: TestClient) -> None:
    response = client.get("/archive/ko/2026-07-01")

    assert response.status_code == 308
    assert response.headers["location"] == "/archive/ko/2026-07-01/"
