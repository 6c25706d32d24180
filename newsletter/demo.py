"""The demo: one full cycle on the bundled recorded arXiv window, offline.

It runs the production code path: the real arxiv client reads the recorded feed from a replay
server on 127.0.0.1, the bundled sample list receives the issue through the outbox backend,
and running it again sends nobody the same issue twice.

The demo lives in a data folder of its own (``var/demo`` by default) with its own SQLite
database, signing key and outbox, on the built-in defaults: it reads no configuration file
and no ``NEWSLETTER_*`` variable, so it can never import its sample addresses into a real
list or mail anyone through a real backend.
"""

from __future__ import annotations

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
from newsletter.errors import InputError
from newsletter.store import audience
from newsletter.store.database import sqlite_folder
from newsletter.subscribers.importer import import_csv
from newsletter.testing.replay import ArxivReplayServer
from newsletter.unsubscribe import Signer

#: The close of the recorded window: the sample issue's morning.
DEMO_AT = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
DEMO_LIST = "research-brief"
#: The demo's own data folder, unless ``newsletter demo --data-dir`` names another.
DEMO_DATA_DIR = Path("var") / "demo"


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoResult:
    issue_id: int
    draft_path: Path
    rendered: dict[str, Path]
    outbox: Path
    report: DeliveryReport


def data_file(name: str) -> Path:
    return Path(str(resources.files("newsletter") / "data" / name))


def demo_config(data_dir: Path) -> Config:
    """The built-in defaults, with everything the demo touches inside ``data_dir``.

    The keys that could reach real people are set here, not left to a default, so that
    nothing read from elsewhere can ever change them.
    """
    return Config().replace(
        **{
            "newsletter.data_dir": str(data_dir),
            "newsletter.lists": [DEMO_LIST],
            "database.url": "",
            "delivery.backend": "outbox",
            "delivery.outbox_dir": "",
        }
    )


def check_apart(data_dir: Path, configured: Config) -> None:
    """Refuse a demo folder that is, or holds, the configured deployment's data or database."""
    demo = data_dir.resolve()
    theirs = {"newsletter.data_dir": configured.data_dir, "delivery.outbox_dir": configured.outbox_dir}
    database_folder = sqlite_folder(configured.database_url)
    if database_folder is not None:
        theirs["database.url"] = database_folder
    for key, folder in theirs.items():
        if folder.resolve() == demo:
            raise InputError(
                f"--data-dir {data_dir}: it is the folder of the configured {key}; "
                "give the demo a folder of its own"
            )


def run_demo(data_dir: Path, render: Callable[[pipeline.App, Path], dict[str, Path]]) -> DemoResult:
    """Run the demo cycle in ``data_dir``; ``render`` writes each locale's files for the draft
    and returns their folders."""
    with ArxivReplayServer(data_file("arxiv/2026-07-01.atom.xml")) as server:
        app = pipeline.App(demo_config(data_dir).replace(**{"arxiv.base_url": server.url}), actor="demo")
        config = app.config
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
    """The demo's own key, kept in its data folder: a real key never signs demo links."""
    key_file = config.data_dir / "demo-signing-key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(32), encoding="ascii")
        key_file.chmod(0o600)
    return Signer([key_file.read_text(encoding="ascii").strip().encode()])
