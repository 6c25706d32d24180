"""The OpenAI-compatible writer over the real ``openai`` client against a fake API on 127.0.0.1.

Each case is what a real server does wrong (invented facts, malformed JSON, an empty reply, a
429 with Retry-After, 500s, a hang); each must end in the right mix of machine-written and
extractive fields, with the draft written either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsletter import pipeline
from newsletter.config import WritingSection
from newsletter.digest import read_draft
from newsletter.digest.fingerprint import LOCALIZED_FIELDS
from newsletter.model import Draft
from newsletter.pipeline import App
from newsletter.writing.cache import ReplyCache
from newsletter.writing.openai import OpenAIWriter
from newsletter.writing.prompt import Prompt
from tests.writing.conftest import AT
from tests.writing.fake_llm import FakeLLM, Reply, is_intro, locale_of
from tests.writing.texts import good_fields, good_reply

PICKS, LOCALES, FIELDS = 5, 2, 5
EVERY_FIELD = PICKS * LOCALES * FIELDS + LOCALES


def _machine_count(draft: Draft) -> int:
    return sum(len(p.machine) for p in draft.picks) + len(draft.machine)


def _invented(request: dict[str, Any], _index: int) -> Reply:
    fields = good_fields(request)
    if not is_intro(request):
        fields["decision"] += (
            " It keeps 97.3% of the quality." if locale_of(request) == "en" else " 품질의 97.3%를 유지합니다."
        )
        fields["evidence_and_limits"] = "The paper is accepted at NeurIPS 2026."
        fields["headline"] = "Researchers at Harvard University wrote it."
    return Reply(content=json.dumps(fields, ensure_ascii=False))


def test_good_text_is_machine_written_in_every_field_and_locale(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    server = fake_llm(good_reply)
    result = pipeline.build_draft(writing_app(server.url), AT)
    assert (result.writing.machine, result.writing.rejected) == (EVERY_FIELD, 0)
    assert len(server.requests) == PICKS * LOCALES + LOCALES
    assert all(r["response_format"] == {"type": "json_object"} for r in server.requests)
    assert result.writing.tokens == 100 * len(server.requests)
    # The file says which texts a model wrote, and the Korean body is the model's Korean.
    written = read_draft(result.path)
    first = written.picks[0]
    assert "decision.ko" in first.machine
    assert first.decision["ko"].endswith("기여와 측정 결과를 분명하게 밝힙니다.")
    # The paper's English stands after a Korean label and a colon, at the end (KOREAN.md).
    assert first.what_it_does["ko"].endswith("제안 방법: " + written.picks[0].core_method)
    assert written.machine == ("intro.en", "intro.ko")
    assert written.intro["en"].startswith("Today's brief features OTCache, SyncCache")


def test_invented_numbers_names_and_venues_fall_back_field_by_field(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    server = fake_llm(_invented)
    extractive = pipeline.build_draft(writing_app(fake_llm(good_reply).url, backend="extractive"), AT).draft
    result = pipeline.build_draft(writing_app(server.url), AT)
    rejected_per_pick = 3 * LOCALES
    assert result.writing.rejected == PICKS * rejected_per_pick
    assert result.writing.machine == EVERY_FIELD - PICKS * rejected_per_pick
    for pick, plain in zip(result.draft.picks, extractive.picks, strict=True):
        assert pick.decision == plain.decision
        assert pick.evidence_and_limits == plain.evidence_and_limits
        assert pick.first_read_reason == plain.first_read_reason
        assert {m.partition(".")[0] for m in pick.machine} == {"what_it_does", "technical_read"}
        assert "decision.en rejected: '97.3%' is not in the record" in pick.guard
        assert "first_read_reason.en rejected: the record does not name Harvard University" in pick.guard
        assert any(n.startswith("evidence_and_limits.ko rejected: ") for n in pick.guard)
    assert read_draft(result.path).picks[0].guard == result.draft.picks[0].guard


@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("malformed JSON", Reply(content='{"headline": "OTCache is fast"')),
        ("a JSON list", Reply(content='["headline"]')),
        ("an empty reply", Reply(content="")),
        ("no content", Reply(content=None)),
        ("only unknown keys", Reply(content='{"summary": "OTCache is fast."}')),
        ("a 400", Reply(status=400, body='{"error": {"message": "bad model"}}')),
    ],
)
def test_a_useless_reply_leaves_every_field_extractive(
    name: str, reply: Reply, fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    server = fake_llm(lambda _request, _index: reply)
    app = writing_app(server.url)
    result = pipeline.build_draft(app, AT)
    assert (result.writing.machine, result.writing.rejected) == (0, 0), name
    assert _machine_count(read_draft(result.path)) == 0
    assert len(server.requests) == PICKS * LOCALES + LOCALES, "a useless reply is not retried"
    assert result.draft.picks[0].decision["en"].startswith("Read OTCache first")


def test_a_429_is_retried_after_the_wait_it_asks_for(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    refused: set[str] = set()

    def once_429(request: dict[str, Any], index: int) -> Reply:
        key = json.dumps(request["messages"])
        if key not in refused:
            refused.add(key)
            return Reply(status=429, headers={"Retry-After": "0"})
        return good_reply(request)

    server = fake_llm(once_429)
    result = pipeline.build_draft(writing_app(server.url), AT)
    assert result.writing.machine == EVERY_FIELD
    assert len(server.requests) == 2 * (PICKS * LOCALES + LOCALES)
    assert result.writing.requests == len(server.requests)


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    server = fake_llm(lambda _r, _i: Reply(status=429, headers={"Retry-After": "3600"}))
    result = pipeline.build_draft(writing_app(server.url, deadline_seconds=5.0), AT)
    assert result.writing.machine == 0
    assert len(server.requests) == PICKS * LOCALES + LOCALES, "no retry: the wait outlasts the deadline"


def test_500s_are_retried_within_max_retries_then_fall_back(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    def flaky(request: dict[str, Any], index: int) -> Reply:
        # The first paper's English request always fails; every other request works.
        if (
            not is_intro(request)
            and locale_of(request) == "en"
            and "OTCache" in request["messages"][1]["content"]
        ):
            return Reply(status=500)
        return good_reply(request)

    server = fake_llm(flaky)
    result = pipeline.build_draft(writing_app(server.url, max_retries=2), AT)
    otcache = result.draft.picks[0]
    assert otcache.short_name == "OTCache"
    assert not any(m.endswith(".en") for m in otcache.machine)
    assert len([m for m in otcache.machine if m.endswith(".ko")]) == FIELDS
    assert result.writing.machine == EVERY_FIELD - FIELDS
    assert len(server.requests) == PICKS * LOCALES + LOCALES + 2


def test_a_hanging_server_costs_at_most_the_deadline(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    server = fake_llm(lambda _r, _i: Reply(hang=True))
    app = writing_app(server.url, timeout_seconds=0.2, max_retries=1, deadline_seconds=1.0)
    result = pipeline.build_draft(app, AT)
    assert result.writing.machine == 0
    assert result.path.is_file()
    # Timeouts are retried, but nothing is asked once the deadline has passed.
    assert 1 <= len(server.requests) <= 6


def test_the_budget_caps_requests_and_the_rest_stays_extractive(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    server = fake_llm(good_reply)
    result = pipeline.build_draft(writing_app(server.url, max_requests=3), AT)
    assert len(server.requests) == 3
    assert result.writing.machine == 3 * FIELDS

    tokens = fake_llm(good_reply)
    capped = pipeline.build_draft(writing_app(tokens.url, max_tokens=250), AT)
    assert len(tokens.requests) == 3, "the third request starts below the cap, the fourth does not"
    assert capped.writing.tokens == 300


def test_redrafting_reuses_cached_replies_and_asks_only_for_what_changed(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    server = fake_llm(good_reply)
    app = writing_app(server.url)
    first = pipeline.build_draft(app, AT)
    asked = len(server.requests)
    again = pipeline.build_draft(app, AT)
    assert len(server.requests) == asked
    assert again.writing.cached == asked
    assert again.writing.tokens == 0
    assert again.draft.picks == first.draft.picks
    # Another model is another cache entry.
    other = writing_app(server.url, model="another-model")
    pipeline.build_draft(other, AT)
    assert len(server.requests) == 2 * asked


def test_an_editors_edit_of_a_machine_field_is_theirs_and_is_guarded(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App]
) -> None:
    from newsletter.writing import edit_warnings, load_records

    server = fake_llm(good_reply)
    app = writing_app(server.url)
    first = pipeline.build_draft(app, AT)
    text = first.path.read_text(encoding="utf-8")
    old = first.draft.picks[0].decision["ko"]
    edited = "OTCache 논문은 FLUX.1 모델에서 4.1배 가속을 보고합니다."
    first.path.write_text(
        text.replace(json.dumps(old, ensure_ascii=False), json.dumps(edited, ensure_ascii=False))
    )
    again = pipeline.build_draft(app, AT)
    pick = again.draft.picks[0]
    assert pick.decision["ko"] == edited
    assert "decision.ko" not in pick.machine
    assert "decision.en" in pick.machine
    records = load_records(app.config.writing_cache_dir, [p.arxiv_id for p in again.draft.picks])
    warnings = list(edit_warnings(read_draft(again.path), records))
    assert warnings == ["OTCache, decision (ko): '4.1×' is not in the record"]


def test_the_default_writes_what_it_always_wrote(
    fake_llm: Callable[..., FakeLLM], writing_app: Callable[..., App], demo_app: App
) -> None:
    server = fake_llm(good_reply)
    result = pipeline.build_draft(writing_app(server.url, backend="extractive"), AT)
    assert server.requests == []
    assert _machine_count(result.draft) == 0
    text = result.path.read_text(encoding="utf-8")
    assert "machine" not in text
    assert "guard" not in text
    assert all(set(getattr(p, f)) <= {"en", "ko"} for p in result.draft.picks for f in LOCALIZED_FIELDS)


@pytest.mark.parametrize(
    ("header", "waits"),
    [
        ({"Retry-After": "7"}, [7.0]),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, [0.0]),
        ({}, [0.5]),
        ({"Retry-After": "soon"}, [0.5]),
    ],
    ids=["seconds", "a past HTTP date", "no header: backoff", "unreadable: backoff"],
)
def test_the_wait_before_a_retry_is_what_retry_after_asks(
    header: dict[str, str], waits: list[float], fake_llm: Callable[..., FakeLLM], tmp_path: Path
) -> None:
    def once(request: dict[str, Any], index: int) -> Reply:
        return Reply(status=429, headers=header) if index == 0 else Reply(content='{"intro": "Hello."}')

    server = fake_llm(once)
    slept: list[float] = []
    settings = WritingSection(backend="openai", base_url=server.url, model="m", max_retries=1)
    writer = OpenAIWriter(settings, ReplyCache(tmp_path), sleep=slept.append)
    try:
        assert writer._ask(Prompt(system="s", user="u"), "a test") == '{"intro": "Hello."}'
    finally:
        writer.close()
    assert slept == waits
    assert writer.usage().requests == 2
