"""Templates and catalogs are found in a source checkout and in an installed wheel's layout."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter import assets
from newsletter.errors import RenderError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """An installed package's ``_assets`` and a checkout's top, both empty to begin with."""
    installed, checkout = tmp_path / "site" / "newsletter" / "_assets", tmp_path / "checkout"
    monkeypatch.setattr(assets, "_CANDIDATES", (installed, checkout))
    assets._find.cache_clear()
    yield installed, checkout
    assets._find.cache_clear()


def test_checkout_finds_the_top_level_folders() -> None:
    assert assets.templates_dir() == ROOT / "templates"
    assert assets.locales_dir() == ROOT / "locales"
    assert (assets.templates_dir() / "email" / "issue.mjml.j2").is_file()


def test_an_installed_copy_wins_over_a_checkout(layout: tuple[Path, Path]) -> None:
    installed, checkout = layout
    for root in layout:
        (root / "templates").mkdir(parents=True)
        (root / "locales").mkdir(parents=True)
    assert assets.templates_dir() == installed / "templates"
    assert assets.locales_dir() == installed / "locales"
    assert checkout.is_dir()


def test_a_checkout_alone_is_enough(layout: tuple[Path, Path]) -> None:
    _, checkout = layout
    (checkout / "templates").mkdir(parents=True)
    assert assets.templates_dir() == checkout / "templates"


def test_missing_assets_say_where_they_were_looked_for(layout: tuple[Path, Path]) -> None:
    installed, _ = layout
    with pytest.raises(RenderError, match=f"cannot find the locales folder .*{installed.name}"):
        assets.locales_dir()


def test_pyproject_ships_both_folders_where_assets_looks() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates" = "newsletter/_assets/templates"' in pyproject
    assert '"locales" = "newsletter/_assets/locales"' in pyproject
