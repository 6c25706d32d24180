"""The demo: one full cycle on the bundled recorded arXiv window, offline.

It runs the production code path: the real arxiv client reads the recorded feed from a replay
server on 127.0.0.1, the bundled sample list receives the issue through the outbox backend,
and running it again sends nobody the same issue twice.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from newsletter import pipeline
from newsletter.config import Config
from newsletter.delivery.dispatch import DeliveryReport
from newsletter.sources.replay import ArxivReplayServer
from newsletter.store import audience
from newsletter.subscribers.importer import import_csv
from newsletter.unsubscribe import KEY_ENV, Signer

#: The close of the recorded window: the sample issue's morning.
DEMO_AT = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
DEMO_LIST = "research-brief"


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoResult:
    issue_id: int
    draft_path: Path
    rendered: dict[str, Path]
    outbox: Path
    report: DeliveryReport


def data_file(name: str) -> Path:
    return Path(str(resources.files("newsletter") / "data" / name))


def run_demo(config: Config, render: Callable[[pipeline.App, Path], dict[str, Path]]) -> DemoResult:
    """Run the demo cycle; ``render`` writes each locale's files for the draft and returns their folders."""
    with ArxivReplayServer(data_file("arxiv/2026-07-01.atom.xml")) as server:
        app = pipeline.App(config.replace(**{"arxiv.base_url": server.url}))
        load_sample_list(app)
        # The steps of run_cycle, with the rendering written out to look at. On a second run the
        # issue is found again and its send records keep anyone from receiving it twice.
        draft = pipeline.build_draft(app, DEMO_AT)
        rendered = render(app, draft.path)
        signer = demo_signer(config)
        report = pipeline.deliver_issue(app, draft.issue_id, lists=[DEMO_LIST], signer=signer)
    return DemoResult(
        issue_id=draft.issue_id,
        draft_path=draft.path,
        rendered=rendered,
        outbox=app.config.outbox_dir / f"issue-{draft.issue_id}",
        report=report,
    )


def load_sample_list(app: pipeline.App) -> None:
    """The bundled sample subscribers, a few in each language; importing them again changes nothing."""
    with app.db.transaction() as session:
        audience.ensure_list(session, DEMO_LIST, description="Demo list of the bundled sample")
    import_csv(
        app.db,
        data_file("sample-subscribers.csv"),
        list_name=DEMO_LIST,
        config=app.config,
        consent_source="demo sample list",
    )


def demo_signer(config: Config) -> Signer:
    """The signing key from the environment, or a demo key kept in the data folder."""
    if os.environ.get(KEY_ENV):
        return Signer.from_env()
    key_file = config.data_dir / "demo-signing-key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(32), encoding="ascii")
        key_file.chmod(0o600)
    return Signer([key_file.read_text(encoding="ascii").strip().encode()])
