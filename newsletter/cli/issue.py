"""Commands that make and send an issue: run, gather, draft, render, send, status."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from newsletter import pipeline, workers
from newsletter.cli.common import Context, at_option, echo_json, json_option, parse_at, pass_context
from newsletter.delivery.dispatch import DeliveryReport
from newsletter.delivery.message import check_headers, personalize, sample_copy, to_mime
from newsletter.digest import draft_to_json, read_draft
from newsletter.errors import DeliveryError, InputError
from newsletter.render import size_warning
from newsletter.status import batch_list, unknown_advice
from newsletter.store.schema import SendStatus


@click.command()
@at_option
@click.option("--no-send", is_flag=True, help="Gather and draft, but do not send.")
@pass_context
def run(ctx: Context, at: str | None, no_send: bool) -> None:
    """Run one full cycle for the window ending now (or at --at)."""
    result = pipeline.run_cycle(ctx.app, parse_at(at, ctx.config), send=not no_send)
    _print_gathering(result.gathering)
    if result.draft:
        click.echo(f"Draft: {result.draft.path}")
    if result.report:
        _print_report(result.report)
    if result.skipped:
        click.echo(f"Not sent: {result.skipped}.")


@click.command()
@at_option
@json_option
@pass_context
def gather(ctx: Context, at: str | None, as_json: bool) -> None:
    """Fetch the window's new papers and list the candidates."""
    found = pipeline.gather(ctx.app, parse_at(at, ctx.config))
    if as_json:
        echo_json(
            {
                "issue_id": found.issue_id,
                "window": {"start": found.window.start.isoformat(), "end": found.window.end.isoformat()},
                "fetched": found.fetched,
                "candidates": [
                    {
                        "id": p.arxiv_id,
                        "version": p.version,
                        "title": p.title,
                        "categories": list(p.categories),
                        "submitted": p.published.isoformat(),
                        "comment": p.comment,
                    }
                    for p in found.candidates
                ],
            }
        )
        return
    _print_gathering(found)
    for paper in found.candidates:
        click.echo(f"  {paper.arxiv_id}v{paper.version}  {paper.published:%Y-%m-%d %H:%M}Z  {paper.title}")
        click.echo(f"      {' '.join(paper.categories)}" + (f"  · {paper.comment}" if paper.comment else ""))


@click.command()
@at_option
@json_option
@pass_context
def draft(ctx: Context, at: str | None, as_json: bool) -> None:
    """Gather, rank and write the issue's draft file (an editor's edits are kept)."""
    result = pipeline.build_draft(ctx.app, parse_at(at, ctx.config))
    if as_json:
        echo_json({"issue_id": result.issue_id, "path": str(result.path), **draft_to_json(result.draft)})
        return
    verb = "Updated" if result.merged else "Wrote"
    click.echo(f"{verb} the draft of issue #{result.issue_id}: {result.path}")
    click.echo(f"  Goes to: {', '.join(result.draft.lists)}")
    for place, pick in enumerate(result.draft.picks, start=1):
        click.echo(f"  {place}. {pick.short_name} ({pick.arxiv_id})  score {pick.score:.2f}")
    if ctx.config.writing.backend != "extractive":
        done = result.writing
        click.echo(
            f"Writing: {done.machine} fields machine-written, {done.rejected} rejected by the fact guard, "
            f"{done.tokens} tokens used ({done.requests} requests, {done.cached} replies from the cache)."
        )


@click.command()
@click.argument("draft_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--locale", "locales", multiple=True, help="Locale to render (repeatable; default: all).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@pass_context
def render(ctx: Context, draft_file: Path, locales: tuple[str, ...], out_dir: Path) -> None:
    """Render a draft to issue.html, issue.txt and a sample issue.eml per locale."""
    for locale, folder in render_draft(ctx, draft_file, locales, out_dir).items():
        click.echo(f"{locale}: {folder / 'issue.html'}  {folder / 'issue.txt'}  {folder / 'issue.eml'}")


def render_draft(ctx: Context, draft_file: Path, locales: tuple[str, ...], out_dir: Path) -> dict[str, Path]:
    """Write each locale's files; with several locales, each goes in its own sub-folder.

    Every file of every locale is rendered in memory first, so a failure writes nothing, and
    each is then written whole (a temporary file renamed over the old one): a reader never
    sees half a file, nor an HTML part beside the text part of an older rendering.
    """
    parsed = read_draft(draft_file)
    chosen = locales or tuple(ctx.config.newsletter.locales)
    rendered: dict[str, tuple[Path, dict[str, bytes]]] = {}
    for locale in chosen:
        email = pipeline.render_issue(ctx.app, parsed, locale)
        campaign, person = sample_copy(ctx.config, email, address=ctx.config.newsletter.editor_email)
        files = {
            "issue.html": email.html.encode("utf-8"),
            "issue.txt": email.text.encode("utf-8"),
            "issue.eml": bytes(to_mime(personalize(check_headers(campaign), person))),
        }
        warning = size_warning(email)
        if warning:
            click.secho(f"warning: {locale}: {warning}", fg="yellow", err=True)
        rendered[locale] = (out_dir if len(chosen) == 1 else out_dir / locale, files)
    for folder, files in rendered.values():
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            _write_whole(folder / name, data)
    return {locale: folder for locale, (folder, _) in rendered.items()}


def _write_whole(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


@click.command()
@click.argument("issue_ref", metavar="ISSUE")
@click.option(
    "--list",
    "lists",
    multiple=True,
    help="Send only to this one of the issue's lists (repeatable; default: all the issue's lists).",
)
@click.option(
    "--test-to",
    "test_to",
    multiple=True,
    help="Send a test copy ([TEST] subject) to this address; no records kept.",
)
@click.option(
    "--locale",
    default=None,
    help="With --test-to: the locale of the test copy (default: newsletter.default_locale).",
)
@click.option("--resume", is_flag=True, help="Continue an issue that was paused after too many failures.")
@click.option(
    "--worker",
    is_flag=True,
    help="Share the issue's batches with other --worker processes (PostgreSQL); stops cleanly on SIGTERM.",
)
@click.option(
    "--resend-unknown",
    is_flag=True,
    help="Re-send the batches already listed with an unknown outcome (after a sender died).",
)
@click.option(
    "--settle-unknown",
    type=click.Choice(["sent", "failed"]),
    default=None,
    help="Record the listed unknown batches as sent or failed, as the provider's log shows; sends nothing.",
)
@pass_context
def send(
    ctx: Context,
    issue_ref: str,
    lists: tuple[str, ...],
    test_to: tuple[str, ...],
    locale: str | None,
    resume: bool,
    resend_unknown: bool,
    settle_unknown: str | None,
    worker: bool,
) -> None:
    """Send ISSUE (an id or a date) to its lists; safe to run again: nobody gets it twice."""
    if locale is not None and not test_to:
        raise InputError("--locale: applies only to a test copy; add --test-to EMAIL")
    if settle_unknown:
        _settle_unknown(ctx, issue_ref, settle_unknown, clashes=test_to or resume or resend_unknown or worker)
        return
    if test_to:
        sent = pipeline.send_test(ctx.app, issue_ref, test_to, locale=locale)
        click.echo(f"Sent a test copy of issue #{sent} to {', '.join(a.strip() for a in test_to)}.")
        return
    if worker:
        with workers.stop_on_signals() as stopping:
            report = workers.run_worker(ctx.app, issue_ref, lists=lists, should_stop=stopping.is_set)
        _print_report(report)
        return
    with _Progress() as progress:
        report = pipeline.deliver_issue(
            ctx.app,
            issue_ref,
            lists=lists,
            resume=resume,
            resend_unknown=resend_unknown,
            on_start=progress.start,
            on_batch=progress.update,
        )
    _print_report(report)
    if report.paused:
        raise DeliveryError(f"issue {report.paused}")


def _print_report(report: DeliveryReport) -> None:
    """The run's counts, the issue's totals, and what the operator has to decide."""
    totals = report.totals
    click.echo(
        f"This run: {report.sent} sent, {report.skipped} skipped, {report.failed} failed, "
        f"{report.unknown} unknown. Issue totals: " + ", ".join(f"{n} {s}" for s, n in sorted(totals.items()))
    )
    if report.resent_batches:
        click.echo(
            f"Sent again: the {report.resent} records of {batch_list(report.resent_batches)}, "
            "whose outcome was unknown."
        )
    if report.unknown_batches:
        advice = unknown_advice(report.issue_id, report.unknown_batches, report.unknown)
        click.echo(f"Outcome unknown: {advice}.")


def _settle_unknown(ctx: Context, issue_ref: str, outcome: str, *, clashes: object) -> None:
    if clashes:
        raise click.UsageError(
            "--settle-unknown sends nothing: use it without --test-to, --resume, --resend-unknown or --worker"
        )
    done = pipeline.settle_unknown(ctx.app, issue_ref, SendStatus(outcome))
    if done.settled:
        click.echo(
            f"Recorded {done.settled} records of {batch_list(done.batches)} of issue "
            f"#{done.issue_id} as {outcome}; nothing was sent. The issue is {done.issue_status}."
        )
    else:
        click.echo(f"Issue #{done.issue_id} had no batch listed with an unknown outcome; nothing changed.")
    if done.found_unknown:
        click.echo(
            f"Found just now with an unknown outcome, so not settled: {batch_list(done.found_unknown)}; "
            "look them up in the provider's log, then run this again."
        )


class _Progress:
    """A progress bar over the records to send, drawn only when stdout is a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._shown = 0

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *_: object) -> None:
        if self._bar is not None:
            self._bar.render_finish()

    def start(self, total: int) -> None:
        if total and sys.stdout.isatty():
            self._bar = click.progressbar(length=total, label="Sending", show_pos=True, show_eta=True)
            self._bar.render_progress()

    def update(self, done: int) -> None:
        if self._bar is not None and done > self._shown:
            self._bar.update(done - self._shown)
            self._shown = done


@click.command()
@click.argument("issue", required=False)
@json_option
@click.option("--limit", default=10, show_default=True, help="How many recent issues and runs to show.")
@pass_context
def status(ctx: Context, issue: str | None, as_json: bool, limit: int) -> None:
    """Show the upcoming runs, recent issues with delivery counts, and what needs attention.

    With ISSUE (an id or a date): that issue's report per locale and list (delivered, bounced,
    complained, unsubscribed; opens and clicks per link when delivery.tracking is on).
    """
    from newsletter import status as report

    if issue is not None:
        _print_issue_report(ctx, issue, as_json)
        return
    found = report.collect(ctx.config, ctx.app.db, datetime.now(ctx.config.tz), limit=limit)
    if as_json:
        echo_json(report.to_json(found))
        return
    for line in report.to_lines(found, ctx.config):
        click.echo(line)


def _print_issue_report(ctx: Context, issue: str, as_json: bool) -> None:
    from newsletter import report

    found = report.issue_report(ctx.app.db, issue, tracking=ctx.config.delivery.tracking)
    if as_json:
        echo_json(report.to_json(found))
        return
    for line in report.to_lines(found):
        click.echo(line)


def _print_gathering(found: pipeline.Gathering) -> None:
    click.echo(
        f"Issue #{found.issue_id}: window {found.window.start.isoformat()} → {found.window.end.isoformat()}, "
        f"{len(found.candidates)} candidates ({found.fetched} fetched)"
    )


COMMANDS = [run, gather, draft, render, send, status]
