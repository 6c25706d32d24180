"""Building the two Starlette applications: the public endpoints and the editor's preview."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from newsletter.archive import Archive
from newsletter.config import Config
from newsletter.errors import InputError
from newsletter.store import Database
from newsletter.unsubscribe import Signer
from newsletter.web.archive import ArchiveEndpoints
from newsletter.web.body import BodyLimit
from newsletter.web.preview import Preview
from newsletter.web.preview_page import PreviewEndpoints
from newsletter.web.subscribe import SubscribeEndpoints
from newsletter.web.unsubscribe import UnsubscribeEndpoints, invalid_link
from newsletter.web.webhook import MAX_BODY_BYTES, WEBHOOK_PATH, SendGridWebhook

logger = logging.getLogger(__name__)


def public_app(
    config: Config,
    *,
    db: Database | None = None,
    signer: Signer | None = None,
    webhook: SendGridWebhook | None = None,
    archive: Archive | None = None,
) -> Starlette:
    """The endpoints the world reaches: ``/u/{token}``, ``/subscribe``, ``/webhooks/sendgrid``,
    ``/archive/`` and ``/healthz``.

    ``signer`` defaults to the keys in the environment (see :mod:`newsletter.unsubscribe`) and
    ``webhook`` to the ``delivery.sendgrid`` settings; tests pass their own.
    """
    db = db or Database(config.database_url)
    unsubscribe = UnsubscribeEndpoints(config=config, db=db, signer=signer or Signer.from_env())
    webhook = webhook or SendGridWebhook.from_config(config.delivery.sendgrid, db)
    routes = [Route("/healthz", _health, methods=["GET"]), *unsubscribe.routes(), *webhook.routes()]
    routes += ArchiveEndpoints(archive or Archive(config, db)).routes()
    subscribe = SubscribeEndpoints(config=config, db=db, signer=unsubscribe.signer)
    routes += subscribe.routes()

    async def bad_input(request: Request, error: Exception) -> Response:
        # The reason goes to the log at debug level only: a page that explains why a token
        # failed would help someone forging one.
        logger.debug("rejected %s %s: %s", request.method, request.url.path, error)
        return invalid_link(request, config)

    # Every route's body is bounded here, below the handlers; only the webhook's batches need
    # more than the default.
    bounded = Middleware(BodyLimit, path_bytes={WEBHOOK_PATH: MAX_BODY_BYTES})
    return Starlette(
        routes=routes,
        middleware=[bounded],
        exception_handlers={InputError: bad_input},
        lifespan=_frozen_heap,
    )


#: The preview answers only to these names, so a web page cannot reach it by DNS rebinding.
PREVIEW_HOSTS = ["127.0.0.1", "localhost"]


def preview_app(preview: Preview) -> Starlette:
    """The editor's preview of one draft; serve it on 127.0.0.1 only."""
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=PREVIEW_HOSTS),
        Middleware(BodyLimit),
    ]
    return Starlette(routes=PreviewEndpoints(preview).routes(), middleware=middleware)


@asynccontextmanager
async def _frozen_heap(app: Starlette) -> AsyncIterator[None]:
    """Keep the collector's full passes to the objects that requests make.

    What the server holds once started (SQLAlchemy's, the templates', the locale data) lives
    as long as the process; each full collection walked all of it, about 50 ms every few
    hundred requests, which every request then in progress had to wait for.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def _health(request: Request) -> Response:
    return PlainTextResponse("ok")
