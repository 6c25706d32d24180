"""Subscribers' fixtures: a list to import into, a CSV writer and the CLI (``db`` is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsletter.store import Database, audience
from tests.support import need

WriteCsv = Callable[..., Path]
Run = Callable[..., Result]


@pytest.fixture
def brief(db: Database) -> str:
    """The list every import in these tests goes to."""
    with db.transaction() as session:
        audience.ensure_list(session, "brief", description="Daily brief")
    return "brief"


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write text (or bytes) to a new CSV file in the test's folder and return its path."""
    counter = iter(range(1_000_000))

    def write(content: str | bytes, *, encoding: str = "utf-8", name: str | None = None) -> Path:
        path = tmp_path / (name or f"input-{next(counter)}.csv")
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def run(db: Database, tmp_path: Path) -> Run:
    """Run ``newsletter --config <a file for this test's store> ARGS``; fails the test on a crash."""
    try:
        from newsletter.cli import cli
    except ImportError as error:
        need(False, f"the newsletter CLI does not import yet: {error}")
    config = tmp_path / "config.toml"
    url = db.url.render_as_string(hide_password=False)
    config.write_text(
        f'[newsletter]\ndata_dir = "{tmp_path / "var"}"\n[database]\nurl = "{url}"\n', encoding="utf-8"
    )

    def invoke(*args: str, ok: bool = True, stdin: str | None = None) -> Result:
        result = CliRunner().invoke(cli, ["--config", str(config), *args], input=stdin)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert (result.exit_code == 0) == ok, result.output
        return result

    return invoke
