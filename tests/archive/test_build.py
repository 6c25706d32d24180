"""``newsletter archive build``, ``hide`` and ``show``: the same archive as files, and the CLI."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from click.testing import CliRunner

from newsletter.archive import Archive
from newsletter.archive.build import MARKER, build
from newsletter.cli import cli
from newsletter.config import Config
from newsletter.errors import InputError
from newsletter.store import Database
from tests.support import state_snapshot

from .conftest import PUBLIC_URL, Publisher

DAYS = [date(2026, 7, 1), date(2026, 7, 2)]


def _local_links(folder: Path) -> set[str]:
    """Every archive address that a built page links to."""
    found = set()
    for page in folder.rglob("*.html"):
        tree = lxml.html.fromstring(page.read_text(encoding="utf-8"))
        for href in tree.xpath("//a/@href | //link/@href"):
            if href.startswith(f"{PUBLIC_URL}/archive/"):
                found.add(urlsplit(href).path)
    return found


def test_the_build_holds_the_same_pages_and_feeds_as_the_server(
    archive: Archive, publisher: Publisher, tmp_path: Path
) -> None:
    for day in DAYS:
        publisher.add(day)
    publisher.add(date(2026, 7, 3), hidden=True)
    site = tmp_path / "site"

    result = build(archive, site)

    assert result.issues == 4
    for locale in ("en", "ko"):
        folder = site / "archive" / locale
        for day in DAYS:
            assert (folder / day.isoformat() / "index.html").read_text(
                encoding="utf-8"
            ) == archive.issue_page(locale, day)
        assert (folder / "index.html").read_text(encoding="utf-8") == archive.index_page(locale)
        for name in ("atom.xml", "rss.xml", "feed.json"):
            assert (folder / name).read_text(encoding="utf-8") == archive.feed(locale, name)
        assert not (folder / "2026-07-03").exists()
    # The archive's root sends a browser on to the first language, relative to where it is served.
    assert 'content="0; url=en/"' in (site / "archive/index.html").read_text(encoding="utf-8")
    # Every link between archive pages leads to a file of the build.
    for path in _local_links(site):
        target = site / path.lstrip("/")
        assert (target / "index.html" if path.endswith("/") else target).is_file(), path


def test_a_second_build_replaces_the_first_and_drops_a_hidden_issue(
    archive: Archive, db: Database, publisher: Publisher, tmp_path: Path
) -> None:
    first, _ = (publisher.add(day) for day in DAYS)
    site = tmp_path / "site"
    build(archive, site)
    assert (site / "archive/en/2026-07-01/index.html").is_file()

    from newsletter.archive import set_hidden

    set_hidden(db, first, hidden=True)
    build(archive, site)

    assert not (site / "archive/en/2026-07-01").exists()
    assert (site / "archive/en/2026-07-02/index.html").is_file()
    assert (site / MARKER).is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("site")] == ["site"]


def test_paged_lists_are_built_under_page_n(
    archive: Archive, publisher: Publisher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("newsletter.archive.site.PAGE_SIZE", 1)
    for day in DAYS:
        publisher.add(day)

    build(archive, tmp_path / "site")

    assert (tmp_path / "site/archive/ko/page/2/index.html").is_file()
    assert not (tmp_path / "site/archive/ko/page/3").exists()


def _files(folder: Path) -> dict[str, bytes]:
    """Every file and folder under ``folder`` except the SQLite store, which a mere read rewrites."""
    return {
        str(path): path.read_bytes() if path.is_file() else b"<folder>"
        for path in sorted(folder.rglob("*"))
        if not path.name.startswith("store.db")
    }


def _file(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    target.write_text("not a folder\n", encoding="utf-8")
    return target


def _foreign(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text("someone else's site\n", encoding="utf-8")
    return target


#: (how the target is made, the one-line error): the build refuses and leaves everything as it was.
BAD_TARGETS = [
    (_file, "exists and is not a folder"),
    (_foreign, "the folder is not empty and was not built by `newsletter archive build`"),
]


@pytest.mark.parametrize(("make", "message"), BAD_TARGETS, ids=["a file", "a foreign folder"])
def test_a_target_that_is_not_ours_is_refused_and_left_alone(
    archive: Archive, db: Database, publisher: Publisher, tmp_path: Path, make: object, message: str
) -> None:
    publisher.add(DAYS[0])
    target = make(tmp_path)  # type: ignore[operator]
    before = _files(tmp_path), state_snapshot(db=db)

    with pytest.raises(InputError) as raised:
        build(archive, target)

    assert str(raised.value) == f"{target}: {message}" + (
        "; choose a new or empty folder" if "foreign" in make.__name__ else ""  # type: ignore[attr-defined]
    )
    assert "\n" not in str(raised.value)
    assert (_files(tmp_path), state_snapshot(db=db)) == before


@pytest.fixture
def cli_env(
    site_config: Config, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("NEWSLETTER_")]:
        monkeypatch.delenv(name)
    return {
        "NEWSLETTER_NEWSLETTER__DATA_DIR": str(tmp_path / "var"),
        "NEWSLETTER_DATABASE__URL": db.url.render_as_string(hide_password=False),
        "NEWSLETTER_NEWSLETTER__PUBLIC_URL": PUBLIC_URL,
    }


def test_the_commands_build_hide_and_show(
    cli_env: dict[str, str], publisher: Publisher, tmp_path: Path
) -> None:
    issue = publisher.add(DAYS[0])
    runner = CliRunner()

    built = runner.invoke(cli, ["archive", "build", "site"], env=cli_env)
    hidden = runner.invoke(cli, ["archive", "hide", str(issue)], env=cli_env)
    rebuilt = runner.invoke(cli, ["archive", "build", "site"], env=cli_env)
    after_hide = (tmp_path / "site/archive/en/2026-07-01/index.html").exists()
    shown = runner.invoke(cli, ["archive", "show", "2026-07-01"], env=cli_env)

    assert built.exit_code == 0, built.output
    assert built.output.startswith("Wrote 2 issue pages and ")
    assert hidden.output == f"Issue #{issue} of 2026-07-01 is hidden from the archive and its feeds.\n"
    assert rebuilt.output.startswith("Wrote 0 issue pages")
    assert after_hide is False
    assert shown.output == f"Issue #{issue} of 2026-07-01 is on the archive again.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["archive", "hide", "999"], "error: issue '999': no such issue"),
        (
            ["archive", "show", "yesterday"],
            "error: issue 'yesterday': expected an issue id or a date like 2026-07-01",
        ),
        (
            ["archive", "build", "taken"],
            "the folder is not empty and was not built by `newsletter archive build`",
        ),
    ],
)
def test_command_mistakes_are_one_line_and_change_nothing(
    cli_env: dict[str, str], db: Database, publisher: Publisher, tmp_path: Path, args: list[str], message: str
) -> None:
    publisher.add(DAYS[0])
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken/notes.txt").write_text("mine\n", encoding="utf-8")
    before = state_snapshot(tmp_path / "taken", tmp_path / "drafts", db=db)

    result = CliRunner().invoke(cli, args, env=cli_env)

    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert message in result.output
    assert state_snapshot(tmp_path / "taken", tmp_path / "drafts", db=db) == before
