"""The one exception tree: every error a user can act on derives from NewsletterError.

The CLI catches NewsletterError in one place, prints ``str(error)`` as one line and
exits non-zero, so each message names the file, row, field or key and what was expected.
"""

from __future__ import annotations


class NewsletterError(Exception):
    """Base of every error this program reports to its user."""


class ConfigError(NewsletterError):
    """A configuration file or environment override is invalid."""

    def __init__(self, key: str, message: str, *, source: str | None = None) -> None:
        self.key = key
        self.source = source
        self.detail = message
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {message}")


class SourceError(NewsletterError):
    """A paper source could not deliver a complete, valid window."""

    def __init__(self, message: str, *, url: str | None = None, retryable: bool = True) -> None:
        self.url = url
        self.retryable = retryable
        super().__init__(f"{message} ({url})" if url else message)


class DraftError(NewsletterError):
    """A draft file is malformed; names the file, line and field."""

    def __init__(self, path: str, field: str, message: str, *, line: int | None = None) -> None:
        self.path = path
        self.field = field
        self.line = line
        at = f"{path}:{line}" if line else path
        super().__init__(f"{at}: {field}: {message}")


class RenderError(NewsletterError):
    """A template could not be rendered or compiled."""


class DeliveryError(NewsletterError):
    """A message or batch could not be delivered.

    ``permanent`` is true when retrying the same request cannot succeed (400, 413),
    and ``fatal`` when no further request should be made at all (401, 403).
    ``outcome_unknown`` is true when the mail system may have accepted the request anyway
    (the reply never came), and ``accepted`` holds the subscriber ids it did accept before
    the error (a connection that dropped part-way through a batch).
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        fatal: bool = False,
        status: int | None = None,
        outcome_unknown: bool = False,
        accepted: frozenset[int] = frozenset(),
    ) -> None:
        self.permanent = permanent or fatal
        self.fatal = fatal
        self.status = status
        self.outcome_unknown = outcome_unknown
        self.accepted = accepted
        super().__init__(message)


class InputError(NewsletterError):
    """A row or value of user input (CSV, CLI argument, HTTP request) is invalid."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = source or ""
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {message}" if where else message)


class StoreError(NewsletterError):
    """The store refused an operation (a missing row, a conflicting state)."""


class StopRequestedError(NewsletterError):
    """The process was asked to stop (SIGTERM, SIGINT) and stopped at a checkpoint between batches.

    Everything before the checkpoint is committed; running the same command again resumes.
    """

    def __init__(self) -> None:
        super().__init__("stopped at a checkpoint; run it again to resume where it stopped")


class TransitionError(StoreError):
    """An issue was asked to move to a state it cannot reach from where it is."""

    def __init__(self, issue_id: int, verb: str, current: str, wanted: str) -> None:
        self.issue_id = issue_id
        self.current = current
        self.wanted = wanted
        super().__init__(f"issue #{issue_id}: cannot {verb} a {current} issue ({current} → {wanted})")
