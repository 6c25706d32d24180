"""The public pages in Korean: no particle written in both forms, and lines break between words."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from newsletter.config import Config
from newsletter.store import Database
from newsletter.unsubscribe import Signer, TokenSubject
from newsletter.web.app import public_app
from tests.test_korean import assert_no_particle_placeholder


@pytest.fixture
def client(config: Config, db: Database, signer: Signer) -> TestClient:
    return TestClient(public_app(config, db=db, signer=signer))


def test_korean_pages_never_write_both_forms(
    client: TestClient, signer: Signer, subscriber_ids: dict[str, int]
) -> None:
    token = signer.sign(TokenSubject(subscriber_id=subscriber_ids["ko"], issue_id=7))
    pages = {
        "unsubscribe page": client.get(f"/u/{token}"),
        "language changed": client.post(f"/u/{token}/language", data={"locale": "ko"}),
        "unsubscribed": client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"}),
    }
    for name, page in pages.items():
        assert '<html lang="ko">' in page.text, name
        assert ":lang(ko){" in page.text, name
        assert "word-break:keep-all;overflow-wrap:anywhere" in page.text, name
        assert_no_particle_placeholder(page.text, name)
