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
        (codecs.BOM_UTF16_LE + KOREAN.encode("utf-16-le"), "utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "cp949", "euc-kr", "ascii", "utf-16-bom"],
)
def test_the_encoding_is_detected(write_csv: WriteCsv, data: bytes, expected: str) -> None:
    path = write_csv(data)
    assert detect_encoding(path).name == expected
    rows = list(open_csv(path).records())
    assert [r.values["name"] for r in rows] == (["Ada"] if b"Ada" in data else ["김민지", "홍길동"])


def test_a_given_encoding_wins_and_a_bad_one_is_named(write_csv: WriteCsv) -> None:
    path = write_csv(KOREAN.encode("cp949"))
    assert open_csv(path, "euc-kr").encoding.name == "cp949"
    with pytest.raises(InputError, match=r"--encoding: expected a codec name.*'klingon'"):
        open_csv(path, "klingon")


def test_mixed_encodings_are_refused_and_a_given_encoding_marks_the_foreign_rows(write_csv: WriteCsv) -> None:
    data = KOREAN.encode("utf-8") + "park@example.org,박지성\n".encode("cp949")
    path = write_csv(data, name="mixed.csv")
    with pytest.raises(InputError) as raised:
        open_csv(path)
    assert str(raised.value) == (
        "mixed.csv: not UTF-8 or CP949 (line 4 is not UTF-8, line 2 is not CP949); "
        "give the file's encoding with --encoding"
    ).replace("mixed.csv", str(path))
    source = open_csv(path, "utf-8")
    rows = list(source.records())
    assert [(r.line, r.undecodable) for r in rows] == [(2, False), (3, False), (4, True)]
    assert rows[0].values["name"] == "김민지"


def test_the_short_cp949_file_of_the_issue_is_korean_not_big5(write_csv: WriteCsv) -> None:
    path = write_csv("email,name\nminsu@example.org,김민수\n".encode("cp949"))
    source = open_csv(path)
    assert (source.encoding.name, source.encoding.detected) == ("cp949", True)
    (row,) = source.records()
    assert row.values["name"] == "김민수"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(write_csv: WriteCsv, codec: str) -> None:
    bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[codec]
    source = open_csv(write_csv(bom + KOREAN.encode(codec)))
    assert source.encoding.name == "utf-16"
    assert [r.values["name"] for r in source.records()] == ["김민지", "홍길동"]


@pytest.mark.parametrize(
    ("name", "codec", "line", "message"),
    [
        ("林志玲", "big5", 2, "not UTF-8 or CP949; give the file's encoding with --encoding"),
        ("陳大文", "big5", 2, "not UTF-8; as CP949 it has rare characters outside KS X 1001 (쨓)"),
        ("山田太郎", "shift_jis", 2, "as CP949 it has rare characters outside KS X 1001"),
        ("José", "latin-1", 2, "not UTF-8 or CP949; give the file's encoding with --encoding"),
        ("Åsa", "latin-1", 2, "as CP949 it has rare characters outside KS X 1001 (흒)"),
        ("똠방각하", "cp949", 2, "give the file's encoding with --encoding (cp949 if it is Korean)"),
    ],
)
def test_legacy_encodings_are_never_guessed(
    write_csv: WriteCsv, name: str, codec: str, line: int, message: str
) -> None:
    path = write_csv(f"email,name\na@example.org,{name}\n".encode(codec), name="people.csv")
    with pytest.raises(InputError) as raised:
        open_csv(path)
    assert str(raised.value).startswith(f"{path}:{line}: ")
    assert message in str(raised.value)
    (row,) = open_csv(path, codec).records()
    assert row.values["name"] == name


def test_nul_bytes_ask_for_the_encoding_naming_the_line(write_csv: WriteCsv) -> None:
    path = write_csv(KOREAN.encode("utf-16-le"), name="people.csv")
    with pytest.raises(
        InputError, match=r"people.csv:1: a NUL byte: is this UTF-16 without a byte-order mark"
    ):
        open_csv(path)
    assert [r.values["name"] for r in open_csv(path, "utf-16-le").records()] == ["김민지", "홍길동"]
    stray = write_csv(b"email,name\na@example.org,Ada\nb@example.org,B\x00b\n", name="stray.csv")
    with pytest.raises(InputError, match=r"stray.csv:3: a NUL byte"):
        open_csv(stray)


def test_an_open_quote_marks_its_row_and_names_the_lines_it_swallowed(write_csv: WriteCsv) -> None:
    text = 'email,name\na@example.org,"Ada\nb@example.org,Bob\nc@example.org,"Cee"\nd@example.org,D\n'
    rows = list(open_csv(write_csv(text)).records())
    assert [(r.line, r.last_line, r.broken) for r in rows] == [(2, 4, "name"), (5, 5, None)]
    assert [(s.line, s.text) for s in rows[0].swallowed] == [
        (3, "b@example.org,Bob"),
        (4, 'c@example.org,Cee"'),
    ]


def test_an_open_quote_in_an_ignored_column_still_names_the_swallowed_addresses(write_csv: WriteCsv) -> None:
    text = 'email,notes,name\na@example.org,"called twice,Ada\nb@example.org,,Bob\n'
    (row,) = open_csv(write_csv(text)).records()
    assert (row.broken, [s.line for s in row.swallowed]) == ("notes", [3])


def test_a_multi_line_note_without_addresses_is_kept(write_csv: WriteCsv) -> None:
    text = 'email,notes,name\na@example.org,"first call\nsecond call",Ada\nb@example.org,,Bob\n'
    rows = list(open_csv(write_csv(text)).records())
    assert [(r.line, r.broken, r.values["name"]) for r in rows] == [(2, None, "Ada"), (4, None, "Bob")]


def test_a_cell_past_the_csv_limit_is_one_error_naming_the_line(write_csv: WriteCsv) -> None:
    path = write_csv('email,name\na@example.org,A\nb@example.org,"' + "x" * 200_000 + "\n", name="long.csv")
    with pytest.raises(
        InputError, match=r"long.csv:3: a cell longer than 131,072 characters: is a quote left open"
    ):
        list(open_csv(path).records())


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
