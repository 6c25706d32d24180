"""Reading an operator's CSV file: its encoding, its header and its records, with line numbers.

Files come from spreadsheets: UTF-8 with or without a byte-order mark, or a Korean Excel
export in CP949 (EUC-KR). The encoding is detected unless given. A file that mixes UTF-8
with another encoding is read as UTF-8, and each record that does not decode is reported on
its own instead of being turned into mojibake.
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

import charset_normalizer

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

#: How much of the undecodable text the detector sees: enough to be sure, little enough to be quick.
_SAMPLE_BYTES = 1 << 20
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Korean Windows writes CP949, a superset of EUC-KR; reading EUC-KR as CP949 loses nothing.
_WIDER = {"euc_kr": "cp949", "euc-kr": "cp949", "ks_c_5601-1987": "cp949"}
_ESCAPED = re.compile(r"[\udc80-\udcff]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Encoding:
    """How the file's bytes become text."""

    name: str
    """A Python codec name, e.g. ``utf-8-sig`` or ``cp949``."""
    detected: bool
    """False when the operator gave it."""
    mixed: bool = False
    """True when some lines are UTF-8 and others are not."""


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
            header = _header(reader)
            positions = _positions(header or [], self.path)
            line = reader.line_num + 1
            try:
                for cells in reader:
                    if any(cell.strip() for cell in cells):
                        yield _record(cells, positions, line, reader.line_num)
                    line = reader.line_num + 1
            except csv.Error as error:
                raise InputError(f"unreadable CSV: {error}", source=str(self.path), line=line) from None


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
        header = _header(reader) or []
        line = reader.line_num
    positions = _positions(header, path)
    if "email" not in positions:
        found = ", ".join(repr(cell) for cell in header)
        raise InputError(f"header: expected an 'email' column, found {found}", source=str(path), line=line)
    ignored = tuple(printable(cell.strip()) for cell in header if _column(cell) is None and cell.strip())
    columns = tuple(sorted(positions, key=positions.__getitem__))
    return CsvFile(path=path, encoding=chosen, columns=columns, ignored=ignored, delimiter=delimiter)


def detect_encoding(path: Path) -> Encoding:
    """UTF-8 (with or without BOM) when the bytes say so, else charset-normalizer's best guess."""
    with path.open("rb") as handle:
        head = handle.read(4)
        for bom, name in _BOMS:
            if head.startswith(bom):
                return Encoding(name=name, detected=True)
        handle.seek(0)
        utf8_lines, sample = _scan(handle)
    if not sample:
        return Encoding(name="utf-8", detected=True)
    if utf8_lines:
        return Encoding(name="utf-8", detected=True, mixed=True)
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        raise InputError(
            "cannot tell the file's encoding; give it with --encoding (e.g. utf-8 or cp949)", source=str(path)
        )
    name = _WIDER.get(best.encoding, best.encoding)
    logger.info("%s: detected encoding %s", path, name)
    return Encoding(name=name, detected=True)


def has_escapes(text: str) -> bool:
    """True when ``text`` holds bytes that did not decode (kept as surrogate escapes)."""
    return _ESCAPED.search(text) is not None


def printable(text: str) -> str:
    """``text`` with undecodable bytes shown as U+FFFD, for reports."""
    return _ESCAPED.sub("\ufffd", text)


def _scan(handle: BinaryIO) -> tuple[int, bytes]:
    """Count the non-ASCII lines that are UTF-8, and gather the lines that are not."""
    utf8_lines = 0
    sample = bytearray()
    for raw in handle:
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            if len(sample) < _SAMPLE_BYTES:
                sample += raw
        else:
            utf8_lines += 1
    return utf8_lines, bytes(sample)


def _given(name: str) -> Encoding:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise InputError(f"--encoding: expected a codec name such as utf-8 or cp949, got {name!r}") from None
    return Encoding(name=_WIDER.get(codec, codec), detected=False)


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


def _record(cells: list[str], positions: dict[str, int], line: int, last_line: int) -> Record:
    values = {column: cells[index] if index < len(cells) else "" for column, index in positions.items()}
    return Record(
        line=line,
        last_line=last_line,
        values=values,
        undecodable=any(has_escapes(cell) for cell in values.values()),
    )
