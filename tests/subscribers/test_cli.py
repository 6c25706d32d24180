"""The ``lists`` and ``subscribers`` commands end to end, through the real ``newsletter`` group."""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any

from click.testing import Result

from .conftest import Run


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


def test_lists_create_list_rename_delete(run: Run) -> None:
    created = _json(run("lists", "create", "brief", "--description", "Daily", "--locale", "ko", "--json"))
    assert (created["name"], created["default_locale"], created["members"]) == ("brief", "ko", 0)
    refused = run("lists", "create", "brief", ok=False)
    assert "error: list 'brief': already exists" in refused.output
    run("subscribers", "add", "ada@example.org", "--list", "brief")
    assert _json(run("lists", "rename", "brief", "daily", "--json"))["members"] == 1
    (listed,) = _json(run("lists", "list", "--json"))
    assert (listed["name"], listed["counts"]["active"]) == ("daily", 1)
    assert "has 1 members; use --force" in run("lists", "delete", "daily", ok=False).output
    deleted = _json(run("lists", "delete", "daily", "--force", "--json"))
    assert deleted == {"name": "daily", "deleted": True, "members_removed": 1}
    assert _json(run("lists", "list", "--json")) == []


def test_subscriber_lifecycle(run: Run) -> None:
    run("lists", "create", "brief")
    added = _json(run("subscribers", "add", "Ada@Example.org", "--name", "Ada", "--list", "brief", "--json"))
    assert (added["email"], added["created"], added["consent_source"]) == ("Ada@example.org", True, "cli")
    assert "error: email:" in run("subscribers", "add", "a@b", "--list", "brief", ok=False).output
    assert _json(run("subscribers", "set-locale", "ada@example.org", "ko", "--json"))["locale"] == "ko"
    assert [s["email"] for s in _json(run("subscribers", "find", "ADA", "--json"))] == ["Ada@example.org"]
    run("subscribers", "unsubscribe", "ada@example.org", "--reason", "by mail")
    refused = run("subscribers", "resubscribe", "ada@example.org", ok=False)
    assert "--confirm" in refused.output
    again = _json(
        run(
            "subscribers", "resubscribe", "ada@example.org", "--confirm", "--consent-source", "call", "--json"
        )
    )
    assert (again["status"], again["consent_source"], again["changed"]) == ("active", "call", True)
    shown = _json(run("subscribers", "show", "ada@example.org", "--json"))
    assert [(h["status"], h["via"]) for h in shown["history"]] == [
        ("active", "cli"),
        ("unsubscribed", "cli"),
        ("active", "cli"),
    ]
    run("subscribers", "delete", "ada@example.org", ok=False, stdin="n\n")
    erased = _json(run("subscribers", "delete", "ada@example.org", "--yes", "--json"))
    assert erased == {"email": "ada@example.org", "erased": True, "suppressed": True}
    assert "no such subscriber" in run("subscribers", "show", "ada@example.org", ok=False).output


def test_import_reports_and_writes_errors_then_exports(run: Run, tmp_path: Path) -> None:
    run("lists", "create", "brief")
    source = tmp_path / "people.csv"
    source.write_text(
        "email,name,locale,notes\nada@example.org,Ada,en,x\na@b,Bad,en,\nminji@example.org,=1+2,ko,\n",
        encoding="utf-8",
    )
    errors = tmp_path / "errors.csv"
    dry = _json(run("subscribers", "import", str(source), "--list", "brief", "--dry-run", "--json"))
    assert (dry["dry_run"], dry["added"], dry["rejected"]) == (True, 2, 1)
    assert _json(run("subscribers", "find", "--json")) == []
    text = run("subscribers", "import", str(source), "--list", "brief", "--errors-out", str(errors)).output
    assert "2 added, 0 updated, 0 unchanged, 1 rejected" in text
    assert "line 3: email 'a@b'" in text
    assert errors.read_text(encoding="utf-8-sig").splitlines()[1].startswith("3,email,a@b,")
    exported = run("subscribers", "export", "--list", "brief").stdout.splitlines()
    assert exported[0].startswith("email,name,locale,status,lists")
    assert exported[2].startswith("minji@example.org,'=1+2,ko,active,brief,")


def test_import_of_a_file_without_email_column_is_one_clear_line(run: Run, tmp_path: Path) -> None:
    run("lists", "create", "brief")
    source = tmp_path / "bad.csv"
    source.write_text("name\nAda\n", encoding="utf-8")
    result = run("subscribers", "import", str(source), "--list", "brief", ok=False)
    assert result.output.strip() == f"error: {source}:1: header: expected an 'email' column, found 'name'"


def test_export_for_excel_has_a_bom_crlf_and_local_times(run: Run, tmp_path: Path) -> None:
    run("lists", "create", "brief")
    run("subscribers", "add", "minji@example.org", "--name", "김민지", "--list", "brief")
    out = run("subscribers", "export", "--excel").stdout_bytes
    assert out.startswith(codecs.BOM_UTF8)
    lines = out[3:].decode("utf-8").split("\r\n")
    assert lines[0].endswith(
        ",consent_at (Asia/Seoul),status_changed_at (Asia/Seoul),created_at (Asia/Seoul)"
    )
    assert lines[1].startswith("minji@example.org,김민지,en,active,brief,cli,")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", lines[1].split(",")[-1])
    assert lines[2:] == [""]
    target = tmp_path / "excel.csv"
    assert "Exported 1 subscribers" in run("subscribers", "export", "--excel", "-o", str(target)).output
    assert target.read_bytes() == out
    plain = run("subscribers", "export").stdout_bytes
    assert not plain.startswith(codecs.BOM_UTF8)
    assert b",consent_at,status_changed_at,created_at\r\n" in plain


def test_subscribers_list_shows_full_addresses_by_list_and_status(run: Run) -> None:
    run("lists", "create", "brief")
    run("lists", "create", "weekly")
    run("subscribers", "add", "zed@example.org", "--name", "Zed", "--list", "brief")
    run("subscribers", "add", "ada@example.org", "--name", "Ada", "--list", "brief", "--list", "weekly")
    run("subscribers", "add", "kim@example.org", "--locale", "ko-KR", "--list", "weekly")
    run("subscribers", "unsubscribe", "zed@example.org")
    shown = run("subscribers", "list")
    assert [line.split()[:4] for line in shown.stdout.splitlines()] == [
        ["ada@example.org", "active", "en", "brief,weekly"],
        ["kim@example.org", "active", "ko", "weekly"],
        ["zed@example.org", "unsubscribed", "en", "brief"],
    ]
    assert shown.stderr == "3 subscribers.\n"
    brief = [item["email"] for item in _json(run("subscribers", "list", "--list", "brief", "--json"))]
    assert brief == ["ada@example.org", "zed@example.org"]
    active = _json(run("subscribers", "list", "--list", "brief", "--status", "active", "--json"))
    assert [(item["email"], item["name"], item["lists"]) for item in active] == [
        ("ada@example.org", "Ada", ["brief", "weekly"])
    ]
    assert "history" not in active[0]
    assert _json(run("subscribers", "list", "--status", "bounced", "--json")) == []
    refused = run("subscribers", "list", "--list", "nope", "--json", ok=False)
    assert (refused.stdout, refused.stderr) == ("", "error: list 'nope': no such list\n")


def test_subscribers_list_streams_more_than_one_page(run: Run, tmp_path: Path) -> None:
    run("lists", "create", "brief")
    source = tmp_path / "many.csv"
    source.write_text("email\n" + "".join(f"u{i:04d}@example.org\n" for i in range(1_200)), encoding="utf-8")
    run("subscribers", "import", str(source), "--list", "brief")
    listed = _json(run("subscribers", "list", "--json"))
    assert [item["email"] for item in listed] == [f"u{i:04d}@example.org" for i in range(1_200)]
