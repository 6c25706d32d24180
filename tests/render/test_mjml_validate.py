"""The MJML the templates produce passes MJML's own reference validator, strictly.

mrml compiles the email but validates little, so the templates are also checked by npm ``mjml``
5 with ``--validate strict``. The test installs it on first run into the git-ignored
``tests/artifacts/mjml`` (npm's registry is the only network it needs).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from newsletter.config import Config
from newsletter.model import Draft
from newsletter.render import EmailRenderer
from tests.support import need

PREFIX = Path(__file__).resolve().parents[1] / "artifacts" / "mjml"
MJML = PREFIX / "node_modules" / ".bin" / "mjml"

pytestmark = pytest.mark.npm


@pytest.fixture(scope="module")
def mjml_cli() -> Path:
    """npm's mjml 5, installed once into tests/artifacts/mjml."""
    if not _is_v5():
        need(shutil.which("npm") is not None, "npm is not installed (apt-get install -y npm)")
        PREFIX.mkdir(parents=True, exist_ok=True)
        quiet = ("--no-audit", "--no-fund", "--loglevel=error")
        done = subprocess.run(
            ["npm", "install", "--prefix", str(PREFIX), *quiet, "mjml@5"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        need(done.returncode == 0, f"npm could not install mjml@5: {done.stderr.strip()[-500:]}")
    return MJML


def _is_v5() -> bool:
    if not MJML.exists():
        return False
    done = subprocess.run([str(MJML), "--version"], capture_output=True, text=True, timeout=60, check=False)
    return "mjml-core: 5." in done.stdout


def _validate(cli: Path, source: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    path = workdir / "issue.mjml"
    path.write_text(source, encoding="utf-8")
    command = [str(cli), "--validate", "strict", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_templates_pass_strict_validation(
    mjml_cli: Path, draft: Draft, config: Config, tmp_path: Path, locale: str
) -> None:
    source = EmailRenderer().mjml(draft, locale, config.render_settings())
    done = _validate(mjml_cli, source, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_validator_rejects_what_mjml_forbids(mjml_cli: Path, tmp_path: Path) -> None:
    # Proves the check above can fail: an attribute mj-text does not have.
    done = _validate(mjml_cli, '<mjml><mj-body><mj-text colour="red">x</mj-text></mj-body></mjml>', tmp_path)
    assert done.returncode != 0
    assert "colour" in done.stdout + done.stderr
