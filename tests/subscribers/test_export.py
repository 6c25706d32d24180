"""Export: every subscriber once, formula-like cells neutralized, filters by list and status."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsletter.config import Config
from newsletter.store import Database, audience
from newsletter.store.schema import SubscriberStatus
from newsletter.subscribers.export import COLUMNS, export_csv, safe_cell
from newsletter.subscribers.importer import import_csv


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_neutralized(start: str) -> None:
    assert safe_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"


@given(st.text())
def test_safe_cells_never_start_a_formula_and_keep_the_text(value: str) -> None:
    cell = safe_cell(value)
    assert not cell.startswith(("=", "+", "-", "@"))
    assert cell.removeprefix("'") == value or cell == value


def _export(db: Database, **options: str) -> list[dict[str, str]]:
    out = io.StringIO()
    with db.transaction() as session:
        count = export_csv(session, out, **options)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == count
    return rows


def test_export_writes_each_subscriber_with_lists_and_neutralized_cells(db: Database) -> None:
    with db.transaction() as session:
        brief = audience.ensure_list(session, "brief")
        weekly = audience.ensure_list(session, "weekly")
        audience.subscribe(
            session,
            email="ada@example.org",
            name='=HYPERLINK("http://evil")',
            lists=[brief, weekly],
            consent_source="@import",
        )
        gone, _ = audience.subscribe(
            session, email="gone@example.org", name="-Gone", lists=[brief], consent_source="t"
        )
        audience.set_status(session, gone, SubscriberStatus.UNSUBSCRIBED, via="cli")
        audience.subscribe(
            session, email="+82@example.org", name="김민지", lists=[weekly], consent_source="t"
        )
    rows = _export(db)
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["email"], r["name"], r["lists"]) for r in rows] == [
        ("ada@example.org", '\'=HYPERLINK("http://evil")', "brief;weekly"),
        ("gone@example.org", "'-Gone", "brief"),
        ("'+82@example.org", "김민지", "weekly"),
    ]
    assert rows[0]["consent_source"] == "'@import"
    assert [r["email"] for r in _export(db, list_name="brief")] == ["ada@example.org", "gone@example.org"]
    assert [r["email"] for r in _export(db, status="unsubscribed")] == ["gone@example.org"]


def test_export_streams_more_rows_than_one_fetch(db: Database, config: Config, tmp_path: Path) -> None:
    with db.transaction() as session:
        audience.ensure_list(session, "brief")
    path = tmp_path / "many.csv"
    path.write_text("email\n" + "".join(f"u{i:04d}@example.org\n" for i in range(2_500)), encoding="utf-8")
    assert import_csv(db, path, list_name="brief", config=config).added == 2_500
    rows = _export(db, list_name="brief")
    assert [r["email"] for r in rows] == [f"u{i:04d}@example.org" for i in range(2_500)]
    assert {r["lists"] for r in rows} == {"brief"}


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Seoul", "2026-07-01 09:24"),
        ("UTC", "2026-07-01 00:24"),
        ("America/New_York", "2026-06-30 20:24"),
        ("Europe/London", "2026-07-01 01:24"),
    ],
)
def test_times_for_a_spreadsheet_are_in_the_display_zone(db: Database, zone: str, shown: str) -> None:
    at = datetime(2026, 7, 1, 0, 24, 51, tzinfo=UTC)
    with db.transaction() as session:
        audience.subscribe(session, email="ada@example.org", consent_source="t", at=at)
    out = io.StringIO()
    with db.transaction() as session:
        export_csv(session, out, timezone=ZoneInfo(zone))
    header, row = csv.reader(io.StringIO(out.getvalue()))
    assert header[-3:] == [f"consent_at ({zone})", f"status_changed_at ({zone})", f"created_at ({zone})"]
    assert row[-3:] == [shown, shown, shown]
    assert out.getvalue().endswith("\r\n")
    plain = _export(db)
    assert plain[0]["consent_at"] == "2026-07-01T00:24:51+00:00"
