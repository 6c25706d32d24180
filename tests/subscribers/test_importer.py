"""CSV import on both databases: counts, per-row errors, never re-activating, atomicity."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from newsletter.config import Config
from newsletter.errors import InputError, StoreError
from newsletter.store import Database, audience
from newsletter.store.schema import Membership, StatusChange, Subscriber, SubscriberStatus
from newsletter.subscribers import importer
from newsletter.subscribers.export import export_csv
from newsletter.subscribers.importer import ImportReport, import_csv, write_errors

from .conftest import WriteCsv


def _import(db: Database, config: Config, path: Path, **options: object) -> ImportReport:
    return import_csv(db, path, list_name="brief", config=config, **options)  # type: ignore[arg-type]


def _subscribers(db: Database) -> dict[str, tuple[str, str, str, str]]:
    """Every subscriber as key → (email, name, locale, status)."""
    with db.transaction() as session:
        rows = session.execute(
            select(
                Subscriber.email_key, Subscriber.email, Subscriber.name, Subscriber.locale, Subscriber.status
            )
        )
        return {key: (email, name, locale, status) for key, email, name, locale, status in rows}


def _snapshot(db: Database) -> tuple[object, ...]:
    with db.transaction() as session:
        return (
            _subscribers(db),
            sorted(session.execute(select(Membership.list_id, Membership.subscriber_id)).all()),
            session.scalar(select(func.count()).select_from(StatusChange)),
        )


def test_a_clean_file_is_added_with_consent_and_history(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    path = write_csv("email,name,locale\nAda@Example.org,Ada,en\nminji@example.org,김민지,ko\n", name="a.csv")
    report = _import(db, config, path)
    assert (report.added, report.updated, report.unchanged, report.rejected) == (2, 0, 0, 0)
    assert _subscribers(db) == {
        "ada@example.org": ("Ada@example.org", "Ada", "en", "active"),
        "minji@example.org": ("minji@example.org", "김민지", "ko", "active"),
    }
    with db.transaction() as session:
        ada = audience.find_subscriber(session, "ada@example.org")
        assert ada is not None
        assert ada.consent_source == "import of a.csv"
        assert [(c.status, c.via) for c in audience.history(session, ada.id)] == [("active", "import")]
        assert audience.member_ids(session, [audience.get_list(session, "brief")]) == sorted(
            s.id for s in session.scalars(select(Subscriber))
        )


def test_duplicates_in_the_file_and_in_the_store_are_reported(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    with db.transaction() as session:
        audience.subscribe(session, email="old@example.org", name="Old", consent_source="t")
        audience.subscribe(
            session,
            email="same@example.org",
            name="Same",
            lists=[audience.get_list(session, brief)],
            consent_source="t",
        )
    path = write_csv(
        "email,name\nnew@example.org,New\nNEW@example.org,Again\nOLD@example.org,Renamed\nsame@example.org,Same\n"
    )
    report = _import(db, config, path)
    assert (report.added, report.updated, report.unchanged, report.rejected) == (1, 1, 1, 1)
    assert [(p.line, p.reason) for p in report.errors] == [(3, "duplicate: the same address is on line 2")]
    assert [p.line for p in report.existing] == [4, 5]
    assert "updated name, lists" in report.existing[0].reason
    assert "nothing to change" in report.existing[1].reason
    assert _subscribers(db)["old@example.org"] == ("old@example.org", "Renamed", "en", "active")


@pytest.mark.parametrize(
    "status", [SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED]
)
def test_an_import_never_reactivates(
    db: Database, config: Config, brief: str, write_csv: WriteCsv, status: SubscriberStatus
) -> None:
    with db.transaction() as session:
        left, _ = audience.subscribe(session, email="left@example.org", consent_source="t")
        audience.set_status(session, left, status, via="webhook")
    report = _import(db, config, write_csv("email,name\nLeft@example.org,Back Again\n"))
    assert (report.added, report.updated, report.rejected) == (0, 0, 1)
    assert f"the address is {status.value}" in report.errors[0].reason
    assert _subscribers(db)["left@example.org"] == ("left@example.org", "", "en", status.value)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Membership)) == 0


def test_an_erased_address_is_never_added_again(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    with db.transaction() as session:
        audience.suppress(session, "gone@example.org", reason="erased")
    report = _import(db, config, write_csv("email\nGone@Example.org\n"))
    assert report.rejected == 1
    assert "erased" in report.errors[0].reason
    assert _subscribers(db) == {}


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("a@b,A,en", "email", "should have a period"),
        ("a@@b.com,A,en", "email", "invalid characters"),
        ('"name <a@b.com>",A,en', "email", "display name"),
        (",A,en", "email", "empty value"),
        ("a@example.org,A,en,nowhere", "lists", "no list named 'nowhere'"),
        (f"a@example.org,{'x' * 201},en", "name", "at most 200 characters"),
    ],
)
def test_bad_rows_are_rejected_with_line_field_value_and_reason(
    db: Database, config: Config, brief: str, write_csv: WriteCsv, row: str, field: str, reason: str
) -> None:
    report = _import(db, config, write_csv(f"email,name,locale,lists\nok@example.org,Ok,ko\n{row}\n"))
    assert (report.added, report.rejected) == (1, 1)
    (problem,) = report.errors
    assert (problem.line, problem.field) == (3, field)
    assert reason in problem.reason
    assert problem.value == next(csv.reader([row]))[["email", "name", "locale", "lists"].index(field)]


def test_lists_column_adds_more_lists(db: Database, config: Config, brief: str, write_csv: WriteCsv) -> None:
    with db.transaction() as session:
        audience.ensure_list(session, "weekly")
        audience.ensure_list(session, "papers")
    _import(db, config, write_csv('email,lists\na@example.org,"weekly; papers"\nb@example.org,\n'))
    with db.transaction() as session:
        names = {
            name: audience.member_ids(session, [audience.get_list(session, name)])
            for name in ("brief", "weekly", "papers")
        }
    assert [len(names[n]) for n in ("brief", "weekly", "papers")] == [2, 1, 1]


def test_cr_lf_in_names_never_reach_the_store(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    text = (
        'email,name\r\na@example.org,"Ada\r\nBcc: eve@example.org"\r\nb@example.org,"B\rC\nD"\r\n'
        "c@example.org,C\x0bD\x07\r\n"
    )
    report = _import(db, config, write_csv(text))
    assert (report.rows, report.added, report.rejected) == (4, 1, 3)
    assert [(p.line, p.value) for p in report.errors] == [
        (2, "a@example.org"),
        (3, "Bcc: eve@example.org"),
        (4, "b@example.org"),
    ]
    assert "the name cell runs over lines 2–3" in report.errors[0].reason
    assert "read into the name cell of line 2" in report.errors[1].reason
    assert "the name cell runs over lines 4–6" in report.errors[2].reason
    names = {key: name for key, (_, name, _, _) in _subscribers(db).items()}
    assert names == {"c@example.org": "C D"}


@pytest.mark.parametrize(
    ("cell", "stored", "warned"),
    [
        ("ko-KR", "ko", False),
        ("ko_KR", "ko", False),
        ("KO", "ko", False),
        ("en-US", "en", False),
        ("en_GB.UTF-8", "en", False),
        ("한국어", "ko", False),
        ("Korean", "ko", False),
        ("fr", "en", True),
        ("fr-FR", "en", True),
        ("klingon", "en", True),
    ],
)
def test_locale_tags_mean_their_language_and_others_fall_back_with_a_warning(
    db: Database, config: Config, brief: str, write_csv: WriteCsv, cell: str, stored: str, warned: bool
) -> None:
    report = _import(db, config, write_csv(f"email,locale\na@example.org,{cell}\n"))
    assert (report.added, report.rejected) == (1, 0)
    assert _subscribers(db)["a@example.org"][2] == stored
    expected = [(2, "locale", cell)] if warned else []
    assert [(w.line, w.field, w.value) for w in report.warnings] == expected
    if warned:
        assert report.warnings[0].reason == (
            "not a language this newsletter is sent in (en, ko): subscribed in en, the list's default"
        )


def test_an_existing_subscriber_keeps_their_language_when_the_file_names_another(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    with db.transaction() as session:
        audience.subscribe(session, email="a@example.org", locale="ko", consent_source="t")
    report = _import(db, config, write_csv("email,locale\na@example.org,de\nb@example.org,ko_KR\n"))
    assert (report.added, report.updated, report.rejected) == (1, 1, 0)
    assert [(w.line, w.reason.split(": ")[-1]) for w in report.warnings] == [(2, "kept their language, ko")]
    assert {key: row[2] for key, row in _subscribers(db).items()} == {
        "a@example.org": "ko",
        "b@example.org": "ko",
    }


def test_an_export_imports_again_unchanged(db: Database, config: Config, brief: str, tmp_path: Path) -> None:
    with db.transaction() as session:
        audience.subscribe(
            session,
            email="+82@example.org",
            name="=HYPERLINK(1)",
            lists=[audience.get_list(session, brief)],
            consent_source="t",
        )
    out = tmp_path / "export.csv"
    with db.transaction() as session, out.open("w", encoding="utf-8-sig", newline="") as handle:
        export_csv(session, handle)
    assert "'+82@example.org,'=HYPERLINK(1)" in out.read_text(encoding="utf-8-sig")
    report = _import(db, config, out)
    assert (report.added, report.unchanged, report.rejected) == (0, 1, 0)
    assert _subscribers(db) == {"+82@example.org": ("+82@example.org", "=HYPERLINK(1)", "en", "active")}


def test_a_cp949_excel_file_imports_korean_names(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    path = write_csv("이메일,이름,언어\nminji@example.org,김민지,ko\n", encoding="cp949")
    report = _import(db, config, path)
    assert (report.encoding, report.added) == ("cp949", 1)
    assert _subscribers(db)["minji@example.org"][1] == "김민지"


def test_mixed_encodings_reject_only_the_rows_that_do_not_decode(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    data = "email,name\nminji@example.org,김민지\n".encode() + "park@example.org,박지성\n".encode("cp949")
    with pytest.raises(InputError, match="not UTF-8 or CP949"):
        _import(db, config, write_csv(data))
    report = _import(db, config, write_csv(data), encoding="utf-8")
    assert (report.added, report.rejected) == (1, 1)
    assert (report.errors[0].line, report.errors[0].value) == (3, "park@example.org")
    assert "not valid text" in report.errors[0].reason
    assert "\ufffd" not in _subscribers(db)["minji@example.org"][1]


def test_a_10_mb_file_imports_in_full(db: Database, config: Config, brief: str, write_csv: WriteCsv) -> None:
    notes = "n" * 1000
    rows = [f"user{i}@example.org,User {i},{notes}" for i in range(10_500)]
    path = write_csv("email,name,notes\n" + "\n".join(rows) + "\n")
    assert path.stat().st_size > 10 * 1024 * 1024
    report = _import(db, config, path)
    assert (report.rows, report.added, report.rejected, report.ignored_columns) == (
        10_500,
        10_500,
        0,
        ("notes",),
    )
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Subscriber)) == 10_500
        assert session.scalar(select(func.count()).select_from(Membership)) == 10_500


def test_a_dry_run_changes_nothing_and_reports_the_same(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    with db.transaction() as session:
        audience.subscribe(session, email="old@example.org", consent_source="t")
    path = write_csv("email,name\nnew@example.org,New\nold@example.org,Old\na@b,Bad\n")
    before = _snapshot(db)
    dry = _import(db, config, path, dry_run=True)
    assert _snapshot(db) == before
    real = _import(db, config, path)
    assert dry.dry_run
    assert (dry.added, dry.updated, dry.unchanged, dry.rejected) == (1, 1, 0, 1)
    assert (real.added, real.updated, real.unchanged, real.rejected) == (1, 1, 0, 1)
    assert real.errors == dry.errors


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_import_leaves_the_store_as_it_was(
    db: Database,
    config: Config,
    brief: str,
    write_csv: WriteCsv,
    monkeypatch: pytest.MonkeyPatch,
    interruption: type[BaseException],
) -> None:
    with db.transaction() as session:
        audience.subscribe(session, email="old@example.org", consent_source="t")
    before = _snapshot(db)
    path = write_csv("email\n" + "".join(f"u{i}@example.org\n" for i in range(50)) + "old@example.org\n")
    real_apply = importer._Import.apply
    calls = []

    def crash_on_third_chunk(self: importer._Import, records: list) -> None:
        calls.append(len(records))
        if len(calls) == 3:
            raise interruption()
        real_apply(self, records)

    monkeypatch.setattr(importer._Import, "apply", crash_on_third_chunk)
    with pytest.raises(interruption):
        _import(db, config, path, chunk_rows=10)
    assert calls == [10, 10, 10]
    assert _snapshot(db) == before


def test_small_chunks_give_the_same_result(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    text = "email\n" + "".join(f"u{i % 7}@example.org\n" for i in range(20))
    report = _import(db, config, write_csv(text), chunk_rows=3)
    assert (report.added, report.rejected) == (7, 13)
    assert len(_subscribers(db)) == 7


def test_whole_file_problems_raise_one_clear_error(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    with pytest.raises(InputError, match=r"x.csv:1: header: expected an 'email' column"):
        _import(db, config, write_csv("mail,name\n", name="x.csv"))
    with pytest.raises(StoreError, match="list 'nope': no such list"):
        import_csv(db, write_csv("email\na@example.org\n"), list_name="nope", config=config)
    assert _subscribers(db) == {}


def test_a_header_only_file_imports_nothing(
    db: Database, config: Config, brief: str, write_csv: WriteCsv
) -> None:
    report = _import(db, config, write_csv("email,name,locale,lists\n"))
    assert (report.rows, report.added, report.rejected) == (0, 0, 0)


def test_the_error_report_is_a_spreadsheet_safe_csv(
    db: Database, config: Config, brief: str, write_csv: WriteCsv, tmp_path: Path
) -> None:
    report = _import(db, config, write_csv('email,name\n"=HYPERLINK(""http://x"")",A\n-1@b,B\n'))
    out = tmp_path / "errors.csv"
    write_errors(report, out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["line"], r["field"]) for r in rows] == [("2", "email"), ("3", "email")]
    assert [r["value"] for r in rows] == ['\'=HYPERLINK("http://x")', "'-1@b"]
