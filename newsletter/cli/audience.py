"""Commands for operators' lists and subscribers: thin wrappers over :mod:`newsletter.subscribers`."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from newsletter.cli.common import Context, echo_json, json_option, pass_context
from newsletter.store.audience import Via
from newsletter.store.schema import SubscriberStatus
from newsletter.subscribers import lists as list_ops
from newsletter.subscribers import service
from newsletter.subscribers.export import export_csv
from newsletter.subscribers.importer import ImportReport, import_csv, write_errors

_STATUSES = click.Choice([status.value for status in SubscriberStatus])


@click.group()
def lists() -> None:
    """Manage mailing lists."""


@lists.command("create")
@click.argument("name")
@click.option("--description", default="", help="What the list is for.")
@click.option("--locale", "default_locale", default=None, help="Default locale of its subscribers.")
@json_option
@pass_context
def create_list(ctx: Context, name: str, description: str, default_locale: str | None, as_json: bool) -> None:
    """Create the list NAME."""
    settings = ctx.config.newsletter
    with ctx.app.db.transaction() as session:
        list_ops.create_list(
            session,
            name,
            description=description,
            default_locale=default_locale or settings.default_locale,
            locales=settings.locales,
        )
        summary = list_ops.summary(session, name.strip())
    _done(as_json, _list_data(summary), f"Created list {summary.name!r} ({summary.default_locale}).")


@lists.command("list")
@json_option
@pass_context
def show_lists(ctx: Context, as_json: bool) -> None:
    """Show the lists with their members counted by status."""
    with ctx.app.db.transaction() as session:
        rows = [_list_data(item) for item in list_ops.summaries(session)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No lists yet. Create one with `newsletter lists create NAME`.")
    for row in rows:
        counts = ", ".join(f"{n} {status}" for status, n in row["counts"].items())
        click.echo(f"{row['name']:<24} {row['members']:>7} members ({counts})  {row['description']}")


@lists.command("rename")
@click.argument("old")
@click.argument("new")
@json_option
@pass_context
def rename_list(ctx: Context, old: str, new: str, as_json: bool) -> None:
    """Rename the list OLD to NEW; its members stay."""
    with ctx.app.db.transaction() as session:
        renamed = list_ops.rename_list(session, old, new)
        summary = list_ops.summary(session, renamed.name)
    _done(as_json, _list_data(summary), f"Renamed list {old!r} to {summary.name!r}.")


@lists.command("delete")
@click.argument("name")
@click.option("--force", is_flag=True, help="Delete it even though it has members (they stay subscribers).")
@json_option
@pass_context
def delete_list(ctx: Context, name: str, force: bool, as_json: bool) -> None:
    """Delete the list NAME; refused while it has members, unless --force."""
    with ctx.app.db.transaction() as session:
        members = list_ops.delete_list(session, name, force=force)
    data = {"name": name, "deleted": True, "members_removed": members}
    _done(as_json, data, f"Deleted list {name!r}" + (f" and its {members} memberships." if members else "."))


@click.group()
def subscribers() -> None:
    """Manage subscribers: add, find, change status, erase, import and export."""


@subscribers.command("add")
@click.argument("email")
@click.option("--name", default="")
@click.option("--locale", default=None, help="Default: the configured default locale.")
@click.option("--list", "list_names", multiple=True, required=True, help="List to join (repeatable).")
@click.option(
    "--consent-source", default="cli", show_default=True, help="Where the consent came from (recorded)."
)
@json_option
@pass_context
def add(
    ctx: Context,
    email: str,
    name: str,
    locale: str | None,
    list_names: tuple[str, ...],
    consent_source: str,
    as_json: bool,
) -> None:
    """Add EMAIL to lists, recording consent; an existing subscriber keeps their status."""
    settings = ctx.config.newsletter
    with ctx.app.db.transaction() as session:
        view, created = service.add(
            session,
            email,
            name=name,
            locale=locale or settings.default_locale,
            list_names=list_names,
            locales=settings.locales,
            consent_source=consent_source,
        )
    data = {**_subscriber_data(view), "created": created}
    text = ("Added " if created else "Already subscribed: ") + f"{view.email} ({view.status})"
    _done(as_json, data, text)


@subscribers.command("show")
@click.argument("email")
@json_option
@pass_context
def show(ctx: Context, email: str, as_json: bool) -> None:
    """Show EMAIL with its lists, consent and status history."""
    with ctx.app.db.transaction() as session:
        view = service.show(session, email)
    data = _subscriber_data(view)
    if as_json:
        echo_json(data)
        return
    for key in ("email", "name", "locale", "status", "status_changed_at", "consent_source", "consent_at"):
        click.echo(f"{key + ':':<19}{data[key]}")
    click.echo(f"{'lists:':<19}{', '.join(view.lists) or '-'}")
    click.echo("history:")
    for change in view.history:
        click.echo(f"  {change.at.isoformat()}  {change.status:<13} via {change.via:<17} {change.reason}")


@subscribers.command("find")
@click.argument("text", default="")
@click.option("--list", "list_name", default=None, help="Only members of this list.")
@click.option("--status", type=_STATUSES, default=None, help="Only subscribers with this status.")
@click.option("--limit", default=50, show_default=True)
@json_option
@pass_context
def find(
    ctx: Context, text: str, list_name: str | None, status: str | None, limit: int, as_json: bool
) -> None:
    """Find subscribers whose address or name contains TEXT."""
    with ctx.app.db.transaction() as session:
        found = service.find(session, text, list_name=list_name, status=status, limit=limit)
    if as_json:
        echo_json([_subscriber_data(item) for item in found])
        return
    if not found:
        click.echo("No subscriber matches.")
    for item in found:
        click.echo(f"{item.email:<40} {item.status:<13} {item.locale:<4} {item.name}")


@subscribers.command("list")
@click.option("--list", "list_name", default=None, help="Only members of this list.")
@click.option("--status", type=_STATUSES, default=None, help="Only subscribers with this status.")
@json_option
@pass_context
def list_subscribers(ctx: Context, list_name: str | None, status: str | None, as_json: bool) -> None:
    """List subscribers by address, in full, with status, locale, lists and name.

    Streamed a page at a time, so a list of any size starts printing at once; the count goes
    to stderr, so stdout can be piped.
    """
    count = 0
    with ctx.app.db.transaction() as session:
        found = service.each(session, list_name=list_name, status=status)
        if as_json:
            # An array written item by item: valid JSON without holding the list in memory.
            click.echo("[", nl=False)
            for count, item in enumerate(found, start=1):
                # No history key: the listing does not load it, and [] would read as "none".
                fields = {key: value for key, value in _subscriber_data(item).items() if key != "history"}
                data = json.dumps(fields, ensure_ascii=False)
                click.echo(("," if count > 1 else "") + "\n  " + data, nl=False)
            click.echo("\n]" if count else "]")
            return
        for item in found:
            count += 1
            lists_ = ",".join(item.lists) or "-"
            click.echo(f"{item.email:<40} {item.status:<13} {item.locale:<4} {lists_:<20} {item.name}")
    click.echo(f"{count} subscribers.", err=True)


@subscribers.command("set-locale")
@click.argument("email")
@click.argument("locale")
@json_option
@pass_context
def set_locale(ctx: Context, email: str, locale: str, as_json: bool) -> None:
    """Set the language EMAIL receives the newsletter in."""
    with ctx.app.db.transaction() as session:
        view = service.set_locale(session, email, locale, locales=ctx.config.newsletter.locales)
    _done(as_json, _subscriber_data(view), f"{view.email} now reads {view.locale}.")


@subscribers.command("unsubscribe")
@click.argument("email")
@click.option("--reason", default="", help="Why (recorded).")
@json_option
@pass_context
def unsubscribe(ctx: Context, email: str, reason: str, as_json: bool) -> None:
    """Unsubscribe EMAIL from everything; the change is recorded."""
    with ctx.app.db.transaction() as session:
        changed = service.unsubscribe(session, email, via=Via.CLI, reason=reason)
        view = service.view(session, service.get(session, email))
    text = f"Unsubscribed {view.email}." if changed else f"{view.email} was already {view.status}."
    _done(as_json, {**_subscriber_data(view), "changed": changed}, text)


@subscribers.command("resubscribe")
@click.argument("email")
@click.option("--confirm", is_flag=True, help="Confirm that the subscriber gave consent again.")
@click.option("--consent-source", default="cli", show_default=True, help="Where the new consent came from.")
@click.option("--reason", default="", help="Why (recorded).")
@json_option
@pass_context
def resubscribe(
    ctx: Context, email: str, confirm: bool, consent_source: str, reason: str, as_json: bool
) -> None:
    """Make EMAIL active again: only with --confirm of renewed consent."""
    with ctx.app.db.transaction() as session:
        changed = service.resubscribe(
            session, email, confirm=confirm, consent_source=consent_source, via=Via.CLI, reason=reason
        )
        view = service.view(session, service.get(session, email))
    text = f"Resubscribed {view.email}." if changed else f"{view.email} was already active."
    _done(as_json, {**_subscriber_data(view), "changed": changed}, text)


@subscribers.command("delete")
@click.argument("email")
@click.option("--reason", default="erased on request", show_default=True, help="Kept with the hash.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@pass_context
def delete(ctx: Context, email: str, reason: str, yes: bool, as_json: bool) -> None:
    """Erase EMAIL: delete its personal data, keep only a hash so it is never added again."""
    if not yes:
        click.confirm(f"Erase {email} and everything about them? This cannot be undone", abort=True)
    with ctx.app.db.transaction() as session:
        existed = service.erase(session, email, reason=reason)
    text = f"Erased {email.strip()}" if existed else f"{email.strip()} was not a subscriber"
    _done(as_json, {"email": email.strip(), "erased": existed, "suppressed": True}, text + "; suppressed.")


@subscribers.command("export")
@click.option("--list", "list_name", default=None, help="Only members of this list.")
@click.option("--status", type=_STATUSES, default=None, help="Only subscribers with this status.")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Default: stdout."
)
@click.option(
    "--excel",
    is_flag=True,
    help="For Excel: a BOM on stdout too, and times in newsletter.timezone as `status` shows them.",
)
@pass_context
def export(ctx: Context, list_name: str | None, status: str | None, output: Path | None, excel: bool) -> None:
    """Export subscribers as CSV (UTF-8, CRLF), with formula-like cells neutralized."""
    zone = ctx.config.tz if excel else None
    with ctx.app.db.transaction() as session:
        if output is None and not excel:
            export_csv(session, sys.stdout, list_name=list_name, status=status)
            return
        if output is None:
            # Excel (Korean Windows included) reads UTF-8 only after a BOM, even from a redirect.
            sys.stdout.flush()
            stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8-sig", newline="")
            try:
                export_csv(session, stdout, list_name=list_name, status=status, timezone=zone)
            finally:
                stdout.flush()
                stdout.detach()
            return
        # A BOM, so Excel (Korean Windows included) reads the file as UTF-8.
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            count = export_csv(session, handle, list_name=list_name, status=status, timezone=zone)
    click.echo(f"Exported {count} subscribers to {output}.", err=True)


@subscribers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--list", "list_name", required=True, help="The list every row joins.")
@click.option(
    "--encoding",
    default=None,
    help="The file's encoding, e.g. big5. Default: UTF-8, UTF-16 with a BOM or CP949; never guessed.",
)
@click.option("--dry-run", is_flag=True, help="Check everything and report; change nothing.")
@click.option(
    "--errors-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rejected rows (line, field, value, reason) to this CSV file.",
)
@click.option("--consent-source", default=None, help="Recorded as the consent (default: the file's name).")
@json_option
@pass_context
def import_(
    ctx: Context,
    file: Path,
    list_name: str,
    encoding: str | None,
    dry_run: bool,
    errors_out: Path | None,
    consent_source: str | None,
    as_json: bool,
) -> None:
    """Import subscribers from FILE (columns: email, name, locale, lists) in one transaction."""
    report = import_csv(
        ctx.app.db,
        file,
        list_name=list_name,
        config=ctx.config,
        encoding=encoding,
        dry_run=dry_run,
        consent_source=consent_source,
    )
    if errors_out is not None:
        write_errors(report, errors_out)
    if as_json:
        echo_json(report.as_dict())
        return
    _print_import(report, errors_out)


def _print_import(report: ImportReport, errors_out: Path | None) -> None:
    prefix = "Dry run, nothing changed: would have " if report.dry_run else ""
    click.echo(
        f"{prefix}{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.rejected} rejected ({report.rows} rows, read as {report.encoding})."
    )
    if report.ignored_columns:
        click.echo(f"Ignored columns: {', '.join(report.ignored_columns)}")
    for warning in report.warnings[:20]:
        click.echo(f"  line {warning.line}: warning: {warning.field} {warning.value!r}: {warning.reason}")
    if len(report.warnings) > 20:
        click.echo(f"  … {len(report.warnings) - 20} more warnings; all are in the --json report")
    shown = report.errors[:20]
    for problem in shown:
        click.echo(f"  line {problem.line}: {problem.field} {problem.value!r}: {problem.reason}")
    if len(report.errors) > len(shown):
        more = f"{len(report.errors) - len(shown)} more rejected rows"
        click.echo(f"  … {more}" + (f"; all are in {errors_out}" if errors_out else "; see --errors-out"))
    elif errors_out is not None:
        click.echo(f"Rejected rows written to {errors_out}.")


def _done(as_json: bool, data: dict[str, Any], text: str) -> None:
    if as_json:
        echo_json(data)
    else:
        click.echo(text)


def _list_data(summary: list_ops.ListSummary) -> dict[str, Any]:
    return _plain({**dataclasses.asdict(summary), "members": summary.members})


def _subscriber_data(view: service.SubscriberView) -> dict[str, Any]:
    return _plain(dataclasses.asdict(view))


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Times as ISO 8601, at any depth, so scripts can parse them."""

    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [convert(item) for item in value]
        return value

    converted: dict[str, Any] = convert(data)
    return converted


COMMANDS = [lists, subscribers]
