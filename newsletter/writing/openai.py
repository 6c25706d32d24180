"""The OpenAI-compatible writer: a hosted API, or a local Ollama, vLLM or llama.cpp server.

One ``POST {base_url}/chat/completions`` per pick per locale and one per locale for the intro,
with ``response_format = {"type": "json_object"}``; the reply's content is a JSON object with
the keys of :data:`~newsletter.writing.base.PICK_FIELDS` (or ``intro``), and unknown keys
are ignored. The client's own retries are off: this module retries a 429, a 5xx, a timeout
or a dropped connection itself, waiting as ``Retry-After`` asks (or backing off), so that
every wait counts against the issue's budget of requests and tokens and its deadline. Any
failure leaves the field to the extractive text. The key comes from ``NEWSLETTER_LLM_API_KEY``
and is never logged.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import openai
from openai.types.chat import ChatCompletionSystemMessageParam, ChatCompletionUserMessageParam

from newsletter.config import WritingSection
from newsletter.model import Draft, DraftPick, Pick
from newsletter.writing.base import INTRO_FIELD, PICK_FIELDS, Usage, Writer
from newsletter.writing.cache import ReplyCache
from newsletter.writing.prompt import Prompt, intro_prompt, pick_prompt

logger = logging.getLogger(__name__)

API_KEY_ENV = "NEWSLETTER_LLM_API_KEY"
#: Local servers need no key, but the client insists on one.
_NO_KEY = "none"
_BACKOFF_SECONDS = 0.5
_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)


class OpenAIWriter(Writer):
    """See :class:`Writer`."""

    def __init__(
        self,
        settings: WritingSection,
        cache: ReplyCache,
        *,
        api_key: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.clock, self.sleep = clock, sleep
        self.deadline = clock() + settings.deadline_seconds
        self.client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=api_key or _NO_KEY,
            timeout=settings.timeout_seconds,
            max_retries=0,
        )
        self.requests = self.tokens = self.cached = 0

    def write_pick(self, pick: Pick, composed: DraftPick, locale: str) -> Mapping[str, str] | None:
        prompt = pick_prompt(pick, composed.short_name, composed.area, locale)
        key = self.cache.key(pick.paper.arxiv_id, str(pick.paper.version), locale, prompt.digest, self.model)
        return self._fields(key, prompt, tuple(PICK_FIELDS), f"{pick.paper.arxiv_id} ({locale})")

    def write_intro(self, draft: Draft, picks: tuple[Pick, ...], locale: str) -> str | None:
        prompt = intro_prompt(draft, locale)
        key = self.cache.key("intro", draft.issue_date.isoformat(), locale, prompt.digest, self.model)
        fields = self._fields(key, prompt, (INTRO_FIELD,), f"the intro ({locale})")
        return fields.get(INTRO_FIELD) if fields else None

    @property
    def model(self) -> str:
        return self.settings.model

    def usage(self) -> Usage:
        return Usage(requests=self.requests, tokens=self.tokens, cached=self.cached)

    def close(self) -> None:
        self.client.close()

    def _fields(self, key: str, prompt: Prompt, wanted: tuple[str, ...], what: str) -> dict[str, str] | None:
        cached = self.cache.get(key)
        if cached is not None:
            self.cached += 1
            return cached
        content = self._ask(prompt, what)
        fields = _parse(content, wanted) if content is not None else None
        if fields is None:
            if content is not None:
                logger.warning("the model's reply for %s is not a JSON object with text fields", what)
            return None
        self.cache.put(key, fields, model=self.model, prompt=prompt.digest)
        return fields

    def _ask(self, prompt: Prompt, what: str) -> str | None:
        """The reply's content, or None once the budget, the deadline or the retries run out."""
        for attempt in range(self.settings.max_retries + 1):
            left = self.deadline - self.clock()
            if not self._affordable(left, what):
                return None
            try:
                reply = self.client.chat.completions.create(
                    model=self.model,
                    messages=[
                        ChatCompletionSystemMessageParam(role="system", content=prompt.system),
                        ChatCompletionUserMessageParam(role="user", content=prompt.user),
                    ],
                    response_format={"type": "json_object"},
                    temperature=self.settings.temperature,
                    timeout=min(self.settings.timeout_seconds, left),
                )
            except (*_RETRYABLE, openai.APITimeoutError) as error:
                self.requests += 1
                wait = _wait_for(error, attempt)
                logger.warning("the model's API failed for %s: %s", what, _reason(error))
                if attempt == self.settings.max_retries or self.clock() + wait >= self.deadline:
                    return None
                self.sleep(wait)
                continue
            except openai.APIError as error:
                self.requests += 1
                logger.warning("the model's API refused %s: %s", what, _reason(error))
                return None
            self.requests += 1
            self.tokens += reply.usage.total_tokens if reply.usage else 0
            return reply.choices[0].message.content if reply.choices else None
        return None

    def _affordable(self, left: float, what: str) -> bool:
        if left <= 0:
            logger.warning("writing.deadline_seconds passed: %s stays extractive", what)
            return False
        if self.requests >= self.settings.max_requests or self.tokens >= self.settings.max_tokens:
            logger.warning("the writing budget is spent: %s stays extractive", what)
            return False
        return True


def _parse(content: str, wanted: tuple[str, ...]) -> dict[str, str] | None:
    try:
        data = json.loads(content)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    fields = {k: v.strip() for k, v in data.items() if k in wanted and isinstance(v, str) and v.strip()}
    return fields or None


def _wait_for(error: Exception, attempt: int) -> float:
    """How long to wait before the next attempt: ``Retry-After`` when given, else a backoff."""
    backoff: float = _BACKOFF_SECONDS * 2.0**attempt
    response = getattr(error, "response", None)
    header = str(response.headers.get("retry-after", "")) if response is not None else ""
    if not header:
        return backoff
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return backoff
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _reason(error: Exception) -> str:
    status = getattr(error, "status_code", None)
    return f"HTTP {status}" if status else type(error).__name__
