"""``newsletter archive build DIR``: the archive as static files, for any static web host.

The files mirror the served addresses (``archive/<locale>/index.html``,
``archive/<locale>/<date>/index.html``, ``archive/<locale>/page/<n>/index.html`` and the three
feeds), so DIR can be the web root of ``newsletter.public_url``. The whole tree is written
beside DIR first and swapped in with renames, so a host never serves half an archive, and a
folder that was not built by this command is never replaced.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from newsletter.archive.feeds import FEED_TYPES
from newsletter.archive.site import Archive
from newsletter.errors import InputError
from newsletter.render.view import archive_path

#: Written at the top of every built folder: what a later build may replace.
MARKER = ".newsletter-archive"


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    folder: Path
    issues: int
    """Issue pages written, over all locales."""
    files: int


def build(archive: Archive, folder: Path) -> BuildResult:
    """Write the archive into ``folder``, replacing an earlier build there."""
    folder = folder.absolute()
    _check_target(folder)
    staging = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        files, issues = _write_all(archive, staging)
        _swap(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(folder=folder, issues=issues, files=files)


def _check_target(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise InputError(
            f"{folder}: the folder is not empty and was not built by `newsletter archive build`; "
            "choose a new or empty folder"
        )


def _write_all(archive: Archive, root: Path) -> tuple[int, int]:
    archive.invalidate()
    entries = archive.entries()
    files = issues = 0
    for locale in archive.locales:
        for page in range(1, archive.pages(locale) + 1):
            suffix = f"page/{page}/" if page > 1 else ""
            html = archive.index_page(locale, page)
            files += _write(root, archive_path(locale) + suffix + "index.html", html)
        for entry in entries:
            html = archive.issue_page(locale, entry.issue_date)
            if html is not None:
                files += _write(root, archive_path(locale, entry.issue_date) + "index.html", html)
                issues += 1
        for name in FEED_TYPES:
            files += _write(root, archive_path(locale) + name, archive.feed(locale, name))
    # Relative, so that it also works when the folder is served below a path (example.org/brief/).
    files += _write(root, "/archive/index.html", _redirect(f"{archive.locales[0]}/"))
    (root / MARKER).write_text("Built by `newsletter archive build`; the next build replaces this folder.\n")
    return files, issues


def _write(root: Path, path: str, content: str | None) -> int:
    if content is None:
        return 0
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    return 1


def _redirect(path: str) -> str:
    return (
        f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0; url={path}">'
        f'<link rel="canonical" href="{path}"><a href="{path}">{path}</a>\n'
    )


def _swap(staging: Path, folder: Path) -> None:
    if not folder.exists():
        staging.rename(folder)
        return
    old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
    folder.rename(old)
    try:
        staging.rename(folder)
    except OSError:
        old.rename(folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
