"""CSV import: every row checked, every problem reported, the store changed all at once or not at all.

Rows are read as a stream and applied in chunks with bulk statements, inside one transaction:
a crash, an error or Ctrl-C part-way through leaves the store as it was, and ``dry_run``
runs the very same work and rolls it back. An import adds and updates active subscribers
only: it never re-activates an address that unsubscribed, bounced, complained or was erased.

Nothing is lost without a word: every line that holds an address is imported or named in the
report. A row a quote left open is rejected, and so is each later line it swallowed that holds
an address (listmonk, too, rejects such a row; re-reading the swallowed lines would mean guessing
where the quote should have closed). A language we do not send in is not a reason to lose the
address: the row is imported in the default locale and the report carries a warning.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from newsletter.config import Config
from newsletter.errors import InputError
from newsletter.store import Database, Session, audience
from newsletter.store.audience import KnownSubscriber, NewSubscriber, Via, email_hash, get_list
from newsletter.store.schema import SubscriberStatus, utcnow
from newsletter.subscribers.address import Address, AddressError, clean_name, normalize_locale, parse_address
from newsletter.subscribers.csvfile import Record, open_csv, printable
from newsletter.subscribers.export import FORMULA_STARTS, safe_cell

logger = logging.getLogger(__name__)

#: Rows applied per round of bulk statements: small enough for every database's parameter limit.
CHUNK_ROWS = 2000
_LIST_SEPARATORS = str.maketrans({";": ",", "|": ","})


@dataclass(frozen=True, slots=True, kw_only=True)
class RowProblem:
    """A row the import rejected, or a note about one it matched in the store."""

    line: int
    """The line the row starts on (the header is line 1)."""
    field: str
    value: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportReport:
    """What an import did, or (with ``dry_run``) would do."""

    path: str
    encoding: str
    list_name: str
    dry_run: bool
    rows: int
    """Rows read, not counting the header and blank lines; each line a broken row swallowed is one."""
    added: int
    updated: int
    unchanged: int
    rejected: int
    errors: tuple[RowProblem, ...]
    """One entry per rejected row."""
    existing: tuple[RowProblem, ...]
    """Rows whose address is already in the store (updated or unchanged)."""
    warnings: tuple[RowProblem, ...] = ()
    """Rows imported with a change the operator should know of (a language we do not send in)."""
    ignored_columns: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Row:
    """A row that passed every check that needs no database."""

    line: int
    email: str
    key: str
    name: str | None
    """None when the file gives no name: an existing subscriber keeps theirs."""
    locale: str | None
    list_ids: frozenset[int]
    foreign_locale: str | None = None
    """The file's locale cell when it names no language we send in: the row gets a warning."""


class _DryRun(Exception):  # noqa: N818 - a signal to roll back, not an error.
    def __init__(self, report: ImportReport) -> None:
        self.report = report


def import_csv(
    db: Database,
    path: str | Path,
    *,
    list_name: str,
    config: Config,
    encoding: str | None = None,
    dry_run: bool = False,
    consent_source: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Import ``path`` into the list ``list_name`` in one transaction; see the module docstring.

    Raises :class:`InputError` for a file that cannot be read at all (empty, no ``email``
    column, unknown encoding); problems with single rows are reported, not raised.
    """
    source = open_csv(Path(path), encoding)
    try:
        with db.transaction() as session:
            run = _Import(session, source.path, list_name, config, consent_source)
            for chunk in _chunks(source.records(), chunk_rows):
                run.apply(chunk)
            report = run.report(encoding=source.encoding.name, ignored=source.ignored, dry_run=dry_run)
            if dry_run:
                raise _DryRun(report)
    except _DryRun as rolled_back:
        return rolled_back.report
    logger.info(
        "imported %s: %d added, %d updated, %d unchanged, %d rejected",
        path,
        report.added,
        report.updated,
        report.unchanged,
        report.rejected,
    )
    return report


def write_errors(report: ImportReport, out: Path) -> None:
    """The rejected rows as CSV (line, field, value, reason), safe to open in a spreadsheet."""
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "field", "value", "reason"])
        for problem in report.errors:
            writer.writerow(
                [problem.line, problem.field, safe_cell(problem.value), safe_cell(problem.reason)]
            )


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while chunk := list(islice(records, size)):
        yield chunk


@dataclass
class _Import:
    """One import's running state: the checks, the counts and the problems found so far."""

    session: Session
    path: Path
    list_name: str
    config: Config
    consent_source: str | None
    now: datetime = field(default_factory=utcnow)
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    existing: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    """Each address key read so far, with the line it was first on."""

    def __post_init__(self) -> None:
        self.target = get_list(self.session, self.list_name)
        self.lists = {item.name: item for item in audience.all_lists(self.session)}
        locales = self.config.newsletter.locales
        self.default_locale = (
            self.target.default_locale
            if self.target.default_locale in locales
            else self.config.newsletter.default_locale
        )
        self.consent = self.consent_source or f"import of {self.path.name}"
        # Most stores have no erased address yet: then no row needs hashing.
        self.any_suppressed = audience.any_suppressed(self.session)

    def report(self, *, encoding: str, ignored: tuple[str, ...], dry_run: bool) -> ImportReport:
        return ImportReport(
            path=str(self.path),
            encoding=encoding,
            list_name=self.list_name,
            dry_run=dry_run,
            rows=self.rows,
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=len(self.errors),
            errors=tuple(sorted(self.errors, key=lambda problem: problem.line)),
            existing=tuple(sorted(self.existing, key=lambda problem: problem.line)),
            warnings=tuple(sorted(self.warnings, key=lambda problem: problem.line)),
            ignored_columns=ignored,
        )

    def apply(self, records: list[Record]) -> None:
        """Check a chunk of records, then write its new and changed subscribers in bulk."""
        # A line a broken row swallowed is a row to the operator, and is reported as one.
        self.rows += sum(1 + len(record.swallowed) for record in records)
        rows = [row for row in map(self._check, records) if row is not None]
        if not rows:
            return
        suppressed = self._suppressed(rows)
        known = self._known(rows)
        joined = self._joined([item.id for item in known.values()])
        fresh: list[_Row] = []
        changes: list[dict[str, Any]] = []
        memberships: list[tuple[int, int]] = []
        for row in rows:
            if row.key in suppressed:
                self._reject(row.line, "email", row.email, "the address was erased; it is never added again")
            elif row.key not in known:
                fresh.append(row)
                self._warn_locale(row, f"subscribed in {self.default_locale}, the list's default")
            else:
                self._merge(row, known[row.key], joined, changes, memberships)
        self._insert(fresh)
        audience.update_details(self.session, changes)
        audience.join_many(self.session, memberships, at=self.now)

    def _check(self, record: Record) -> _Row | None:
        """The row made ready to store, or None after recording why it was rejected."""
        raw = _unescaped(record.values.get("email", ""))
        if record.broken is not None:
            self._reject_broken(record, raw)
            return None
        try:
            if record.undecodable:
                raise _Rejected("email", raw, "some bytes are not valid text in this file's encoding")
            address = self._address(raw)
            name = self._name(record)
            locale = self._locale(record)
            foreign = record.values.get("locale", "").strip() if locale is None else ""
            list_ids = self._list_ids(record)
            first = self.seen.setdefault(address.key, record.line)
            if first != record.line:
                raise _Rejected("email", raw, f"duplicate: the same address is on line {first}")
        except _Rejected as problem:
            self._reject(record.line, problem.field, problem.value, problem.reason)
            return None
        return _Row(
            line=record.line,
            email=address.email,
            key=address.key,
            name=name,
            locale=locale,
            list_ids=list_ids,
            foreign_locale=foreign or None,
        )

    def _reject_broken(self, record: Record, email: str) -> None:
        """Reject a row a quote left open, and name every line it swallowed that holds an address."""
        lines = f"lines {record.line}–{record.last_line}"
        reason = (
            f"the {record.broken} cell runs over {lines}: a quote left open, or a line break in a cell; "
            "fix it and import the row again"
        )
        self._reject(record.line, "email", email.splitlines()[0] if email else "", reason)
        for line in record.swallowed:
            self._reject(
                line.line,
                "email",
                line.text,
                f"read into the {record.broken} cell of line {record.line}, whose quote is left open; "
                "fix it and import the row again",
            )

    @staticmethod
    def _address(raw: str) -> Address:
        try:
            return parse_address(raw)
        except AddressError as error:
            raise _Rejected("email", raw, error.reason) from None

    def _name(self, record: Record) -> str | None:
        raw = _unescaped(record.values.get("name", ""))
        try:
            return clean_name(raw) or None
        except InputError as error:
            raise _Rejected("name", raw, _without_field(error, "name")) from None

    def _locale(self, record: Record) -> str | None:
        raw = record.values.get("locale", "")
        if not raw.strip():
            return None
        return normalize_locale(raw, self.config.newsletter.locales)

    def _list_ids(self, record: Record) -> frozenset[int]:
        raw = record.values.get("lists", "")
        ids = {self.target.id}
        for cell in raw.translate(_LIST_SEPARATORS).split(","):
            name = cell.strip()
            if not name:
                continue
            if name not in self.lists:
                raise _Rejected("lists", raw, f"no list named {name!r}; create it first")
            ids.add(self.lists[name].id)
        return frozenset(ids)

    def _warn_locale(self, row: _Row, outcome: str) -> None:
        if row.foreign_locale is None:
            return
        sent = ", ".join(self.config.newsletter.locales)
        reason = f"not a language this newsletter is sent in ({sent}): {outcome}"
        self.warnings.append(
            RowProblem(line=row.line, field="locale", value=printable(row.foreign_locale), reason=reason)
        )

    def _reject(self, line: int, column: str, value: str, reason: str) -> None:
        self.errors.append(RowProblem(line=line, field=column, value=printable(value), reason=reason))

    def _merge(
        self,
        row: _Row,
        known: KnownSubscriber,
        joined: set[tuple[int, int]],
        changes: list[dict[str, Any]],
        memberships: list[tuple[int, int]],
    ) -> None:
        """Update an address already in the store, unless it left: an import never re-activates."""
        if known.status != SubscriberStatus.ACTIVE.value:
            since = known.status_changed_at.date().isoformat()
            self._reject(
                row.line,
                "email",
                row.email,
                f"the address is {known.status} (since {since}); an import never re-activates it",
            )
            return
        self._warn_locale(row, f"kept their language, {known.locale}")
        change: dict[str, Any] = {}
        if row.name is not None and row.name != known.name:
            change["name"] = row.name
        if row.locale is not None and row.locale != known.locale:
            change["locale"] = row.locale
        missing = [lid for lid in sorted(row.list_ids) if (known.id, lid) not in joined]
        memberships += [(known.id, lid) for lid in missing]
        if change:
            changes.append({"id": known.id, **change})
        if change or missing:
            self.updated += 1
            what = ", ".join([*change, *(["lists"] if missing else [])])
            note = f"already in the store as {known.email}: updated {what}"
        else:
            self.unchanged += 1
            note = f"already in the store as {known.email}: nothing to change"
        self.existing.append(RowProblem(line=row.line, field="email", value=row.email, reason=note))

    def _insert(self, rows: list[_Row]) -> None:
        """Insert new subscribers with their consent, first status and memberships."""
        audience.subscribe_many(
            self.session,
            [
                NewSubscriber(
                    email=row.email,
                    key=row.key,
                    name=row.name or "",
                    locale=row.locale or self.default_locale,
                    list_ids=tuple(sorted(row.list_ids)),
                )
                for row in rows
            ],
            consent_source=self.consent,
            at=self.now,
            via=Via.IMPORT,
        )
        self.added += len(rows)

    def _suppressed(self, rows: list[_Row]) -> set[str]:
        if not self.any_suppressed:
            return set()
        hashes = {email_hash(row.key): row.key for row in rows}
        found = audience.suppressed_among(self.session, list(hashes))
        return {hashes[digest] for digest in found}

    def _known(self, rows: list[_Row]) -> dict[str, KnownSubscriber]:
        return audience.known_by_key(self.session, [row.key for row in rows])

    def _joined(self, subscriber_ids: Iterable[int]) -> set[tuple[int, int]]:
        return audience.memberships_of(self.session, list(subscriber_ids))


def _unescaped(cell: str) -> str:
    """``cell`` without the apostrophe an export puts before a formula-like value, so exports re-import."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _without_field(error: InputError, column: str) -> str:
    """The message of ``error`` without its ``field:`` prefix: the report has a field column."""
    return str(error).removeprefix(f"{column}: ")


class _Rejected(Exception):  # noqa: N818 - a row's verdict, caught a few lines up.
    def __init__(self, column: str, value: str, reason: str) -> None:
        self.field = column
        self.value = value
        self.reason = reason
        super().__init__(reason)
