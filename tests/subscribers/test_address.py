"""What operators type: addresses, names and locales."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsletter.errors import InputError
from newsletter.subscribers.address import (
    AddressError,
    check_locale,
    clean_name,
    normalize_locale,
    parse_address,
)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("a@b", "period"),
        ("a@@b.com", "invalid characters"),
        ("name <a@b.com>", "display name"),
        ("", "empty"),
        ("   ", "empty"),
        ("a b@example.org", "invalid characters"),
        ("a@example.org\r\nBcc: x@example.org", "invalid characters"),
    ],
)
def test_invalid_addresses_are_refused_with_the_reason(raw: str, why: str) -> None:
    with pytest.raises(AddressError, match=why) as caught:
        parse_address(raw)
    assert caught.value.value == raw
    assert str(caught.value).startswith("email: ")


def test_an_address_is_trimmed_and_its_domain_lowercased_but_its_local_part_kept() -> None:
    address = parse_address("  Ada.Lovelace@Example.ORG\t")
    assert address.email == "Ada.Lovelace@example.org"
    assert address.key == "ada.lovelace@example.org"


def test_an_international_address_is_accepted_without_network() -> None:
    address = parse_address("민지@예시.한국")
    assert address.email == "민지@예시.한국"


def test_names_lose_line_breaks_and_control_characters() -> None:
    assert clean_name(" Ada\r\nBcc: eve@example.org\x00 ") == "Ada Bcc: eve@example.org"
    assert clean_name("김\u2028민지") == "김 민지"


def test_a_name_too_long_for_the_store_is_refused_not_cut() -> None:
    with pytest.raises(InputError, match="at most 200"):
        clean_name("x" * 201)


@given(st.text(max_size=150))
def test_a_clean_name_never_holds_a_line_break(raw: str) -> None:
    name = clean_name(raw)
    assert "\r" not in name
    assert "\n" not in name
    assert name == name.strip()


@pytest.mark.parametrize(("raw", "expected"), [("ko", "ko"), (" EN ", "en"), ("Ko", "ko")])
def test_locales_are_matched_to_the_configured_spelling(raw: str, expected: str) -> None:
    assert check_locale(raw, ["en", "ko"]) == expected


def test_an_unknown_locale_names_the_configured_ones() -> None:
    with pytest.raises(InputError, match="expected one of en, ko, got 'fr'"):
        check_locale("fr", ["en", "ko"])


@pytest.mark.parametrize(
    ("raw", "locales", "expected"),
    [
        ("ko-KR", ["en", "ko"], "ko"),
        ("ko_KR", ["en", "ko"], "ko"),
        ("KO", ["en", "ko"], "ko"),
        ("en-US", ["en", "ko"], "en"),
        ("en_GB.UTF-8", ["en", "ko"], "en"),
        ("de_DE@euro", ["en", "de"], "de"),
        ("Korean", ["en", "ko"], "ko"),
        ("한국어", ["en", "ko"], "ko"),
        ("영어", ["en", "ko"], "en"),
        ("pt_BR", ["en", "pt-BR"], "pt-BR"),
        ("pt", ["en", "pt-BR"], None),
        ("fr", ["en", "ko"], None),
        ("français", ["en", "ko"], None),
        ("", ["en", "ko"], None),
        ("-ko", ["en", "ko"], None),
    ],
)
def test_locale_tags_and_names_mean_their_language(
    raw: str, locales: list[str], expected: str | None
) -> None:
    assert normalize_locale(raw, locales) == expected
