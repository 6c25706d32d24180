"""Configuration: defaults, the documented example, overrides and clear errors."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from newsletter.config import Config, load_config
from newsletter.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def _leaves(section: object, prefix: str = "") -> dict[str, object]:
    found: dict[str, object] = {}
    for f in dataclasses.fields(section):  # type: ignore[arg-type]
        value = getattr(section, f.name)
        if f.name == "source":
            continue
        if dataclasses.is_dataclass(value):
            found.update(_leaves(value, f"{prefix}{f.name}."))
        else:
            found[prefix + f.name] = value
    return found


def test_defaults_need_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(env={})
    assert config.source == "<defaults>"
    assert config.newsletter.timezone == "Asia/Seoul"
    assert config.database_url == "sqlite:///var/newsletter.db"
    assert config.delivery.backend == "outbox"


def test_example_documents_every_key_with_its_default() -> None:
    example = load_config(EXAMPLE, env={})
    defaults = load_config(env={})
    assert _leaves(example) == _leaves(defaults)
    raw = EXAMPLE.read_text(encoding="utf-8")
    written = set()
    section = ""
    for line in raw.splitlines():
        if match := re.match(r"^\[([\w.]+)\]", line):
            section = match.group(1) + "."
        elif match := re.match(r"^(\w+)\s*=", line):
            written.add(section + match.group(1))
    assert written == set(_leaves(defaults))


def test_environment_overrides_nested_keys_and_json_lists() -> None:
    config = load_config(
        env={
            "NEWSLETTER_ARXIV__CATEGORIES": '["cs.CV","cs.LG"]',
            "NEWSLETTER_DELIVERY__SENDGRID__API_HOST": "https://api.eu.sendgrid.com",
            "NEWSLETTER_ARXIV__DELAY_SECONDS": "5",
            "NEWSLETTER_NEWSLETTER__NAME": "Brief",
        }
    )
    assert config.arxiv.categories == ["cs.CV", "cs.LG"]
    assert config.delivery.sendgrid.api_host == "https://api.eu.sendgrid.com"
    assert config.arxiv.delay_seconds == 5.0
    assert config.newsletter.name == "Brief"


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[delivery]\nbackend = "smtp"\n', encoding="utf-8")
    assert load_config(path, env={}).delivery.backend == "smtp"
    assert load_config(path, env={"NEWSLETTER_DELIVERY__BACKEND": "outbox"}).delivery.backend == "outbox"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[arxiv]\npage_size = "many"\n', "arxiv.page_size: expected an integer, got 'many'"),
        ('[arxiv]\ncategories = "cs.CV"\n', "arxiv.categories: expected a list of a string"),
        ("[delivery]\nbackend = 'pigeon'\n", "delivery.backend: expected one of outbox, smtp, sendgrid"),
        ("[newsletter]\ntimezone = 'Mars/Base'\n", "newsletter.timezone: expected an IANA time zone"),
        (
            "[newsletter]\ndefault_locale = 'fr'\n",
            "newsletter.default_locale: expected one of newsletter.locales",
        ),
        ("[arxiv]\nbase_url = 'x'\nsurprise = 1\n", "arxiv.surprise: unknown key"),
        ("[delivery.sendgrid]\nbatch_size = 5000\n", "delivery.sendgrid.batch_size: expected 1 to 1000"),
        ("[newsletter\nname = 1\n", "syntax"),
        ("arxiv = 3\n", "arxiv: expected a table"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", env={})


def test_replace_builds_a_validated_copy() -> None:
    config = Config()
    changed = config.replace(**{"arxiv.base_url": "http://127.0.0.1:9/api/query"})
    assert changed.arxiv.base_url == "http://127.0.0.1:9/api/query"
    assert config.arxiv.base_url != changed.arxiv.base_url
    with pytest.raises(ConfigError):
        config.replace(**{"arxiv.page_size": 0})


def test_secrets_are_not_config_keys() -> None:
    keys = set(_leaves(Config()))
    assert not any(word in key for key in keys for word in ("api_key", "password", "signing_key"))
    assert tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))  # the example parses


def test_a_bad_environment_override_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(env={"NEWSLETTER_ARXIV__PAGE_SIZE": "lots"})
    assert (
        str(caught.value) == "NEWSLETTER_ARXIV__PAGE_SIZE: arxiv.page_size: expected an integer, got 'lots'"
    )
