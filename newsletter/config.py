"""Configuration: typed sections, loaded from TOML and ``NEWSLETTER_SECTION__KEY`` overrides.

Every key has a default that makes ``newsletter demo`` work with no file at all, and every
value is validated at load time against the field's type, so a mistake is reported once,
naming the key and what was expected. Secrets never live here: they are read from the
environment by :func:`secret` when a backend needs them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsletter.errors import ConfigError

ENV_PREFIX = "NEWSLETTER_"
CONFIG_ENV = "NEWSLETTER_CONFIG"
DEFAULT_CONFIG_FILE = "config.toml"
SIGNING_KEY_ENV = "NEWSLETTER_SIGNING_KEY"

_section = dataclass(frozen=True, slots=True, kw_only=True)


@_section
class NewsletterSection:
    name: str = "Research Brief"
    sender: str = "Research Brief <brief@example.org>"
    reply_to: str = ""
    postal_address: str = "Research Brief, 1 Example Street, Seoul 04524, Republic of Korea"
    public_url: str = "http://127.0.0.1:8000"
    timezone: str = "Asia/Seoul"
    default_locale: str = "en"
    locales: list[str] = field(default_factory=lambda: ["en", "ko"])
    data_dir: str = "var"
    editor_email: str = "editor@example.org"


@_section
class DatabaseSection:
    url: str = ""
    """Empty means a SQLite file in ``newsletter.data_dir``."""


@_section
class ArxivSection:
    base_url: str = "https://export.arxiv.org/api/query"
    categories: list[str] = field(default_factory=lambda: ["cs.CV", "cs.LG", "cs.AI"])
    query: str = ""
    include_cross_lists: bool = True
    page_size: int = 200
    delay_seconds: float = 3.0
    retries: int = 4
    timeout_seconds: float = 30.0
    request_deadline_seconds: float = 120.0
    """The most one request to arXiv may take in all: connection, retries, waits and body."""
    lookback_days: int = 4
    first_window_hours: int = 24


@_section
class RankingSection:
    picks: int = 5
    topic_terms: list[str] = field(
        default_factory=lambda: [
            "diffusion",
            "flow matching",
            "score-based",
            "denoising",
            "distillation",
            "text-to-image",
            "video generation",
            "sampler",
            "caching",
        ]
    )
    labs: list[str] = field(default_factory=list)
    weight_topic: float = 0.35
    weight_novelty: float = 0.2
    weight_venue: float = 0.15
    weight_evidence: float = 0.2
    weight_code: float = 0.1
    diversity: float = 0.3
    """0 ranks by score alone; higher values trade score for variety between picks."""
    topic_categories: list[str] = field(default_factory=lambda: ["cs.CV", "cs.LG"])
    """arXiv categories that count toward topic relevance (primary fully, cross-list half)."""
    min_topic: float = 0.3
    """Papers less on topic than this are picked only when too few others are left."""


@_section
class SmtpSection:
    host: str = "127.0.0.1"
    port: int = 25
    security: str = "none"
    """``none``, ``starttls`` or ``ssl``; credentials come from NEWSLETTER_SMTP_USERNAME/PASSWORD."""
    timeout_seconds: float = 30.0


@_section
class SendgridSection:
    api_host: str = "https://api.sendgrid.com"
    batch_size: int = 1000
    concurrency: int = 4
    timeout_seconds: float = 30.0
    categories: list[str] = field(default_factory=lambda: ["newsletter"])
    webhook_public_key: str = ""
    webhook_tolerance_seconds: int = 600
    soft_bounce_threshold: int = 3
    """Consecutive soft bounces (``blocked``) after which a subscriber is suspended as bounced."""


@_section
class DeliverySection:
    backend: str = "outbox"
    outbox_dir: str = ""
    """Empty means ``outbox`` in ``newsletter.data_dir``."""
    max_retries: int = 5
    failure_threshold: float = 0.2
    smtp: SmtpSection = field(default_factory=SmtpSection)
    sendgrid: SendgridSection = field(default_factory=SendgridSection)


@_section
class ScheduleSection:
    cron: str = "0 9 * * *"
    approval: str = "auto"
    review_deadline: str = "11:00"
    on_deadline: str = "skip"
    empty_window: str = "skip"
    misfire_grace_seconds: int = 3600


@_section
class WebSection:
    host: str = "127.0.0.1"
    port: int = 8000
    preview_port: int = 8001


@_section
class Config:
    newsletter: NewsletterSection = field(default_factory=NewsletterSection)
    database: DatabaseSection = field(default_factory=DatabaseSection)
    arxiv: ArxivSection = field(default_factory=ArxivSection)
    ranking: RankingSection = field(default_factory=RankingSection)
    delivery: DeliverySection = field(default_factory=DeliverySection)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    web: WebSection = field(default_factory=WebSection)
    source: str = "<defaults>"
    """Where the configuration came from, for messages."""

    @property
    def data_dir(self) -> Path:
        return Path(self.newsletter.data_dir)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{self.data_dir / 'newsletter.db'}"

    @property
    def outbox_dir(self) -> Path:
        return Path(self.delivery.outbox_dir or self.data_dir / "outbox")

    @property
    def drafts_dir(self) -> Path:
        return self.data_dir / "drafts"

    @property
    def rendered_dir(self) -> Path:
        return self.data_dir / "rendered"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.newsletter.timezone)

    def replace(self, **sections: Any) -> Config:
        """A copy with whole sections or dotted keys replaced, e.g. ``{"arxiv.base_url": …}``."""
        raw = _to_raw(self)
        for dotted, value in sections.items():
            *parents, leaf = dotted.split(".")
            target = raw
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
        rebuilt: Config = _build(Config, raw, self.source, "")
        return rebuilt


_CHOICES: dict[str, tuple[str, ...]] = {
    "delivery.backend": ("outbox", "smtp", "sendgrid"),
    "delivery.smtp.security": ("none", "starttls", "ssl"),
    "schedule.approval": ("auto", "review"),
    "schedule.on_deadline": ("skip", "send"),
    "schedule.empty_window": ("skip", "note"),
}


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Load the configuration from ``path``, ``$NEWSLETTER_CONFIG`` or ``./config.toml``.

    With none of them present the defaults are used. Environment overrides apply last.
    """
    env = os.environ if env is None else env
    chosen = path or env.get(CONFIG_ENV)
    raw: dict[str, Any] = {}
    source = "<defaults>"
    if chosen is None and Path(DEFAULT_CONFIG_FILE).is_file():
        chosen = DEFAULT_CONFIG_FILE
    if chosen is not None:
        source = str(chosen)
        raw = _read_toml(Path(chosen))
    overridden = _apply_env(raw, env)
    try:
        config: Config = _build(Config, raw, source, "")
    except ConfigError as error:
        if error.key in overridden:
            # The bad value came from the environment, not the file: say which variable.
            raise ConfigError(error.key, error.detail, source=overridden[error.key]) from None
        raise
    return config


def secret(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """A secret from the environment (``NEWSLETTER_<NAME>``), never from a file."""
    env = os.environ if env is None else env
    return env.get(ENV_PREFIX + name.upper()) or None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("file", "not found", source=str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError("syntax", str(error), source=str(path)) from None


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    """Fold ``NEWSLETTER_A__B__C=value`` into ``raw["a"]["b"]["c"]``; returns dotted key → variable.

    Values are parsed as JSON when they parse (lists, numbers, booleans), else kept as text.
    """
    overridden: dict[str, str] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        target = raw
        for part in path[:-1]:
            target = target.setdefault(part, {})
        try:
            target[path[-1]] = json.loads(value)
        except json.JSONDecodeError:
            target[path[-1]] = value
        overridden[".".join(path)] = name
    return overridden


def _build(cls: type[Any], raw: Any, source: str, prefix: str) -> Any:
    """Build the dataclass ``cls`` from ``raw``, checking every key and value."""
    if not isinstance(raw, dict):
        raise ConfigError(prefix.rstrip(".") or "config", "expected a table", source=source)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(prefix + unknown[0], "unknown key", source=source)
    values: dict[str, Any] = {}
    for name, value in raw.items():
        key = prefix + name
        kind = hints[name]
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            values[name] = _build(kind, value, source, key + ".")
        else:
            values[name] = _check(key, kind, value, source)
    if cls is Config:
        values["source"] = source
    built = cls(**values)
    _validate_section(built, prefix, source)
    return built


def _check(key: str, kind: Any, value: Any, source: str) -> Any:
    origin = typing.get_origin(kind)
    if origin is list:
        (item,) = typing.get_args(kind)
        if not isinstance(value, list) or not all(isinstance(v, item) for v in value):
            raise ConfigError(key, f"expected a list of {_name(item)}, got {value!r}", source=source)
        return list(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is bool and not isinstance(value, bool):
        raise ConfigError(key, f"expected true or false, got {value!r}", source=source)
    if isinstance(kind, type) and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
        raise ConfigError(key, f"expected {_name(kind)}, got {value!r}", source=source)
    choices = _CHOICES.get(key)
    if choices and value not in choices:
        raise ConfigError(key, f"expected one of {', '.join(choices)}, got {value!r}", source=source)
    return value


def _validate_section(section: Any, prefix: str, source: str) -> None:
    """Checks that span a value's meaning rather than its type."""
    if isinstance(section, NewsletterSection):
        try:
            ZoneInfo(section.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                "newsletter.timezone", f"expected an IANA time zone, got {section.timezone!r}", source=source
            ) from None
        if section.default_locale not in section.locales:
            raise ConfigError(
                "newsletter.default_locale",
                f"expected one of newsletter.locales {section.locales}, got {section.default_locale!r}",
                source=source,
            )
        if not section.public_url.startswith(("http://", "https://")):
            raise ConfigError("newsletter.public_url", "expected an http(s) URL", source=source)
    if isinstance(section, ArxivSection):
        for key in ("page_size", "lookback_days", "first_window_hours"):
            if getattr(section, key) < 1:
                raise ConfigError(f"arxiv.{key}", "expected a positive number", source=source)
        if section.delay_seconds < 0 or section.timeout_seconds <= 0:
            raise ConfigError("arxiv.delay_seconds", "expected a non-negative number", source=source)
    if isinstance(section, RankingSection) and section.picks < 1:
        raise ConfigError("ranking.picks", "expected a positive number", source=source)
    if isinstance(section, SendgridSection) and not 1 <= section.batch_size <= 1000:
        raise ConfigError(
            "delivery.sendgrid.batch_size", "expected 1 to 1000 (SendGrid's limit per request)", source=source
        )


def _name(kind: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        kind, getattr(kind, "__name__", str(kind))
    )


def _to_raw(section: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for f in dataclasses.fields(section):
        if f.name == "source":
            continue
        value = getattr(section, f.name)
        raw[f.name] = _to_raw(value) if dataclasses.is_dataclass(value) else value
    return raw
