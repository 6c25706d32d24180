"""Configuration: typed sections, loaded from TOML and ``NEWSLETTER_SECTION__KEY`` overrides.

Every key has a default that makes ``newsletter demo`` work with no file at all. Each field
declares what it accepts beside it: a type, a ``Literal`` of choices, or an ``Annotated`` type
carrying constraints from :mod:`newsletter.constraint` (``Annotated[int, Range(1, 65535)]``).
:func:`load_config` checks every value against its declaration, so a mistake is reported once,
as one line naming the file or variable, the key and what was expected, before anything runs.
Secrets never live here: they are read from the environment by :func:`secret` when a backend
needs them.
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
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from newsletter.constraint import (
    Category,
    ClockTime,
    Constraint,
    Cron,
    DatabaseUrl,
    Host,
    IpAddress,
    Length,
    Locale,
    Mailbox,
    OrEmpty,
    Range,
    Text,
    TimeZone,
    Url,
    WebhookKey,
    finite,
)
from newsletter.errors import ConfigError
from newsletter.model import RenderSettings

ENV_PREFIX = "NEWSLETTER_"
CONFIG_ENV = "NEWSLETTER_CONFIG"
DEFAULT_CONFIG_FILE = "config.toml"
SIGNING_KEY_ENV = "NEWSLETTER_SIGNING_KEY"

_section = dataclass(frozen=True, slots=True, kw_only=True)

# The choices of a few keys, as types: mypy checks every comparison with them, and the loader
# refuses any other value.
Backend = Literal["outbox", "smtp", "sendgrid"]
SmtpSecurity = Literal["none", "starttls", "ssl"]
Approval = Literal["auto", "review"]
OnDeadline = Literal["skip", "send"]
EmptyWindow = Literal["skip", "note"]
WritingBackend = Literal["extractive", "openai"]

# Shapes that several keys share.
Port = Annotated[int, Range(1, 65535)]
Timeout = Annotated[float, Range(0, above=True)]
Share = Annotated[float, Range(0, 1)]
Count = Annotated[int, Range(0)]
Positive = Annotated[int, Range(1)]
Line = Annotated[str, Text()]
Categories = Annotated[list[Annotated[str, Category()]], Length()]
Locales = Annotated[list[Annotated[str, Locale()]], Length(1)]


@_section
class NewsletterSection:
    name: Line = "Research Brief"
    brand: dict[str, Line] = field(default_factory=lambda: {"ko": "리서치 브리프"})
    """The name per locale (header, footer, From display name); a locale not listed uses ``name``."""
    sender: Annotated[str, Mailbox(named=True)] = "Research Brief <brief@example.org>"
    reply_to: Annotated[str, OrEmpty(Mailbox(named=True))] = ""
    postal_address: Line = "Research Brief, 1 Example Street, Seoul 04524, Republic of Korea"
    public_url: Annotated[str, Url()] = "http://127.0.0.1:8000"
    timezone: Annotated[str, TimeZone()] = "Asia/Seoul"
    default_locale: Annotated[str, Locale()] = "en"
    locales: Locales = field(default_factory=lambda: ["en", "ko"])
    data_dir: Line = "var"
    editor_email: Annotated[str, Mailbox()] = "editor@example.org"
    lists: Annotated[list[Line], Length(1)] = field(default_factory=lambda: ["research-brief"])
    """The lists an issue is drafted for; ``send --list`` may narrow them, never widen them."""
    public_lists: Annotated[list[Line], Length()] = field(default_factory=lambda: ["research-brief"])
    """The lists the sign-up form and the preference centre offer; empty closes the sign-up form."""


@_section
class DatabaseSection:
    url: Annotated[str, OrEmpty(DatabaseUrl())] = ""
    """Empty means a SQLite file in ``newsletter.data_dir``."""


@_section
class ArxivSection:
    base_url: Annotated[str, Url()] = "https://export.arxiv.org/api/query"
    categories: Annotated[Categories, Length(1)] = field(default_factory=lambda: ["cs.CV", "cs.LG", "cs.AI"])
    query: Annotated[str, Text(blank=True)] = ""
    include_cross_lists: bool = True
    page_size: Annotated[int, Range(1, 2000)] = 200
    """arXiv's API returns at most 2000 results per request."""
    delay_seconds: Annotated[float, Range(0)] = 3.0
    retries: Count = 4
    timeout_seconds: Timeout = 30.0
    request_deadline_seconds: Timeout = 120.0
    """The most one request to arXiv may take in all: connection, retries, waits and body."""
    lookback_days: Positive = 4
    first_window_hours: Positive = 24


@_section
class RankingSection:
    picks: Positive = 5
    topic_terms: Annotated[list[Line], Length()] = field(
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
    labs: Annotated[list[Line], Length()] = field(default_factory=list)
    weight_topic: Share = 0.35
    weight_novelty: Share = 0.25
    weight_venue: Share = 0.1
    weight_evidence: Share = 0.2
    weight_code: Share = 0.1
    diversity: Share = 0.3
    """0 ranks by score alone; higher values trade score for variety between picks."""
    topic_categories: Categories = field(default_factory=lambda: ["cs.CV", "cs.LG"])
    """arXiv categories that count toward topic relevance (primary fully, cross-list half)."""
    min_topic: Share = 0.3
    """Papers less on topic than this are picked only when too few others are left."""
    institution_names: Annotated[list[Line], Length()] = field(default_factory=list)
    """Short forms of institutions beyond the built-in map, as "Long name = Short" entries."""
    interests: Annotated[list[Line], Length()] = field(default_factory=list)
    """arXiv ids, or paths of BibTeX/CSV exports, of papers that stand for what the editor wants."""
    weight_interest: Share = 0.15
    """The weight of the sixth signal: closeness to the editor's interests and past picks."""


@_section
class SmtpSection:
    host: Annotated[str, Host()] = "127.0.0.1"
    port: Port = 25
    security: SmtpSecurity = "none"
    """Credentials come from NEWSLETTER_SMTP_USERNAME/PASSWORD."""
    timeout_seconds: Timeout = 30.0


@_section
class SendgridSection:
    api_host: Annotated[str, Url()] = "https://api.sendgrid.com"
    batch_size: Annotated[int, Range(1, 1000)] = 1000
    """SendGrid takes at most 1000 personalizations per request."""
    concurrency: Positive = 4
    timeout_seconds: Timeout = 30.0
    categories: Annotated[list[Line], Length(0, 10)] = field(default_factory=lambda: ["newsletter"])
    """SendGrid takes at most 10 categories per message."""
    webhook_public_key: Annotated[str, OrEmpty(WebhookKey())] = ""
    webhook_tolerance_seconds: Positive = 600
    soft_bounce_threshold: Positive = 3
    """Consecutive soft bounces (``blocked``) after which a subscriber is suspended as bounced."""


@_section
class DeliverySection:
    backend: Backend = "outbox"
    outbox_dir: Annotated[str, Text(blank=True)] = ""
    """Empty means ``outbox`` in ``newsletter.data_dir``."""
    unsubscribe_mailto: Annotated[str, OrEmpty(Mailbox())] = ""
    """An address that reads unsubscribe requests; empty offers only the one-click link."""
    max_retries: Count = 5
    failure_threshold: Share = 0.2
    lease_seconds: Timeout = 60.0
    """How long a sending process's claim on its batches lasts unless renewed (every third of
    it): a sender silent for longer is taken for dead and its batches become unknown."""
    tracking: bool = False
    """Count opens and clicks (SendGrid's tracking); off unless chosen, and the footer says when on."""
    smtp: SmtpSection = field(default_factory=SmtpSection)
    sendgrid: SendgridSection = field(default_factory=SendgridSection)


@_section
class ScheduleSection:
    cron: Annotated[str, OrEmpty(Cron())] = ""
    """Empty follows arXiv: fire ``after_announcement`` minutes after each announcement."""
    after_announcement: Annotated[int, Range(0, 1439)] = 30
    approval: Approval = "auto"
    review_deadline: Annotated[str, ClockTime()] = "12:00"
    on_deadline: OnDeadline = "skip"
    empty_window: EmptyWindow = "skip"
    misfire_grace_seconds: Count = 3600


@_section
class WebSection:
    host: Annotated[str, Host()] = "127.0.0.1"
    port: Port = 8000
    preview_port: Port = 8001
    trusted_proxies: Annotated[list[Annotated[str, IpAddress()]], Length()] = field(default_factory=list)
    """Addresses of reverse proxies whose ``X-Forwarded-For`` names the client; empty trusts none."""


@_section
class SubscribeSection:
    confirm_hours: Annotated[int, Range(1, 720)] = 48
    """How long a confirmation link works; an unconfirmed sign-up is purged after it."""
    resend_minutes: Annotated[int, Range(0, 1440)] = 10
    """At most one confirmation email per address in this many minutes."""
    ip_per_hour: Positive = 20
    """Sign-up posts one client address may make per hour (a burst of as many, then refilling)."""
    address_per_hour: Positive = 5
    """Sign-up posts for one email address per hour, from anywhere."""


@_section
class WritingSection:
    """Who writes the picks' prose: the extractive text, or a model behind the fact guard."""

    backend: WritingBackend = "extractive"
    base_url: Annotated[str, Url()] = "http://127.0.0.1:11434/v1"
    """An OpenAI-compatible API: Ollama's ``/v1``, vLLM, llama.cpp, or a hosted API."""
    model: Line = "llama3.1"
    timeout_seconds: Timeout = 60.0
    """How long one request may take."""
    max_retries: Annotated[int, Range(0, 10)] = 2
    """Retries of a request after a 429, a 5xx or a timeout, honouring ``Retry-After``."""
    max_requests: Count = 40
    """Requests per issue, retries included; past it the rest stays extractive."""
    max_tokens: Count = 200000
    """Tokens per issue (prompt and reply); past it the rest stays extractive."""
    temperature: Annotated[float, Range(0, 2)] = 0.2
    deadline_seconds: Timeout = 600.0
    """The whole writing step's time; past it the rest stays extractive, so the issue is not late."""


@_section
class Config:
    newsletter: NewsletterSection = field(default_factory=NewsletterSection)
    database: DatabaseSection = field(default_factory=DatabaseSection)
    arxiv: ArxivSection = field(default_factory=ArxivSection)
    ranking: RankingSection = field(default_factory=RankingSection)
    delivery: DeliverySection = field(default_factory=DeliverySection)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    web: WebSection = field(default_factory=WebSection)
    writing: WritingSection = field(default_factory=WritingSection)
    subscribe: SubscribeSection = field(default_factory=SubscribeSection)
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
    def writing_cache_dir(self) -> Path:
        return self.data_dir / "cache" / "writing"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.newsletter.timezone)

    def render_settings(self) -> RenderSettings:
        """What the renderer needs of this configuration."""
        newsletter = self.newsletter
        return RenderSettings(
            name=newsletter.name,
            brands=dict(newsletter.brand),
            timezone=newsletter.timezone,
            public_url=newsletter.public_url,
            postal_address=newsletter.postal_address,
            locales=tuple(newsletter.locales),
            tracking=self.delivery.tracking,
        )

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


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Load the configuration from ``path``, ``$NEWSLETTER_CONFIG`` or ``./config.toml``.

    With none of them present the defaults are used. Environment overrides apply last.
    Every key is checked here, so a bad value stops the program before anything is written.
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
    overridden = _apply_env(raw, env, source)
    try:
        config: Config = _build(Config, raw, source, "")
    except ConfigError as error:
        variable = _variable_for(error.key, overridden)
        if variable is not None:
            # The bad value came from the environment, not the file: say which variable.
            raise ConfigError(error.key, error.detail, source=variable) from None
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
    except IsADirectoryError:
        raise ConfigError("file", "expected a file, got a folder", source=str(path)) from None
    except OSError as error:
        raise ConfigError("file", f"cannot read it: {error.strerror}", source=str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError("syntax", str(error), source=str(path)) from None
    except UnicodeDecodeError as error:
        raise ConfigError("syntax", f"expected UTF-8 text: {error}", source=str(path)) from None


def _apply_env(raw: dict[str, Any], env: Mapping[str, str], source: str) -> dict[str, str]:
    """Fold ``NEWSLETTER_A__B__C=value`` into ``raw["a"]["b"]["c"]``; returns dotted key → variable.

    A text key takes the value as it is; any other is parsed as JSON when it parses (lists,
    numbers, booleans), else kept as text for the type check to report. Names without ``__``
    (the secrets, NEWSLETTER_CONFIG) are not keys and are left alone.
    """
    overridden: dict[str, str] = {}
    for name, value in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        kind = _kind_at(path, name)
        target = raw
        for depth, part in enumerate(path[:-1]):
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                # The file holds a value where a table belongs; that is the file's mistake.
                raise ConfigError(".".join(path[: depth + 1]), "expected a table", source=source)
        target[path[-1]] = value if _is_text(kind) else _parse_json(value)
        overridden[".".join(path)] = name
    return overridden


def _kind_at(path: list[str], variable: str) -> Any:
    """The type of the key ``path`` names, or a ConfigError naming the variable."""
    section: Any = Config
    for depth, part in enumerate(path):
        dotted = ".".join(path[: depth + 1])
        if section is None:
            parent = ".".join(path[:depth])
            raise ConfigError(dotted, f"unknown key ({parent} is a value, not a table)", source=variable)
        hints = _fields(section)
        if part not in hints:
            raise ConfigError(dotted, "unknown section" if depth == 0 else "unknown key", source=variable)
        kind = hints[part]
        section = kind if _is_section(kind) else None
    return kind


def _variable_for(key: str, overridden: Mapping[str, str]) -> str | None:
    """The variable that set ``key`` or a table around it."""
    for dotted, variable in overridden.items():
        if key == dotted or key.startswith((dotted + ".", dotted + "[")):
            return variable
    return None


def _parse_json(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _build(cls: type[Any], raw: Any, source: str, prefix: str) -> Any:
    """Build the dataclass ``cls`` from ``raw``, checking every key and value."""
    if not isinstance(raw, dict):
        raise ConfigError(prefix.rstrip(".") or "config", f"expected a table, got {raw!r}", source=source)
    hints = _fields(cls)
    unknown = sorted(set(raw) - set(hints))
    if unknown:
        raise ConfigError(prefix + unknown[0], "unknown key" if prefix else "unknown section", source=source)
    values: dict[str, Any] = {}
    for name, value in raw.items():
        key = prefix + name
        kind = hints[name]
        if _is_section(kind):
            values[name] = _build(kind, value, source, key + ".")
        else:
            values[name] = _check(key, kind, value, source)
    if cls is Config:
        values["source"] = source
    built = cls(**values)
    _check_together(built, source)
    return built


def _fields(cls: type[Any]) -> Mapping[str, Any]:
    """The keys of a section and their declared types, constraints included (read once per class)."""
    known = _FIELDS.get(cls)
    if known is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        known = _FIELDS[cls] = {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.name != "source"}
    return known


_FIELDS: dict[type[Any], Mapping[str, Any]] = {}


def _is_section(kind: Any) -> bool:
    return isinstance(kind, type) and dataclasses.is_dataclass(kind)


def _check(key: str, kind: Any, value: Any, source: str) -> Any:
    """``value`` as the type ``kind`` declares, or a ConfigError saying what was expected."""
    base, constraints = _unwrap(kind)
    if typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        if not isinstance(value, list):
            raise ConfigError(key, f"expected a list of {_plural(item)}, got {_shown(value)}", source=source)
        checked: Any = [_check_item(key, index, item, entry, source) for index, entry in enumerate(value)]
    elif typing.get_origin(base) is dict:
        _, item = typing.get_args(base)
        if not isinstance(value, dict):
            raise ConfigError(key, f"expected a table, got {_shown(value)}", source=source)
        checked = {name: _check(f"{key}.{name}", item, entry, source) for name, entry in value.items()}
    elif _is_section(base):
        checked = _build(base, value, source, key + ".")
    else:
        checked = _check_type(key, base, value, source)
    for constraint in constraints:
        wanted = constraint.expected(checked)
        if wanted is not None:
            raise ConfigError(key, f"expected {wanted}, got {_shown(value)}", source=source)
    return checked


def _check_item(key: str, index: int, kind: Any, value: Any, source: str) -> Any:
    """One list item, its position named in the message (counted from 1, as people count)."""
    if _is_section(_unwrap(kind)[0]):
        # A table in a list of tables names its own keys: ``newsletter.lists[2].name``.
        return _check(f"{key}[{index + 1}]", kind, value, source)
    try:
        return _check(key, kind, value, source)
    except ConfigError as error:
        raise ConfigError(key, f"item {index + 1}: {error.detail}", source=source) from None


def _check_type(key: str, kind: Any, value: Any, source: str) -> Any:
    if typing.get_origin(kind) is Literal:
        choices = typing.get_args(kind)
        if value not in choices:
            raise ConfigError(
                key, f"expected one of {', '.join(choices)}, got {_shown(value)}", source=source
            )
        return value
    # bool is a subclass of int in Python, but ``port = true`` is a mistake, not the number 1.
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind is float and number:
        if not finite(value):
            raise ConfigError(key, f"expected a finite number, got {_shown(value)}", source=source)
        return float(value)
    if (kind is int and number and isinstance(value, int)) or (kind in (str, bool) and type(value) is kind):
        return value
    raise ConfigError(key, f"expected {_name(kind)}, got {_shown(value)}", source=source)


def _unwrap(kind: Any) -> tuple[Any, tuple[Constraint, ...]]:
    """The base type of an ``Annotated`` type and its constraints, outer ones last."""
    constraints: tuple[Constraint, ...] = ()
    while typing.get_origin(kind) is Annotated:
        constraints = tuple(kind.__metadata__) + constraints
        kind = kind.__origin__
    return kind, constraints


def _is_text(kind: Any) -> bool:
    base, _ = _unwrap(kind)
    return base is str or (
        typing.get_origin(base) is Literal and all(isinstance(c, str) for c in typing.get_args(base))
    )


def _check_together(section: Any, source: str) -> None:
    """Rules that relate two keys of one section."""
    if isinstance(section, NewsletterSection) and section.default_locale not in section.locales:
        configured = ", ".join(section.locales)
        raise ConfigError(
            "newsletter.default_locale",
            f"expected one of newsletter.locales ({configured}), got {section.default_locale!r}",
            source=source,
        )
    if isinstance(section, WebSection) and section.preview_port == section.port:
        raise ConfigError(
            "web.preview_port",
            f"expected a port other than web.port, got {section.preview_port!r}",
            source=source,
        )


def _shown(value: Any) -> str:
    """A value as the file spells it: TOML's booleans are lower-case."""
    return json.dumps(value) if isinstance(value, bool) else repr(value)


def _name(kind: Any) -> str:
    base, _ = _unwrap(kind)
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    return names.get(base, getattr(base, "__name__", str(base)))


def _plural(kind: Any) -> str:
    base, _ = _unwrap(kind)
    names = {str: "strings", int: "integers", float: "numbers", bool: "true or false values"}
    return names.get(base, getattr(base, "__name__", str(base)))


def _to_raw(section: Any) -> dict[str, Any]:
    return {
        f.name: _raw_value(getattr(section, f.name))
        for f in dataclasses.fields(section)
        if f.name != "source"
    }


def _raw_value(value: Any) -> Any:
    """A value as TOML would hold it: tables as dicts, at any depth."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _to_raw(value)
    if isinstance(value, list):
        return [_raw_value(item) for item in value]
    if isinstance(value, dict):
        return {name: _raw_value(item) for name, item in value.items()}
    return value
