"""Configuration: defaults, the documented example, overrides and clear errors."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import pytest
from click.testing import CliRunner

from newsletter.cli import cli
from newsletter.config import Config, _build, _to_raw, load_config
from newsletter.constraint import Range, Text
from newsletter.errors import ConfigError
from tests.support import state_snapshot

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
#: A real ECDSA P-256 public key, base64 DER, as SendGrid shows it.
WEBHOOK_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKTM1Yh86yX0j7A5Rm6cefxZzGKKOaanaaglIMOMW5qeSiRuUfCtKrgLqyyLWTwLx"
    "iznDkaPY33GTuMPgBCirzg=="
)


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


def _row(toml: str, message: str, *, id: str | None = None) -> object:
    return pytest.param(toml, message, id=id or message.split(":", maxsplit=1)[0])


# Each row: a file's content and the exact line that must follow "<file>: ". The first rows are
# issue 15's list; then every key of every section with a value out of its type or range.
BAD_FILES = [
    _row("[delivery]\nfailure_threshold = -0.2", "delivery.failure_threshold: expected 0 to 1, got -0.2"),
    _row("[delivery]\nfailure_threshold = 1.5", "delivery.failure_threshold: expected 0 to 1, got 1.5"),
    _row("[delivery]\nmax_retries = -1", "delivery.max_retries: expected 0 or more, got -1"),
    _row("[delivery]\nmax_retries = 2.5", "delivery.max_retries: expected an integer, got 2.5"),
    _row(
        '[schedule]\nreview_deadline = "25:99"',
        "schedule.review_deadline: expected a time HH:MM from 00:00 to 23:59, got '25:99'",
    ),
    _row(
        '[newsletter]\nlocales = ["en", "fr"]',
        "newsletter.locales: item 2: expected a locale with a catalog in locales/ (en, ko), got 'fr'",
    ),
    _row(
        '[delivery.sendgrid]\napi_host = "not a url"',
        "delivery.sendgrid.api_host: expected an http(s) URL like https://example.org, got 'not a url'",
    ),
    _row("[web]\nport = 99999", "web.port: expected 1 to 65535, got 99999"),
    _row(
        '[schedule]\ncron = "61 25 * * *"',
        "schedule.cron: expected empty or a crontab expression like '0 9 * * *' "
        "(error validating expression '25': "
        "the last value (25) is higher than the maximum value (23)), got '61 25 * * *'",
    ),
    _row(
        '[schedule]\ncron = "0 9 31 2 *"',
        "schedule.cron: expected empty or a crontab expression that fires at least once every five years, "
        "got '0 9 31 2 *'",
        id="schedule.cron never fires",
    ),
    _row("[arxiv]\ntimeout_seconds = 0", "arxiv.timeout_seconds: expected more than 0, got 0"),
    _row(
        "[arxiv]\nrequest_deadline_seconds = -1",
        "arxiv.request_deadline_seconds: expected more than 0, got -1",
    ),
    # [newsletter]
    _row('[newsletter]\nname = ""', "newsletter.name: expected a non-empty text, got ''"),
    _row(
        '[newsletter]\nname = "Brief\\nBcc: all@example.org"',
        "newsletter.name: expected one line of text without control characters, "
        "got 'Brief\\nBcc: all@example.org'",
        id="newsletter.name newline",
    ),
    _row(
        '[newsletter]\nsender = "nobody"',
        "newsletter.sender: expected an address like 'Name <name@example.org>', got 'nobody'",
    ),
    _row(
        '[newsletter]\nreply_to = "a@example.org, b@example.org"',
        "newsletter.reply_to: expected empty or an address like 'Name <name@example.org>', "
        "got 'a@example.org, b@example.org'",
    ),
    _row(
        '[newsletter]\npostal_address = " "', "newsletter.postal_address: expected a non-empty text, got ' '"
    ),
    _row(
        '[newsletter]\npublic_url = "ftp://example.org"',
        "newsletter.public_url: expected an http(s) URL like https://example.org, got 'ftp://example.org'",
    ),
    _row(
        '[newsletter]\npublic_url = "https://"',
        "newsletter.public_url: expected an http(s) URL like https://example.org, got 'https://'",
        id="newsletter.public_url no host",
    ),
    _row(
        '[newsletter]\npublic_url = "https://example.org/?a=1"',
        "newsletter.public_url: expected an http(s) URL without a query or fragment, "
        "got 'https://example.org/?a=1'",
        id="newsletter.public_url query",
    ),
    _row(
        '[newsletter]\ntimezone = "Mars/Base"',
        "newsletter.timezone: expected an IANA time zone like Asia/Seoul, got 'Mars/Base'",
    ),
    _row(
        '[newsletter]\ndefault_locale = "fr"',
        "newsletter.default_locale: expected a locale with a catalog in locales/ (en, ko), got 'fr'",
    ),
    _row(
        '[newsletter]\nlocales = ["en"]\ndefault_locale = "ko"',
        "newsletter.default_locale: expected one of newsletter.locales (en), got 'ko'",
        id="newsletter.default_locale not configured",
    ),
    _row("[newsletter]\nlocales = []", "newsletter.locales: expected a non-empty list, got []"),
    _row(
        '[newsletter]\nlocales = ["en", "en"]',
        "newsletter.locales: expected a list without repeated items, got ['en', 'en']",
        id="newsletter.locales repeated",
    ),
    _row('[newsletter]\ndata_dir = ""', "newsletter.data_dir: expected a non-empty text, got ''"),
    _row(
        '[newsletter]\neditor_email = "Editor <editor@example.org>"',
        "newsletter.editor_email: expected an address like name@example.org, "
        "got 'Editor <editor@example.org>'",
    ),
    # [database]
    _row(
        '[database]\nurl = "mysql://db/news"',
        "database.url: expected empty or a URL like sqlite:///var/newsletter.db or "
        "postgresql://user@host/db, got 'mysql://db/news'",
    ),
    # [arxiv]
    _row(
        '[arxiv]\nbase_url = "export.arxiv.org/api/query"',
        "arxiv.base_url: expected an http(s) URL like https://example.org, got 'export.arxiv.org/api/query'",
    ),
    _row('[arxiv]\ncategories = "cs.CV"', "arxiv.categories: expected a list of strings, got 'cs.CV'"),
    _row(
        '[arxiv]\ncategories = ["cs.CV", "cs CV"]',
        "arxiv.categories: item 2: expected an arXiv category like cs.CV, got 'cs CV'",
        id="arxiv.categories item",
    ),
    _row(
        "[arxiv]\ncategories = []",
        "arxiv.categories: expected a non-empty list, got []",
        id="arxiv.categories empty",
    ),
    _row(
        '[arxiv]\nquery = "a\\nb"',
        "arxiv.query: expected one line of text without control characters, got 'a\\nb'",
    ),
    _row(
        '[arxiv]\ninclude_cross_lists = "yes"', "arxiv.include_cross_lists: expected true or false, got 'yes'"
    ),
    _row('[arxiv]\npage_size = "many"', "arxiv.page_size: expected an integer, got 'many'"),
    _row("[arxiv]\npage_size = 0", "arxiv.page_size: expected 1 to 2000, got 0", id="arxiv.page_size 0"),
    _row(
        "[arxiv]\npage_size = 5000",
        "arxiv.page_size: expected 1 to 2000, got 5000",
        id="arxiv.page_size 5000",
    ),
    _row("[arxiv]\ndelay_seconds = -1", "arxiv.delay_seconds: expected 0 or more, got -1"),
    _row(
        "[arxiv]\ndelay_seconds = nan",
        "arxiv.delay_seconds: expected a finite number, got nan",
        id="arxiv.delay_seconds nan",
    ),
    _row("[arxiv]\nretries = -1", "arxiv.retries: expected 0 or more, got -1"),
    _row("[arxiv]\nlookback_days = 0", "arxiv.lookback_days: expected 1 or more, got 0"),
    _row("[arxiv]\nfirst_window_hours = 0", "arxiv.first_window_hours: expected 1 or more, got 0"),
    # [ranking]
    _row("[ranking]\npicks = 0", "ranking.picks: expected 1 or more, got 0"),
    _row(
        '[ranking]\ntopic_terms = ["diffusion", ""]',
        "ranking.topic_terms: item 2: expected a non-empty text, got ''",
    ),
    _row("[ranking]\nlabs = [1]", "ranking.labs: item 1: expected a string, got 1"),
    _row("[ranking]\nweight_topic = 1.5", "ranking.weight_topic: expected 0 to 1, got 1.5"),
    _row("[ranking]\nweight_novelty = -0.1", "ranking.weight_novelty: expected 0 to 1, got -0.1"),
    _row("[ranking]\nweight_venue = 2", "ranking.weight_venue: expected 0 to 1, got 2"),
    _row("[ranking]\nweight_evidence = -1", "ranking.weight_evidence: expected 0 to 1, got -1"),
    _row('[ranking]\nweight_code = "high"', "ranking.weight_code: expected a number, got 'high'"),
    _row("[ranking]\ndiversity = 1.01", "ranking.diversity: expected 0 to 1, got 1.01"),
    _row(
        '[ranking]\ntopic_categories = ["cs.CV!"]',
        "ranking.topic_categories: item 1: expected an arXiv category like cs.CV, got 'cs.CV!'",
    ),
    _row("[ranking]\nmin_topic = -0.5", "ranking.min_topic: expected 0 to 1, got -0.5"),
    # [delivery]
    _row(
        '[delivery]\nbackend = "pigeon"',
        "delivery.backend: expected one of outbox, smtp, sendgrid, got 'pigeon'",
    ),
    _row(
        '[delivery]\noutbox_dir = "out\\tbox"',
        "delivery.outbox_dir: expected one line of text without control characters, got 'out\\tbox'",
    ),
    _row(
        '[delivery.smtp]\nhost = "mail server"',
        "delivery.smtp.host: expected a host name or IP address like 127.0.0.1, got 'mail server'",
    ),
    _row("[delivery.smtp]\nport = 0", "delivery.smtp.port: expected 1 to 65535, got 0"),
    _row(
        '[delivery.smtp]\nsecurity = "tls"',
        "delivery.smtp.security: expected one of none, starttls, ssl, got 'tls'",
    ),
    _row(
        "[delivery.smtp]\ntimeout_seconds = 0", "delivery.smtp.timeout_seconds: expected more than 0, got 0"
    ),
    _row(
        "[delivery.sendgrid]\nbatch_size = 5000", "delivery.sendgrid.batch_size: expected 1 to 1000, got 5000"
    ),
    _row("[delivery.sendgrid]\nconcurrency = 0", "delivery.sendgrid.concurrency: expected 1 or more, got 0"),
    _row(
        "[delivery.sendgrid]\ntimeout_seconds = -5",
        "delivery.sendgrid.timeout_seconds: expected more than 0, got -5",
    ),
    _row(
        "[delivery.sendgrid]\ncategories = [" + ", ".join(f'"c{n}"' for n in range(11)) + "]",
        "delivery.sendgrid.categories: expected a list of 0 to 10 items, got ["
        + ", ".join(f"'c{n}'" for n in range(11))
        + "]",
    ),
    _row(
        '[delivery.sendgrid]\nwebhook_public_key = "not base64!"',
        "delivery.sendgrid.webhook_public_key: expected empty or SendGrid's base64 verification key, "
        "got 'not base64!'",
    ),
    _row(
        "[delivery.sendgrid]\nwebhook_tolerance_seconds = 0",
        "delivery.sendgrid.webhook_tolerance_seconds: expected 1 or more, got 0",
    ),
    _row(
        "[delivery.sendgrid]\nsoft_bounce_threshold = 0",
        "delivery.sendgrid.soft_bounce_threshold: expected 1 or more, got 0",
    ),
    # [schedule]
    _row(
        '[schedule]\ncron = "0 9 * *"',
        "schedule.cron: expected empty or a crontab expression like '0 9 * * *' "
        "(4 fields instead of 5: "
        "minute hour day month weekday), got '0 9 * *'",
        id="schedule.cron four fields",
    ),
    _row(
        '[schedule]\ncron = "0 9 * * 8"',
        "schedule.cron: expected empty or a crontab expression like '0 9 * * *' "
        "(day of week: expected 0 to 7 or "
        "sun to sat, got '8'), got '0 9 * * 8'",
        id="schedule.cron weekday 8",
    ),
    _row(
        '[schedule]\ncron = "0 9 1 * mon"',
        "schedule.cron: expected empty or a crontab expression like '0 9 * * *' "
        "(a day of month and a day of week "
        "both set: cron runs on either, this scheduler only on days matching both; keep one and write * "
        "for the other), got '0 9 1 * mon'",
        id="schedule.cron day and weekday",
    ),
    _row('[schedule]\napproval = "manual"', "schedule.approval: expected one of auto, review, got 'manual'"),
    _row(
        '[schedule]\nreview_deadline = "11h"',
        "schedule.review_deadline: expected a time HH:MM from 00:00 to 23:59, got '11h'",
        id="schedule.review_deadline 11h",
    ),
    _row(
        '[schedule]\non_deadline = "publish"',
        "schedule.on_deadline: expected one of skip, send, got 'publish'",
    ),
    _row(
        '[schedule]\nempty_window = "email"', "schedule.empty_window: expected one of skip, note, got 'email'"
    ),
    _row(
        "[schedule]\nmisfire_grace_seconds = -1", "schedule.misfire_grace_seconds: expected 0 or more, got -1"
    ),
    # [web]
    _row(
        '[web]\nhost = "0.0.0.0 "',
        "web.host: expected a host name or IP address like 127.0.0.1, got '0.0.0.0 '",
    ),
    _row("[web]\nport = true", "web.port: expected an integer, got true", id="web.port true"),
    _row("[web]\npreview_port = 0", "web.preview_port: expected 1 to 65535, got 0"),
    _row(
        "[web]\npreview_port = 8000",
        "web.preview_port: expected a port other than web.port, got 8000",
        id="web.preview_port same as web.port",
    ),
    # The file's shape.
    _row('[arxiv]\nbase_url = "http://127.0.0.1/"\nsurprise = 1', "arxiv.surprise: unknown key"),
    _row("[nope]\nx = 1", "nope: unknown section"),
    _row("arxiv = 3", "arxiv: expected a table, got 3"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_every_bad_value_is_one_line_naming_the_file_and_key(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(content + "\n", encoding="utf-8")
    before = state_snapshot(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value) == f"{path}: {message}"
    assert state_snapshot(tmp_path) == before


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[newsletter\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value).startswith(f"{path}: syntax: ")
    assert "line 1" in str(caught.value)
    assert "\n" not in str(caught.value)


# Each row: the environment and the exact line, which names the variable instead of the file.
BAD_ENVIRONMENTS = [
    (
        {"NEWSLETTER_NEWSLETTER__NAME__X": "1"},
        "NEWSLETTER_NEWSLETTER__NAME__X: newsletter.name.x: "
        "unknown key (newsletter.name is a value, not a table)",
    ),
    ({"NEWSLETTER_NOPE__X": "1"}, "NEWSLETTER_NOPE__X: nope: unknown section"),
    ({"NEWSLETTER_ARXIV__NOPE": "1"}, "NEWSLETTER_ARXIV__NOPE: arxiv.nope: unknown key"),
    (
        {"NEWSLETTER_ARXIV__PAGE_SIZE": "abc"},
        "NEWSLETTER_ARXIV__PAGE_SIZE: arxiv.page_size: expected an integer, got 'abc'",
    ),
    ({"NEWSLETTER_WEB__PORT": "99999"}, "NEWSLETTER_WEB__PORT: web.port: expected 1 to 65535, got 99999"),
    (
        {"NEWSLETTER_DELIVERY__SMTP": '{"port": 0}'},
        "NEWSLETTER_DELIVERY__SMTP: delivery.smtp.port: expected 1 to 65535, got 0",
    ),
    (
        {"NEWSLETTER_NEWSLETTER__LOCALES": '["en", "de"]'},
        "NEWSLETTER_NEWSLETTER__LOCALES: newsletter.locales: item 2: "
        "expected a locale with a catalog in locales/ (en, ko), got 'de'",
    ),
    (
        {"NEWSLETTER_SCHEDULE__CRON": "0 9 30 2 *"},
        "NEWSLETTER_SCHEDULE__CRON: schedule.cron: "
        "expected empty or a crontab expression that fires at least once every five years, got '0 9 30 2 *'",
    ),
]


@pytest.mark.parametrize(
    ("env", "message"), BAD_ENVIRONMENTS, ids=[next(iter(env)) for env, _ in BAD_ENVIRONMENTS]
)
def test_a_bad_override_is_one_line_naming_the_variable(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[newsletter]\nname = "Brief"\n', encoding="utf-8")
    before = state_snapshot(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=env)
    assert str(caught.value) == message
    assert state_snapshot(tmp_path) == before


def test_overrides_of_text_keys_are_kept_as_text_and_secrets_are_not_keys() -> None:
    config = load_config(
        env={
            "NEWSLETTER_NEWSLETTER__NAME": "2026",
            "NEWSLETTER_SCHEDULE__REVIEW_DEADLINE": "09:30",
            "NEWSLETTER_SENDGRID_API_KEY": "SG.secret",
            "NEWSLETTER_SIGNING_KEY": "k",
        }
    )
    assert config.newsletter.name == "2026"
    assert config.schedule.review_deadline == "09:30"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("newsletter.sender", "brief@example.org"),
        ("newsletter.reply_to", '"Brief, the editors" <editors@example.org>'),
        ("newsletter.locales", ["en", "ko_KR"]),
        ("database.url", "postgresql+psycopg://user:pw@127.0.0.1:5432/news"),
        ("arxiv.categories", ["hep-th", "astro-ph.GA", "cond-mat.mes-hall", "physics.optics"]),
        ("arxiv.delay_seconds", 0),
        ("ranking.labs", []),
        ("delivery.smtp.host", "smtp.example.org"),
        ("delivery.sendgrid.webhook_public_key", WEBHOOK_KEY),
        ("schedule.cron", "0 9 29 2 *"),
        ("schedule.review_deadline", "23:59"),
        ("web.host", "::"),
        ("web.port", 65535),
    ],
)
def test_edge_values_that_are_good_load(key: str, value: object) -> None:
    assert _leaves(Config().replace(**{key: value}))[key] == value


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nope.toml", None, "file: not found"),
        ("folder.toml", "", "file: expected a file, got a folder"),
        (
            "latin1.toml",
            b'name = "Caf\xe9"\n',
            "syntax: expected UTF-8 text: 'utf-8' codec can't decode byte 0xe9 in position 11: "
            "invalid continuation byte",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_one_line(
    tmp_path: Path, name: str, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.mkdir()
    before = state_snapshot(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value) == f"{path}: {message}"
    assert state_snapshot(tmp_path) == before


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


# Each row: a command, the file's bad line and the one line it must print. Loading the
# configuration comes first, so not even the database is created.
BAD_COMMANDS = [
    (["status"], "[web]\nport = 99999", "web.port: expected 1 to 65535, got 99999"),
    (
        ["schedule", "--next", "3"],
        '[schedule]\ncron = "61 25 * * *"',
        "schedule.cron: expected empty or a crontab expression like '0 9 * * *' "
        "(error validating expression '25': "
        "the last value (25) is higher than the maximum value (23)), got '61 25 * * *'",
    ),
    (
        ["schedule", "--next", "3"],
        '[schedule]\ncron = "0 9 31 2 *"',
        "schedule.cron: expected empty or a crontab expression that fires at least once every five years, "
        "got '0 9 31 2 *'",
    ),
    (
        ["backup", "backups/"],
        '[delivery]\nbackend = "pigeon"',
        "delivery.backend: expected one of outbox, smtp, sendgrid, got 'pigeon'",
    ),
]


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command runs in ``tmp_path`` with no NEWSLETTER_ variable of the developer's."""
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("NEWSLETTER_")]:
        monkeypatch.delenv(name)


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("args", "line", "message"), BAD_COMMANDS, ids=[" ".join(r[0]) for r in BAD_COMMANDS]
)
def test_a_command_with_a_bad_config_prints_one_line_and_creates_nothing(
    tmp_path: Path, args: list[str], line: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'[newsletter]\ndata_dir = "{tmp_path / "var"}"\n{line}\n', encoding="utf-8")
    before = state_snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(path), *args], prog_name="newsletter")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: {path}: {message}\n"
    assert state_snapshot(tmp_path) == before
    assert not (tmp_path / "var").exists()


@pytest.mark.usefixtures("clean_env")
def test_a_command_with_a_bad_override_names_the_variable(tmp_path: Path) -> None:
    before = state_snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["status"], env={"NEWSLETTER_NEWSLETTER__NAME__X": "1"})
    assert result.exit_code == 1
    assert result.stderr == (
        "error: NEWSLETTER_NEWSLETTER__NAME__X: newsletter.name.x: "
        "unknown key (newsletter.name is a value, not a table)\n"
    )
    assert state_snapshot(tmp_path) == before
    assert not (tmp_path / "var").exists()


@dataclass(frozen=True, slots=True, kw_only=True)
class _Item:
    name: Annotated[str, Text()] = "x"
    size: Annotated[int, Range(1)] = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class _Shapes:
    items: list[_Item] = field(default_factory=list)
    limits: dict[str, Annotated[int, Range(0)]] = field(default_factory=dict)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"items": [{"name": "a"}, {"name": "b", "size": 0}]}, "items[2].size: expected 1 or more, got 0"),
        ({"items": [{"nme": "a"}]}, "items[1].nme: unknown key"),
        ({"items": ["a"]}, "items[1]: expected a table, got 'a'"),
        ({"limits": {"daily": -1}}, "limits.daily: expected 0 or more, got -1"),
        ({"limits": 3}, "limits: expected a table, got 3"),
    ],
)
def test_tables_in_lists_and_tables_of_values_are_checked_too(raw: dict[str, object], message: str) -> None:
    # Keys that other sections add may take these shapes; the loader reads them from the declaration.
    with pytest.raises(ConfigError) as caught:
        _build(_Shapes, raw, "shapes.toml", "")
    assert str(caught.value) == f"shapes.toml: {message}"


def test_tables_in_lists_are_built_as_their_dataclass() -> None:
    built = _build(_Shapes, {"items": [{"name": "a", "size": 2}], "limits": {"daily": 3}}, "shapes.toml", "")
    assert built == _Shapes(items=[_Item(name="a", size=2)], limits={"daily": 3})
    # Config.replace goes through the raw form and back.
    assert _build(_Shapes, _to_raw(built), "shapes.toml", "") == built
