"""What the archive shows: sent issues only, nothing personal, languages linked both ways, paging."""

from __future__ import annotations

from datetime import date, timedelta

import lxml.html
import pytest

from newsletter.archive import Archive, public_entries, set_hidden
from newsletter.archive import site as site_module
from newsletter.render import email as email_module
from newsletter.store import Database
from newsletter.store.schema import IssueStatus

from .conftest import PUBLIC_URL, Publisher

DAY = date(2026, 7, 1)


def _alternates(html: str) -> dict[str, str]:
    page = lxml.html.fromstring(html)
    return {
        link.get("hreflang"): link.get("href")
        for link in page.xpath("//head/link[@rel='alternate'][@hreflang]")
    }


def _canonical(html: str) -> str:
    return str(lxml.html.fromstring(html).xpath("//head/link[@rel='canonical']/@href")[0])


def test_only_sent_issues_not_hidden_are_public(db: Database, publisher: Publisher) -> None:
    statuses = [status.value for status in IssueStatus]
    for offset, status in enumerate(statuses):
        publisher.add(DAY + timedelta(days=offset), status=status)
    hidden = publisher.add(DAY + timedelta(days=20), hidden=True)
    older_row = publisher.add(DAY + timedelta(days=21), hidden=None)

    with db.transaction() as session:
        entries = public_entries(session)

    sent_day = DAY + timedelta(days=statuses.index(IssueStatus.SENT.value))
    assert [e.issue_date for e in entries] == [DAY + timedelta(days=21), sent_day]
    assert hidden not in {e.issue_id for e in entries}
    assert entries[0].issue_id == older_row


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_the_web_version_has_nothing_personal(archive: Archive, publisher: Publisher, locale: str) -> None:
    publisher.add(DAY)

    html = archive.issue_page(locale, DAY)

    assert html is not None
    assert f"{DAY.isoformat()} 호" in html if locale == "ko" else "Issue of 2026-07-01" in html
    for personal in (
        "%%",
        "/u/",
        "Unsubscribe",
        "구독 취소",
        "Change language",
        "This copy was sent",
        "발송되었습니다",
    ):
        assert personal not in html, personal
    assert _canonical(html) == f"{PUBLIC_URL}/archive/{locale}/2026-07-01/"


def test_hreflang_pairs_hold_both_ways(archive: Archive, publisher: Publisher) -> None:
    publisher.add(DAY)
    pages = {
        **{
            archive.url(f"/archive/{loc}/2026-07-01/"): archive.issue_page(loc, DAY)
            for loc in archive.locales
        },
        **{archive.url(f"/archive/{loc}/"): archive.index_page(loc) for loc in archive.locales},
    }
    assert all(pages.values())

    for url, html in pages.items():
        assert html is not None
        own_lang = lxml.html.fromstring(html).get("lang")
        alternates = _alternates(html)
        assert set(alternates) == {"en", "ko"}
        assert alternates[own_lang] == url == _canonical(html)
        for lang, other_url in alternates.items():
            other = pages[other_url]
            assert other is not None
            # The other page names this one back under this page's language.
            assert _alternates(other)[own_lang] == url, (url, lang)


@pytest.mark.parametrize(("locale", "other", "label"), [("en", "ko", "한국어"), ("ko", "en", "English")])
def test_a_visible_language_switch_leads_to_the_other_language(
    archive: Archive, publisher: Publisher, locale: str, other: str, label: str
) -> None:
    publisher.add(DAY)
    for html in (archive.issue_page(locale, DAY), archive.index_page(locale)):
        assert html is not None
        links = lxml.html.fromstring(html).xpath(f"//body//a[@hreflang='{other}']")
        assert [(a.text_content(), a.get("lang")) for a in links] == [(label, other)]


def test_lists_are_newest_first_and_paged(
    archive: Archive, publisher: Publisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site_module, "PAGE_SIZE", 2)
    days = [DAY + timedelta(days=n) for n in range(5)]
    for day in days:
        publisher.add(day)

    shown = []
    for page in (1, 2, 3):
        html = archive.index_page("en", page)
        assert html is not None
        tree = lxml.html.fromstring(html)
        shown.append([a.text_content() for a in tree.xpath("//ol//h2/a")])
        rel = {a.get("rel"): a.get("href") for a in tree.xpath("//nav[@class='pages']//a")}
        expected_prev = {1: None, 2: f"{PUBLIC_URL}/archive/en/", 3: f"{PUBLIC_URL}/archive/en/page/2/"}[page]
        assert rel.get("prev") == expected_prev
        assert rel.get("next") == (f"{PUBLIC_URL}/archive/en/page/{page + 1}/" if page < 3 else None)

    assert shown == [
        [f"Issue of {d.isoformat()}" for d in days[4:2:-1]],
        [f"Issue of {d.isoformat()}" for d in days[2:0:-1]],
        [f"Issue of {days[0].isoformat()}"],
    ]
    assert archive.index_page("en", 4) is None
    assert archive.index_page("en", 0) is None


def test_an_empty_archive_has_one_page_that_says_so(archive: Archive) -> None:
    assert "No issue has been published yet." in (archive.index_page("en") or "")
    assert "아직 공개된 호가 없습니다." in (archive.index_page("ko") or "")
    assert archive.index_page("en", 2) is None


def test_a_hidden_issue_leaves_pages_and_feeds_and_comes_back(
    archive: Archive, db: Database, publisher: Publisher
) -> None:
    kept, withdrawn = publisher.add(DAY), publisher.add(DAY + timedelta(days=1))
    assert archive.issue_page("en", DAY + timedelta(days=1)) is not None

    done = set_hidden(db, withdrawn, hidden=True)

    assert (done.hidden, done.public) == (True, False)
    assert archive.issue_page("en", DAY + timedelta(days=1)) is None
    assert archive.issue_page("en", DAY) is not None
    for text in (
        archive.index_page("en"),
        *(archive.feed("en", n) for n in ("atom.xml", "rss.xml", "feed.json")),
    ):
        assert text is not None
        assert "2026-07-02" not in text
        assert "Issue of 2026-07-01" in text

    set_hidden(db, withdrawn, hidden=False)

    assert archive.issue_page("en", DAY + timedelta(days=1)) is not None
    assert "Issue of 2026-07-02" in (archive.feed("en", "atom.xml") or "")
    assert kept != withdrawn


def test_a_page_is_rendered_once_and_again_after_the_draft_changes(
    archive: Archive, publisher: Publisher
) -> None:
    publisher.add(DAY, title="First title")
    first = archive.issue_page("en", DAY)
    assert first is not None
    assert "First title" in first
    assert archive.issue_page("en", DAY) is first

    path = publisher.draft_path(DAY)
    path.write_text(path.read_text(encoding="utf-8").replace("First title", "Edited title"), encoding="utf-8")

    again = archive.issue_page("en", DAY)
    assert again is not None
    assert "Edited title" in again
    assert "First title" not in again


def test_an_issue_sent_elsewhere_appears_after_the_refresh_interval(
    site_config: object, db: Database, publisher: Publisher
) -> None:
    now = [0.0]
    archive = Archive(site_config, db, refresh_seconds=1.0, clock=lambda: now[0])  # type: ignore[arg-type]
    assert archive.issue_page("en", DAY) is None

    publisher.add(DAY)
    assert archive.issue_page("en", DAY) is None
    now[0] = 1.5

    assert archive.issue_page("en", DAY) is not None


def test_an_issue_whose_draft_is_gone_is_left_out(archive: Archive, publisher: Publisher) -> None:
    publisher.add(DAY)
    publisher.add(DAY + timedelta(days=1))
    publisher.draft_path(DAY).unlink()

    assert archive.issue_page("en", DAY) is None
    index = archive.index_page("en") or ""
    assert "Issue of 2026-07-02" in index
    assert "Issue of 2026-07-01" not in index


def test_lists_need_no_whole_rendering_and_few_renderings_are_kept(
    archive: Archive, publisher: Publisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[int] = []
    real = email_module.compile_mjml
    monkeypatch.setattr(email_module, "compile_mjml", lambda source: compiled.append(1) or real(source))
    monkeypatch.setattr(site_module, "RENDERED_KEPT", 3)
    days = [DAY + timedelta(days=n) for n in range(6)]
    for day in days:
        publisher.add(day)

    index = archive.index_page("en")
    assert index is not None
    assert compiled == []
    for day in days:
        assert archive.issue_page("en", day) is not None

    assert len(compiled) == 6
    # Only the three most recently seen stay whole; an older one is rendered again when visited.
    archive.issue_page("en", days[-1])
    assert len(compiled) == 6
    archive.issue_page("en", days[0])
    assert len(compiled) == 7
