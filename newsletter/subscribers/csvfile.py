"""Reading an operator's CSV file: its encoding, its header and its records, with line numbers.

Files come from spreadsheets: UTF-8 with or without a byte-order mark, UTF-16 with one, or a
Korean Excel export in CP949. The encoding is never guessed from statistics, which read a short
CP949 file as Big5 and stored 김민수 as 梯團熱. Unless the operator gives it, the file is read as
what its bytes allow: a byte-order mark, else UTF-8 when every line is valid UTF-8, else CP949
when every line is valid EUC-KR (KS X 1001, the repertoire of Korean text; CP949 only adds rare
syllables, and other East Asian encodings decode as CP949 only through those). Anything else is
refused with one line that asks for ``--encoding``.

A record whose cell runs over several lines is marked: a quote left open swallows the lines
after it, addresses included, so those lines are named too (see :class:`Record`).
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from newsletter.errors import InputError

logger = logging.getLogger(__name__)

#: The columns the importer reads, by every header spelling it accepts (English and Korean).
COLUMNS: dict[str, str] = {
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "이메일": "email",
    "name": "name",
    "이름": "name",
    "locale": "locale",
    "language": "locale",
    "lang": "locale",
    "언어": "locale",
    "list": "lists",
    "lists": "lists",
    "목록": "lists",
}

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Korean Windows writes CP949, a superset of EUC-KR; reading EUC-KR as CP949 loses nothing.
_WIDER = {"euc_kr": "cp949", "euc-kr": "cp949", "ks_c_5601-1987": "cp949"}
_ESCAPED = re.compile(r"[\udc80-\udcff]")
# The line breaks that end a line for Python's text files, and so for the csv module's line_num.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Loose on purpose: anything that may be an address on a swallowed line is reported, never dropped.
_ADDRESS_LIKE = re.compile(r"[^\s,;\"'<>()@]+@[^\s,;\"'<>()@]+")
_MAX_SHOWN = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class Encoding:
    """How the file's bytes become text."""

    name: str
    """A Python codec name, e.g. ``utf-8-sig`` or ``cp949``."""
    detected: bool
    """False when the operator gave it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Swallowed:
    """A line inside a multi-line record that holds something that looks like an address."""

    line: int
    text: str
    """The line's text, shortened for a report."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One CSV record (which may span several lines when a quoted cell holds a newline)."""

    line: int
    """The line the record starts on; the header is line 1."""
    last_line: int
    values: dict[str, str]
    """The cells of the known columns, by column."""
    undecodable: bool
    """True when some of its bytes were not valid in the file's encoding."""
    broken: str | None = None
    """The column whose cell runs over several lines, when the record cannot be trusted: a known
    column holds a line break, or a later line that looks like an address was read into a cell.
    Either is how a quote left open shows itself."""
    swallowed: tuple[Swallowed, ...] = ()
    """The lines after the first that hold something like an address, when ``broken``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CsvFile:
    """An open view of a CSV file: its encoding, columns and a stream of records."""

    path: Path
    encoding: Encoding
    columns: tuple[str, ...]
    """The known columns present, in the file's order."""
    ignored: tuple[str, ...]
    """Header cells that are not a known column: reported, never an error."""
    delimiter: str

    def records(self) -> Iterator[Record]:
        """The records after the header, streamed: memory stays flat whatever the file's size."""
        with self.path.open(encoding=self.encoding.name, errors="surrogateescape", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            header = _header(reader) or []
            positions = _positions(header, self.path)
            names = [cell.strip() or f"column {index + 1}" for index, cell in enumerate(header)]
            line = reader.line_num + 1
            try:
                for cells in reader:
                    if any(cell.strip() for cell in cells):
                        yield _record(cells, positions, names, line, reader.line_num)
                    line = reader.line_num + 1
            except csv.Error as error:
                raise InputError(_csv_problem(error), source=str(self.path), line=line) from None


def open_csv(path: Path, encoding: str | None = None) -> CsvFile:
    """Check the file's encoding and header; records are read later, by :meth:`CsvFile.records`."""
    chosen = _given(encoding) if encoding else detect_encoding(path)
    with path.open(encoding=chosen.name, errors="surrogateescape", newline="") as handle:
        first = ""
        for text in handle:
            if text.strip():
                first = text
                break
        if not first:
            raise InputError(
                "the file is empty; expected a header row with an 'email' column", source=str(path)
            )
        delimiter = _delimiter(first)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = _header(reader) or []
        except csv.Error as error:
            raise InputError(_csv_problem(error), source=str(path), line=reader.line_num) from None
        line = reader.line_num
    positions = _positions(header, path)
    if "email" not in positions:
        found = ", ".join(repr(printable(cell)) for cell in header)
        raise InputError(f"header: expected an 'email' column, found {found}", source=str(path), line=line)
    ignored = tuple(printable(cell.strip()) for cell in header if _column(cell) is None and cell.strip())
    columns = tuple(sorted(positions, key=positions.__getitem__))
    return CsvFile(path=path, encoding=chosen, columns=columns, ignored=ignored, delimiter=delimiter)


def detect_encoding(path: Path) -> Encoding:
    """The encoding the bytes allow, by the rules of the module docstring, or an :class:`InputError`."""
    with path.open("rb") as handle:
        head = handle.read(4)
        for bom, name in _BOMS:
            if head.startswith(bom):
                return Encoding(name=name, detected=True)
        handle.seek(0)
        name = _scan(handle, str(path))
    logger.info("%s: read as %s", path, name)
    return Encoding(name=name, detected=True)


def has_escapes(text: str) -> bool:
    """True when ``text`` holds bytes that did not decode (kept as surrogate escapes)."""
    return _ESCAPED.search(text) is not None


def printable(text: str) -> str:
    """``text`` with undecodable bytes shown as U+FFFD, for reports."""
    return _ESCAPED.sub("\ufffd", text)


def _scan(handle: BinaryIO, source: str) -> str:
    """``utf-8`` or ``cp949`` when every line is valid in it, else the error naming the lines that are not."""
    not_utf8 = _first_failure(handle, source, "utf-8")
    if not_utf8 is None:
        return "utf-8"
    handle.seek(0)
    rare: tuple[int, str] | None = None
    for number, raw in _non_ascii_lines(handle, source):
        if _decodes(raw, "euc_kr"):
            continue
        if not _decodes(raw, "cp949"):
            where = (
                "" if number == not_utf8 else f" (line {not_utf8} is not UTF-8, line {number} is not CP949)"
            )
            raise InputError(
                f"not UTF-8 or CP949{where}; give the file's encoding with --encoding",
                source=source,
                line=not_utf8 if number == not_utf8 else None,
            )
        rare = rare or (number, _rare(raw.decode("cp949")))
    if rare is not None:
        number, characters = rare
        raise InputError(
            f"not UTF-8; as CP949 it has rare characters outside KS X 1001 ({characters}), as Big5 or "
            "Shift-JIS text would; give the file's encoding with --encoding (cp949 if it is Korean)",
            source=source,
            line=number,
        )
    return "cp949"


def _first_failure(handle: BinaryIO, source: str, codec: str) -> int | None:
    """The first line that is not valid in ``codec``, or None."""
    for number, raw in _non_ascii_lines(handle, source):
        if not _decodes(raw, codec):
            return number
    return None


def _non_ascii_lines(handle: BinaryIO, source: str) -> Iterator[tuple[int, bytes]]:
    """The lines that hold a byte above 127, numbered; a NUL byte anywhere stops the import."""
    for number, raw in enumerate(handle, start=1):
        if b"\x00" in raw:
            # ASCII in UTF-16 is half NUL bytes; no spreadsheet writes NUL into UTF-8 or CP949 text.
            raise InputError(
                "a NUL byte: is this UTF-16 without a byte-order mark? "
                "give the file's encoding with --encoding (e.g. utf-16-le)",
                source=source,
                line=number,
            )
        if not raw.isascii():
            yield number, raw


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _rare(text: str) -> str:
    """The characters of ``text`` that CP949 has and EUC-KR has not, for the error message."""
    found = [char for char in text if not char.isascii() and not _decodes(char.encode("cp949"), "euc_kr")]
    return "".join(dict.fromkeys(found))[:10]


def _given(name: str) -> Encoding:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise InputError(f"--encoding: expected a codec name such as utf-8 or cp949, got {name!r}") from None
    return Encoding(name=_WIDER.get(codec, codec), detected=False)


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        # The csv module's limit keeps a quote left open from reading the rest of the file into memory.
        return (
            f"a cell longer than {csv.field_size_limit():,} characters: is a quote left open "
            "on this line? (the rest of the file ran into one cell)"
        )
    return f"unreadable CSV: {text}"


def _delimiter(header: str) -> str:
    # Excel in some locales writes ';' or tabs; a header with no comma tells us which.
    if "," in header:
        return ","
    for candidate in (";", "\t"):
        if candidate in header:
            return candidate
    return ","


def _column(cell: str) -> str | None:
    return COLUMNS.get(" ".join(cell.replace("\ufeff", "").split()).lower())


def _header(reader: Iterator[list[str]]) -> list[str] | None:
    """The first row with any text: blank lines before the header are skipped."""
    for cells in reader:
        if any(cell.strip() for cell in cells):
            return cells
    return None


def _positions(header: list[str], path: Path) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = _column(cell)
        if column is None:
            continue
        if column in positions:
            raise InputError(
                f"header: expected one {column!r} column, found it in cells {positions[column] + 1} "
                f"and {index + 1}",
                source=str(path),
            )
        positions[column] = index
    return positions


def _record(
    cells: list[str], positions: dict[str, int], names: list[str], line: int, last_line: int
) -> Record:
    values = {column: cells[index] if index < len(cells) else "" for column, index in positions.items()}
    record = Record(
        line=line,
        last_line=last_line,
        values=values,
        undecodable=any(has_escapes(cell) for cell in values.values()),
    )
    if last_line == line:
        return record
    return _check_span(record, cells, positions, names)


def _check_span(record: Record, cells: list[str], positions: dict[str, int], names: list[str]) -> Record:
    """Mark a multi-line record broken when a known cell breaks or a later line looks like an address.

    A line break in a note (an ignored column) is common and harmless, so such a record stays
    whole unless the lines it read hold an address: those would otherwise vanish into the note.
    """
    known = {index: column for column, index in positions.items()}
    first_break: str | None = None
    known_break: str | None = None
    later: dict[int, list[str]] = {}
    line = record.line
    for index, cell in enumerate(cells):
        pieces = _LINE_BREAK.split(cell)
        if len(pieces) > 1:
            label = known.get(index) or (names[index] if index < len(names) else f"cell {index + 1}")
            first_break = first_break or label
            known_break = known_break or known.get(index)
        for offset, piece in enumerate(pieces):
            if line + offset > record.line:
                later.setdefault(line + offset, []).append(piece)
        line += len(pieces) - 1
    swallowed = tuple(
        Swallowed(line=number, text=printable(",".join(pieces).strip())[:_MAX_SHOWN])
        for number, pieces in later.items()
        if any(_ADDRESS_LIKE.search(piece) for piece in pieces)
    )
    broken = known_break or (first_break if swallowed else None)
    if broken is None:
        return record
    return Record(
        line=record.line,
        last_line=record.last_line,
        values=record.values,
        undecodable=record.undecodable,
        broken=broken,
        swallowed=swallowed,
    )
