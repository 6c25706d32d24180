"""What every rendered email must hold: content, chrome, placeholders, escaping and deliverability."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser

import pytest

from newsletter.config import Config
from newsletter.errors import RenderError
from newsletter.model import (
    LANGUAGE_SECTION,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_LANGUAGE_URL,
    PLACEHOLDER_UNSUBSCRIBE_URL,
    Draft,
    RenderedEmail,
    RenderSettings,
)
from newsletter.render import GMAIL_CLIP_BYTES, EmailRenderer, compile_mjml, render_email, size_warning

from .sample import SEND_TIME, SEOUL

PLACEHOLDERS = (PLACEHOLDER_UNSUBSCRIBE_URL, PLACEHOLDER_LANGUAGE_URL, PLACEHOLDER_EMAIL)

CHROME = {
    "en": (
        "Research Brief",
        "July 1, 2026 · 09:24",
        "This issue covers the arXiv window from June 30, 09:20 to July 1, 09:00 (Korean Time).",
        "Speed-read table",
        "First-read reason",
        "Key number",
        "Decision:",
        "What it does:",
        "Technical read:",
        "Evidence and limits:",
        "Reading order by research area",
        "References",
        "You receive this email because you subscribed to Research Brief",
        "Unsubscribe",
        "Change language",
    ),
    "ko": (
        "리서치 브리프",
        "2026. 7. 1. · 09:24",
        "이번 호는 6월 30일 09:20부터 7월 1일 09:00까지(한국 시간 기준)의 arXiv 공개분을 다룹니다.",
        "빠르게 읽기 표",
        "먼저 읽을 이유",
        "핵심 수치",
        "판단:",
        "무엇을 하나:",
        "기술적 해석:",
        "근거와 한계:",
        "연구 분야별 읽기 순서",
        "참고 출처",
        "리서치 브리프 뉴스레터(http://127.0.0.1:8000)를 구독하셔서 이 메일을 받고 계십니다.",
        "구독 취소",
        "언어 변경",
    ),
}


class _Page(HTMLParser):
    """The parts of an HTML email these tests look at."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._link_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.elements.append((tag, values))
        if tag == "a":
            self._href, self._link_text = values.get("href", ""), ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._link_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._link_text.strip()))
            self._href = None

    def first(self, tag: str) -> dict[str, str]:
        return next(attrs for name, attrs in self.elements if name == tag)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_every_chrome_string_is_in_the_locale(rendered: RenderedEmail) -> None:
    html, text = _squash(rendered.html), _squash(rendered.text)
    for phrase in CHROME[rendered.locale]:
        assert phrase in html, f"{rendered.locale} HTML lacks {phrase!r}"
        assert phrase in text, f"{rendered.locale} text lacks {phrase!r}"


def test_korean_email_has_no_english_chrome(draft: Draft, config: Config) -> None:
    korean = render_email(draft, "ko", config.render_settings())
    for phrase in CHROME["en"][3:]:
        assert phrase not in korean.html


def test_every_pick_appears_with_its_facts_links_and_reference(rendered: RenderedEmail, draft: Draft) -> None:
    page = _parse(rendered.html)
    hrefs = {href for href, _ in page.links}
    for number, pick in enumerate(draft.picks, 1):
        assert pick.url in hrefs
        assert pick.url in rendered.text
        assert f"[{number}] {pick.title}" in _squash(rendered.html)
        assert f"[{number}] {pick.title}" in rendered.text
        assert pick.key_number in rendered.html
        assert pick.key_number in rendered.text
    assert "https://github.com/UnicomAI/OTCache" in hrefs
    assert "https://sjtu-deng-lab.github.io/mbd-lms" in hrefs


def test_tables_have_the_issue_headers_in_order(draft: Draft, config: Config) -> None:
    html = render_email(draft, "en", config.render_settings()).html
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    # One table: the speed-read table took in the facts and summary tables' columns.
    assert headers == ["#", "Paper", "Area", "Key number", "First-read reason"]


def test_korean_editorial_text_falls_back_to_english_where_missing(draft: Draft, config: Config) -> None:
    korean = render_email(draft, "ko", config.render_settings())
    first = draft.picks[0]
    assert first.decision["ko"] in korean.html
    assert first.decision["en"] not in korean.html
    # Only English was written for "what it does": the Korean email shows it rather than nothing.
    assert first.what_it_does["en"] in korean.html
    assert korean.subject == draft.title["ko"]


def test_subject_is_translated_when_the_title_has_no_text_for_the_locale(
    draft: Draft, config: Config
) -> None:
    english_only = dataclasses.replace(draft, title={"en": draft.title["en"]})
    korean = render_email(english_only, "ko", config.render_settings())
    assert korean.subject == "리서치 브리프: 논문 5편, 2026년 7월 1일"


# (name, send time or None, generated at, the text part's first line in ko and en)
HEADER_CASES = [
    ("a send shows when it started", SEND_TIME, None, "2026. 7. 1. · 09:24", "July 1, 2026 · 09:24"),
    (
        "a preview shows the planned send: the issue's close, not the draft's generation",
        None,
        datetime(2026, 6, 30, 23, 59, tzinfo=SEOUL),
        "2026. 7. 1. · 09:00",
        "July 1, 2026 · 09:00",
    ),
    (
        "a send the next day shows that day",
        datetime(2026, 7, 2, 0, 30, tzinfo=UTC),
        datetime(2026, 7, 1, 0, 5, tzinfo=UTC),
        "2026. 7. 2. · 09:30",
        "July 2, 2026 · 09:30",
    ),
]


@pytest.mark.parametrize(
    ("send_time", "generated_at", "korean", "english"), [pytest.param(*c[1:], id=c[0]) for c in HEADER_CASES]
)
def test_the_header_shows_the_send_time_in_the_display_zone(
    draft: Draft,
    config: Config,
    send_time: datetime | None,
    generated_at: datetime | None,
    korean: str,
    english: str,
) -> None:
    drafted = dataclasses.replace(draft, generated_at=generated_at)
    for locale, brand, stamp in (("ko", "리서치 브리프", korean), ("en", "Research Brief", english)):
        rendered = render_email(drafted, locale, config.render_settings(), send_time=send_time)
        # The text part opens with the "View in browser" line, then a blank line, then the header.
        assert rendered.text.splitlines()[2] == f"{brand} · {stamp}"
        assert f"{brand}</span> · {stamp}" in rendered.html


def test_the_brand_is_configured_per_locale(draft: Draft, config: Config) -> None:
    branded = config.replace(**{"newsletter.brand": {"ko": "연구 소식", "en": "The Brief"}})
    korean, english = (
        render_email(draft, "ko", branded.render_settings()),
        render_email(draft, "en", branded.render_settings()),
    )
    # Plain strings leave the renderer, not the view's language-tagged text.
    assert type(korean.subject) is str
    assert korean.text.splitlines()[2].startswith("연구 소식 · ")
    assert "연구 소식 뉴스레터(http://127.0.0.1:8000)를 구독하셔서" in korean.text
    assert english.text.splitlines()[2].startswith("The Brief · ")
    assert "you subscribed to The Brief at" in _squash(english.text)
    unbranded = render_email(draft, "ko", config.replace(**{"newsletter.brand": {}}).render_settings())
    assert unbranded.text.splitlines()[2].startswith("Research Brief · ")


@pytest.mark.parametrize(
    ("brands", "locale", "masthead"),
    [
        ({"ko": "연구 소식"}, "ko", "연구 소식"),
        ({"ko": "연구 소식"}, "ko_KR", "연구 소식"),
        ({"ko": "연구 소식"}, "en", "Weekly Papers"),
        ({"ko": "  "}, "ko", "Weekly Papers"),
        ({}, "ko", "Weekly Papers"),
    ],
)
def test_the_renderer_needs_only_its_settings(
    draft: Draft, brands: dict[str, str], locale: str, masthead: str
) -> None:
    settings = RenderSettings(
        name="Weekly Papers",
        brands=brands,
        timezone="America/New_York",
        public_url="https://papers.example.net",
        postal_address="Weekly Papers, 2 Sample Road, Boston",
    )
    rendered = render_email(draft, locale, settings, send_time=SEND_TIME)
    # The text part opens with the "View in browser" line, then a blank line, then the header.
    header = rendered.text.splitlines()[2]
    assert header.startswith(f"{masthead} · ")
    assert "https://papers.example.net" in rendered.html
    assert "Weekly Papers, 2 Sample Road, Boston" in rendered.text
    # The send time, 09:24 in Seoul, reads as the evening before in New York.
    assert header.endswith(" · 20:24")


def test_korean_text_breaks_between_words_and_english_fallbacks_are_marked(
    draft: Draft, config: Config
) -> None:
    page = _parse(render_email(draft, "ko", config.render_settings(), send_time=SEND_TIME).html)
    paragraphs = [attrs for tag, attrs in page.elements if tag in ("p", "h1", "h2")]
    assert paragraphs
    for attrs in paragraphs:
        assert "word-break:keep-all;overflow-wrap:anywhere;" in attrs.get("style", "")
    assert page.first("html")["lang"] == "ko"
    marked = [attrs for tag, attrs in page.elements if attrs.get("lang") == "en"]
    # Four English decisions, every "what it does", "technical read" and "evidence and
    # limits", two quotes, and five titles and references: 4 + 3 * 5 + 2 + 2 * 5.
    assert len(marked) == 31
    # Korean fonts first in the Korean email only; nothing is marked English in the English one.
    korean_fonts = "font-family:Apple SD Gothic Neo, Malgun Gothic, Noto Sans KR, "
    assert korean_fonts in render_email(draft, "ko", config.render_settings()).html
    english = render_email(draft, "en", config.render_settings()).html
    assert korean_fonts not in english
    marked_in_english = [
        tag for tag, attrs in _parse(english).elements if attrs.get("lang") and attrs.get("role") != "article"
    ]
    assert marked_in_english == ["html"]


@pytest.mark.parametrize(
    ("locale", "picks", "expected"),
    [
        ("en", 1, "Today's pick: Cross-Space Distillation."),
        ("en", 2, "Today's 2 picks: Cross-Space Distillation and ECFM."),
        ("ko", 1, "오늘 고른 논문: Cross-Space Distillation."),
        ("ko", 3, "오늘 고른 논문: Cross-Space Distillation, ECFM 및 OTCache."),
    ],
)
def test_preheader_uses_the_locale_plural_and_list_rules(
    draft: Draft, config: Config, locale: str, picks: int, expected: str
) -> None:
    fewer = dataclasses.replace(draft, picks=draft.picks[:picks])
    rendered = render_email(fewer, locale, config.render_settings())
    assert rendered.preheader == expected
    assert expected in unescape(rendered.html)


def test_placeholders_survive_escaping_and_mjml_and_fill_by_plain_replace(rendered: RenderedEmail) -> None:
    for placeholder in PLACEHOLDERS:
        assert placeholder in rendered.html
        assert placeholder in rendered.text
    filled = rendered.html.replace(PLACEHOLDER_UNSUBSCRIBE_URL, "https://news.example/u/tok3n").replace(
        PLACEHOLDER_EMAIL, "reader@example.org"
    )
    page = _parse(filled)
    hrefs = dict(page.links)
    assert hrefs["https://news.example/u/tok3n"] in {"Unsubscribe", "구독 취소"}
    # The unsubscribe link's own value fills the change-language link too.
    assert hrefs[f"https://news.example/u/tok3n#{LANGUAGE_SECTION}"] in {"Change language", "언어 변경"}
    assert "reader@example.org" in filled
    assert "%%" not in filled


INJECTED = "<script>alert(1)</script> {{ 7 * 7 }} {% raw %} <mj-raw><b>bold</b></mj-raw> & Co"


def test_draft_text_is_escaped_never_interpreted(draft: Draft, config: Config) -> None:
    pick = dataclasses.replace(
        draft.picks[0], title=INJECTED, short_name=INJECTED, first_read_reason={"en": INJECTED}
    )
    hostile = dataclasses.replace(draft, title={"en": INJECTED}, picks=(pick, *draft.picks[1:]))
    rendered = render_email(hostile, "en", config.render_settings())
    tags = {tag for tag, _ in _parse(rendered.html).elements}
    assert "script" not in tags
    assert "mj-raw" not in tags
    assert "<b>bold</b>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7 * 7 }} {% raw %} &lt;mj-raw&gt;" in rendered.html
    assert "49" not in rendered.html
    # The text part is text/plain: the title reads exactly as written, neither run nor entity-escaped.
    assert INJECTED in rendered.text
    assert "&lt;" not in rendered.text
    assert rendered.subject == INJECTED


def test_deliverability_markup(rendered: RenderedEmail, config: Config) -> None:
    page = _parse(rendered.html)
    root = page.first("html")
    assert (root["lang"], root["dir"]) == (rendered.locale, "ltr")
    wrappers = [attrs for tag, attrs in page.elements if tag == "div" and attrs.get("lang")]
    assert [(w["lang"], w["dir"]) for w in wrappers] == [(rendered.locale, "ltr")]
    metas = {attrs.get("name"): attrs.get("content") for tag, attrs in page.elements if tag == "meta"}
    assert metas["color-scheme"] == "light dark"
    assert "prefers-color-scheme: dark" in rendered.html
    hidden = re.search(r'<div style="display:none;[^"]*">([^<]*)</div>', rendered.html)
    assert hidden is not None
    assert unescape(hidden.group(1)) == rendered.preheader
    assert all(attrs.get("alt") for tag, attrs in page.elements if tag == "img")
    assert config.newsletter.postal_address in rendered.html
    assert "fonts.googleapis.com" not in rendered.html
    assert len(rendered.html.encode()) < GMAIL_CLIP_BYTES


def test_size_warning_only_near_gmail_clipping(rendered: RenderedEmail) -> None:
    assert size_warning(rendered) is None
    near = dataclasses.replace(rendered, html="x" * (95 * 1024))
    over = dataclasses.replace(rendered, html="x" * (110 * 1024))
    assert "close to Gmail's 102 KB" in (size_warning(near) or "")
    assert "over Gmail's 102 KB" in (size_warning(over) or "")


def test_text_part_is_written_text_not_markup(rendered: RenderedEmail) -> None:
    assert not re.search(r"</?(div|td|table|span|a|p)\b", rendered.text)
    assert "&amp;" not in rendered.text
    assert "William & Mary" in rendered.text
    assert rendered.text.count("\n\n\n\n") == 0


def test_invalid_mjml_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="MJML did not compile"):
        compile_mjml("<mjml><mj-body><mj-section>")


def test_a_broken_template_names_its_file(tmp_path, draft: Draft, config: Config) -> None:
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "issue.mjml.j2").write_text("<mjml>{{ issue.no_such_field }}</mjml>")
    (tmp_path / "email" / "issue.txt.j2").write_text("{{ issue.title }}")
    with pytest.raises(RenderError, match=r"issue\.mjml\.j2: .*no_such_field"):
        EmailRenderer(templates=tmp_path).render(draft, "en", config.render_settings())


def test_a_url_written_without_a_scheme_still_links(draft: Draft, config: Config) -> None:
    bare = dataclasses.replace(draft.picks[0], code_url="github.com/UnicomAI/OTCache")
    email = render_email(
        dataclasses.replace(draft, picks=(bare, *draft.picks[1:])), "en", config.render_settings()
    )
    assert 'href="https://github.com/UnicomAI/OTCache"' in email.html
    assert 'href="github.com/' not in email.html
    assert "https://github.com/UnicomAI/OTCache" in email.text


@pytest.mark.parametrize(
    ("headline", "heading"),
    [
        ({"en": "cache schedules as geometry"}, "3. OTCache: cache schedules as geometry"),
        # Without a headline the section shows the paper's title.
        ({}, "3. OTCache: cache schedules as geometry, not per-budget hacks"),
    ],
)
def test_a_section_is_headed_by_the_short_name_and_headline(
    draft: Draft, config: Config, headline: dict[str, str], heading: str
) -> None:
    picks = list(draft.picks)
    picks[2] = dataclasses.replace(
        picks[2], title="OTCache: cache schedules as geometry, not per-budget hacks", headline=headline
    )
    rendered = render_email(dataclasses.replace(draft, picks=tuple(picks)), "en", config.render_settings())
    assert f"## {heading}\n" in rendered.text
    assert heading.split(". ", 1)[1] + "</a></h2>" in rendered.html
