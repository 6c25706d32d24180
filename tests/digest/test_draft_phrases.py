"""Phrases translate through the catalog, and an untranslated one leaves the locale out."""

from __future__ import annotations

from newsletter.digest.phrases import Phrases, localized

KO = {"{count} {topic} papers: {date}": "{topic} 논문 {count}편: {date}", "Theory": "이론"}


def korean(messages: dict[str, str]) -> Phrases:
    return Phrases(
        locale="ko",
        gettext=lambda m: messages.get(m, m),
        ngettext=lambda s, p, n: s if n == 1 else p,
    )


def test_each_plural_form_is_looked_up_as_its_own_message() -> None:
    say = korean(KO)
    text = say.plural(
        "{count} {topic} paper: {date}", "{count} {topic} papers: {date}", 5, topic="x", date="d"
    )
    assert text == "x 논문 5편: d"
    assert say.untranslated == []


def test_a_broken_translation_falls_back_to_english() -> None:
    say = korean({"Key number: {key_number}.": "핵심 수치: {number}."})
    assert say("Key number: {key_number}.", key_number="4.5×") == "Key number: 4.5×."


def test_a_text_with_an_untranslated_phrase_has_no_korean_version(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from newsletter.digest import phrases

    monkeypatch.setattr(phrases, "phrases_for", lambda loc: korean(KO) if loc == "ko" else korean({}))
    assert localized(["en", "ko"], lambda say: say("Theory")) == {"en": "Theory", "ko": "이론"}
    assert localized(["en", "ko"], lambda say: say("Theory") + say("Other methods")) == {
        "en": "TheoryOther methods"
    }


def test_a_translation_can_ask_for_the_particle_that_fits_the_name() -> None:
    say = korean({"For {area}, read {names}.": "{area} 분야에서는 {names:을} 읽으세요."})
    assert (
        say("For {area}, read {names}.", area="추론 가속", names="OTCache")
        == "추론 가속 분야에서는 OTCache를 읽으세요."
    )
    assert (
        say("For {area}, read {names}.", area="추론 가속", names="HPSv3")
        == "추론 가속 분야에서는 HPSv3을 읽으세요."
    )
    english = korean({})
    assert english("For {area}, read {names}.", area="x", names="y") == "For x, read y."
