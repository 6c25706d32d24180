"""Bad CSV files through ``newsletter subscribers import``, on SQLite and PostgreSQL: one table.

A file that cannot be read is one line naming the file (and line) and what was expected, a
non-zero exit and nothing changed: no row, no errors file. A file that can be read is imported,
and every physical line that holds an address is either in the store or named in the report.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from newsletter.config import Config
from newsletter.store import Database, audience
from newsletter.store.schema import Subscriber
from newsletter.subscribers.importer import import_csv
from tests.support import state_snapshot

from .conftest import Run

CSV_LIMIT = "131,072"
_ADDRESS = re.compile(r"[^\s,;\"'<>()@]+@[^\s,;\"'<>()@]+")


@dataclass(frozen=True)
class Case:
    data: bytes
    error: str | None = None
    """The one line printed, with ``{path}`` for the file; None when the file is imported."""
    args: tuple[str, ...] = ()
    added: int = 0
    rejected: tuple[tuple[int, str], ...] = ()
    """(line, a part of the reason) of each rejected row."""
    warned: tuple[tuple[int, str], ...] = ()
    stored: dict[str, tuple[str, str]] = field(default_factory=dict)
    """email → (name, locale) of subscribers that must be in the store afterwards."""


def _rows(count: int) -> str:
    return "".join(f"u{i}@example.org,User {i}\n" for i in range(count))


CASES = [
    pytest.param(
        Case(data=b"", error="{path}: the file is empty; expected a header row with an 'email' column"),
        id="empty file",
    ),
    pytest.param(Case(data=b"email,name,locale,lists\r\n"), id="header only"),
    pytest.param(
        Case(
            data=b"name,locale\nAda,en\n",
            error="{path}:1: header: expected an 'email' column, found 'name', 'locale'",
        ),
        id="no email column",
    ),
    pytest.param(
        Case(
            data=b"email,name,E-Mail\na@example.org,A,b@example.org\n",
            error="{path}: header: expected one 'email' column, found it in cells 1 and 3",
        ),
        id="duplicate columns",
    ),
    pytest.param(
        Case(
            data=b'email,name\nada@example.org,Ada\nbob@example.org,"Bob\ncho@example.org,Cho\n',
            added=1,
            rejected=(
                (3, "the name cell runs over lines 3–4: a quote left open"),
                (4, "read into the name cell of line 3, whose quote is left open"),
            ),
            stored={"ada@example.org": ("Ada", "en")},
        ),
        id="unclosed quote swallows the next row",
    ),
    pytest.param(
        Case(
            data=b'email,notes,name\na@example.org,"called,A\nb@example.org,,B\nc@example.org,"ok",C\n',
            rejected=(
                (2, "the notes cell runs over lines 2–4"),
                (3, "read into the notes cell of line 2"),
                (4, "read into the notes cell of line 2"),
            ),
        ),
        id="unclosed quote in an ignored column",
    ),
    pytest.param(
        Case(
            data=b'email,name\nada@example.org,"Ada\n' + _rows(20_000).encode(),
            error="{path}:2: a cell longer than " + CSV_LIMIT + " characters: is a quote left open on "
            "this line? (the rest of the file ran into one cell)",
        ),
        id="unclosed quote runs to the end of a big file",
    ),
    pytest.param(
        Case(
            data=(b"email,name\n" + _rows(2_500).encode() + b"z@example.org," + b"x" * (10 << 20) + b"\n"),
            error="{path}:2502: a cell longer than " + CSV_LIMIT + " characters: is a quote left open on "
            "this line? (the rest of the file ran into one cell)",
        ),
        id="10 MB line after a committed-sized chunk",
    ),
    pytest.param(
        Case(
            data="email,name\nminsu@example.org,김민수\n".encode("cp949"),
            added=1,
            stored={"minsu@example.org": ("김민수", "en")},
        ),
        id="short CP949 file of the issue",
    ),
    pytest.param(
        Case(
            data="email,name\na@example.org,林志玲\n".encode("big5"),
            error="{path}:2: not UTF-8 or CP949; give the file's encoding with --encoding",
        ),
        id="Big5",
    ),
    pytest.param(
        Case(
            data="email,name\na@example.org,陳大文\n".encode("big5"),
            error="{path}:2: not UTF-8; as CP949 it has rare characters outside KS X 1001 (쨓), as Big5 or "
            "Shift-JIS text would; give the file's encoding with --encoding (cp949 if it is Korean)",
        ),
        id="Big5 that CP949 decodes",
    ),
    pytest.param(
        Case(
            data="email,name\na@example.org,山田太郎\n".encode("shift_jis"),
            error="{path}:2: not UTF-8; as CP949 it has rare characters outside KS X 1001 (랹밹뫞쁚), as "
            "Big5 or Shift-JIS text would; give the file's encoding with --encoding (cp949 if it is Korean)",
        ),
        id="Shift-JIS",
    ),
    pytest.param(
        Case(
            data="email,name\na@example.org,José\n".encode("latin-1"),
            error="{path}:2: not UTF-8 or CP949; give the file's encoding with --encoding",
        ),
        id="Latin-1",
    ),
    pytest.param(
        Case(
            data="email,name\na@example.org,José\n".encode("latin-1"),
            args=("--encoding", "latin-1"),
            added=1,
            stored={"a@example.org": ("José", "en")},
        ),
        id="Latin-1 given",
    ),
    pytest.param(
        Case(
            data=b"email,name\na@example.org,A\n",
            args=("--encoding", "klingon"),
            error="--encoding: expected a codec name such as utf-8 or cp949, got 'klingon'",
        ),
        id="unknown encoding given",
    ),
    pytest.param(
        Case(
            data="email,name\na@example.org,김민지\n".encode("utf-16-le"),
            error="{path}:1: a NUL byte: is this UTF-16 without a byte-order mark? give the file's encoding "
            "with --encoding (e.g. utf-16-le)",
        ),
        id="UTF-16 without BOM",
    ),
    pytest.param(
        Case(
            data=codecs.BOM_UTF16_LE + "email,name\na@example.org,김민지\n".encode("utf-16-le"),
            added=1,
            stored={"a@example.org": ("김민지", "en")},
        ),
        id="UTF-16 with BOM",
    ),
    pytest.param(
        Case(
            data=b"email,name\na@example.org,A\nb@example.org,B\x00B\n",
            error="{path}:3: a NUL byte: is this UTF-16 without a byte-order mark? give the file's encoding "
            "with --encoding (e.g. utf-16-le)",
        ),
        id="NUL byte",
    ),
    pytest.param(
        Case(
            data="email,name\na@example.org,김민지\n".encode() + "b@example.org,박지성\n".encode("cp949"),
            error="{path}: not UTF-8 or CP949 (line 3 is not UTF-8, line 2 is not CP949); give the file's "
            "encoding with --encoding",
        ),
        id="UTF-8 and CP949 mixed",
    ),
    pytest.param(
        Case(
            data="email,name\na@example.org,김민지\n".encode() + "b@example.org,박지성\n".encode("cp949"),
            args=("--encoding", "utf-8"),
            added=1,
            rejected=((3, "some bytes are not valid text in this file's encoding"),),
            stored={"a@example.org": ("김민지", "en")},
        ),
        id="UTF-8 and CP949 mixed, UTF-8 given",
    ),
    pytest.param(
        Case(
            data=b"email,name\na@example.org,A\x07da\x1b[31m\x7f\n",
            added=1,
            stored={"a@example.org": ("A da [31m", "en")},
        ),
        id="control characters in names",
    ),
    pytest.param(
        Case(
            data=b'email,name\n"a@example.org\r\nBcc: eve@example.org",A\nb@example.org,B\n',
            added=1,
            rejected=((2, "the email cell runs over lines 2–3"), (3, "read into the email cell of line 2")),
            stored={"b@example.org": ("B", "en")},
        ),
        id="CR LF in an email",
    ),
    pytest.param(
        Case(
            data=b"email,locale\na@example.org,fr\nb@example.org,ko-KR\nc@example.org,en_GB.UTF-8\n",
            added=3,
            warned=((2, "not a language this newsletter is sent in (en, ko): subscribed in en"),),
            stored={"a@example.org": ("", "en"), "b@example.org": ("", "ko"), "c@example.org": ("", "en")},
        ),
        id="bad locale and locale tags",
    ),
    pytest.param(
        Case(
            data=b"email\nA@example.org\na@EXAMPLE.org\n",
            added=1,
            rejected=((3, "duplicate: the same address is on line 2"),),
        ),
        id="duplicate address",
    ),
    pytest.param(
        Case(
            data=b"email,name\na@example.org,=cmd|' /C calc'!A0\n",
            added=1,
            stored={"a@example.org": ("=cmd|' /C calc'!A0", "en")},
        ),
        id="formula in a name is kept as text",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_a_bad_file_is_one_clear_line_or_every_address_is_accounted_for(
    run: Run, db: Database, brief: str, tmp_path: Path, case: Case
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "people.csv"
    path.write_bytes(case.data)
    errors = folder / "errors.csv"
    before = state_snapshot(folder, db=db)
    args = ("subscribers", "import", str(path), "--list", brief, "--errors-out", str(errors), "--json")
    result = run(*args, *case.args, ok=case.error is None)
    if case.error is not None:
        assert result.stdout == ""
        assert result.stderr == f"error: {case.error.format(path=path)}\n"
        assert state_snapshot(folder, db=db) == before
        return
    report = json.loads(result.stdout)
    assert report["added"] == case.added
    _assert_problems(report["errors"], case.rejected)
    _assert_problems(report["warnings"], case.warned)
    stored = _stored(db)
    assert {email: stored[email] for email in case.stored} == case.stored
    _every_address_line_is_accounted_for(path, report, stored)


def _assert_problems(problems: list[dict[str, Any]], expected: tuple[tuple[int, str], ...]) -> None:
    """The problems are on the expected lines, in order, each with the expected part in its reason."""
    assert [problem["line"] for problem in problems] == [line for line, _ in expected]
    for problem, (_, part) in zip(problems, expected, strict=True):
        assert part in problem["reason"], problem


def _stored(db: Database) -> dict[str, tuple[str, str]]:
    with db.transaction() as session:
        rows = session.execute(select(Subscriber.email_key, Subscriber.name, Subscriber.locale))
        return {key: (name, locale) for key, name, locale in rows}


def _every_address_line_is_accounted_for(
    path: Path, report: dict[str, Any], stored: dict[str, tuple[str, str]]
) -> None:
    """Each physical line after the header that holds an address is in the store or in the report."""
    text = path.read_bytes().decode(report["encoding"], errors="surrogateescape")
    named = {problem["line"] for kind in ("errors", "existing", "warnings") for problem in report[kind]}
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        found = [match.lower() for match in _ADDRESS.findall(line)]
        if number == 1 or not found:
            continue
        assert number in named or any(address in stored for address in found), (number, line)


_CELLS = st.one_of(
    st.sampled_from(["Ada", "김민지", "", "en", "ko-KR", "fr", "a note", "=1+2"]),
    st.integers(0, 30).map(lambda i: f"u{i}@example.org"),
    st.sampled_from(
        ['"Lovelace, Ada"', '"two\nlines"', '"cr\rcell"', 'v@x.org"', '"Bob', 'Bob"', '""', '"', '"x""y"']
    ),
)
_ROWS = st.lists(st.lists(_CELLS, min_size=1, max_size=4), max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_ROWS, newline=st.sampled_from(["\n", "\r\n"]))
def test_no_address_line_is_ever_lost_whatever_the_quotes(
    tmp_path: Path, config: Config, rows: list[list[str]], newline: str
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / "people.csv"
    lines = ["email,name,locale,notes", *(",".join(cells) for cells in rows)]
    path.write_text(newline.join(lines) + newline, encoding="utf-8")
    db = Database(f"sqlite:///{folder / 'store.db'}")
    try:
        with db.transaction() as session:
            audience.ensure_list(session, "brief")
        report = import_csv(db, path, list_name="brief", config=config)
        _every_address_line_is_accounted_for(path, dataclasses.asdict(report), _stored(db))
    finally:
        db.dispose()
