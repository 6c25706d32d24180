"""Reading operators' CSV files: encodings, headers, records and their line numbers."""

from __future__ import annotations

import codecs

import pytest

from newsletter.errors import InputError
from newsletter.subscribers.csvfile import detect_encoding, open_csv

from .conftest import WriteCsv

KOREAN = "email,name\nminji@example.org,김민지\nhong@example.org,홍길동\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (KOREAN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + KOREAN.encode("utf-8"), "utf-8-sig"),
        (KOREAN.encode("cp949"), "cp949"),
        (KOREAN.encode("euc-kr"), "cp949"),
        (b"email,name\na@example.org,Ada\n", "utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "cp949", "euc-kr", "ascii"],
)
def test_the_encoding_is_detected(write_csv: WriteCsv, data: bytes, expected: str) -> None:
    path = write_csv(data)
    assert detect_encoding(path).name == expected
    rows = list(open_csv(path).records())
    if "김민지".encode() in data or "김민지".encode("cp949") in data:
        assert [r.values["name"] for r in rows] == ["김민지", "홍길동"]


def test_a_given_encoding_wins_and_a_bad_one_is_named(write_csv: WriteCsv) -> None:
    path = write_csv(KOREAN.encode("cp949"))
    assert open_csv(path, "euc-kr").encoding.name == "cp949"
    with pytest.raises(InputError, match=r"--encoding: expected a codec name.*'klingon'"):
        open_csv(path, "klingon")


def test_mixed_encodings_mark_only_the_foreign_rows(write_csv: WriteCsv) -> None:
    data = KOREAN.encode("utf-8") + "park@example.org,박지성\n".encode("cp949")
    path = write_csv(data)
    source = open_csv(path)
    assert (source.encoding.name, source.encoding.mixed) == ("utf-8", True)
    rows = list(source.records())
    assert [(r.line, r.undecodable) for r in rows] == [(2, False), (3, False), (4, True)]
    assert rows[0].values["name"] == "김민지"


def test_an_empty_file_is_refused(write_csv: WriteCsv) -> None:
    path = write_csv("\n  \n", name="empty.csv")
    with pytest.raises(InputError, match=r"empty.csv: the file is empty; expected a header row"):
        open_csv(path)


def test_a_header_only_file_has_no_records(write_csv: WriteCsv) -> None:
    source = open_csv(write_csv("email,name,locale\n"))
    assert source.columns == ("email", "name", "locale")
    assert list(source.records()) == []


def test_a_missing_email_column_is_refused_naming_what_was_found(write_csv: WriteCsv) -> None:
    path = write_csv("name,locale\nAda,en\n", name="people.csv")
    with pytest.raises(InputError, match=r"people.csv:1: header: expected an 'email' column, found 'name'"):
        open_csv(path)


def test_extra_columns_are_ignored_and_reported(write_csv: WriteCsv) -> None:
    source = open_csv(write_csv("Notes,E-Mail,Name,Company\nx,a@example.org,Ada,ACME\n"))
    assert source.ignored == ("Notes", "Company")
    (row,) = source.records()
    assert row.values == {"email": "a@example.org", "name": "Ada"}


def test_korean_headers_and_semicolons_are_understood(write_csv: WriteCsv) -> None:
    source = open_csv(write_csv("이메일;이름;언어\nminji@example.org;김민지;ko\n"))
    (row,) = source.records()
    assert row.values == {"email": "minji@example.org", "name": "김민지", "locale": "ko"}


def test_quoted_commas_and_newlines_keep_their_record_and_line_numbers(write_csv: WriteCsv) -> None:
    text = 'email,name\n"a@example.org","Lovelace, Ada"\n"b@example.org","two\nlines"\n\nc@example.org,C\n'
    rows = list(open_csv(write_csv(text)).records())
    assert [(r.line, r.last_line, r.values["name"]) for r in rows] == [
        (2, 2, "Lovelace, Ada"),
        (3, 4, "two\nlines"),
        (6, 6, "C"),
    ]


def test_a_column_given_twice_is_refused(write_csv: WriteCsv) -> None:
    with pytest.raises(InputError, match="expected one 'email' column, found it in cells 1 and 3"):
        open_csv(write_csv("email,name,e-mail\n"))


def test_short_rows_read_missing_cells_as_empty(write_csv: WriteCsv) -> None:
    (row,) = open_csv(write_csv("email,name,locale\na@example.org\n")).records()
    assert row.values == {"email": "a@example.org", "name": "", "locale": ""}
