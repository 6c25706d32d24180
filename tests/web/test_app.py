"""The public application's lifespan, as ``newsletter serve`` runs it."""

from __future__ import annotations

import gc

from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.store import Database
from newsletter.unsubscribe import Signer
from newsletter.web.app import public_app


def test_what_the_server_holds_at_start_stays_out_of_the_collectors_full_passes(
    config: Config, db: Database, signer: Signer
) -> None:
    before = gc.get_freeze_count()
    with TestClient(public_app(config, db=db, signer=signer)) as client:
        frozen = gc.get_freeze_count()
        assert client.get("/healthz").text == "ok"
    assert frozen > before
    # Stopped, it gives the objects back to the collector.
    assert gc.get_freeze_count() == 0
