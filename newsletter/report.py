"""The operator's report on one sent issue: what happened to it per locale and per list.

Counts are people, not events: a subscriber who opened an issue three times counts once under
``opened``. Locales are the ones each recipient was sent; lists are the subscriber's lists now
(send records do not keep which list brought a recipient in), so a subscriber on two lists counts
under both and the list rows need not add up to the total. Opens and clicks are shown only when
``delivery.tracking`` is on, because only then are they counted on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

from newsletter.delivery import sendgrid
from newsletter.store import Database, Session, issues
from newsletter.store.report import Grouping, LinkClicks, clicks_per_link, people_per_outcome

KEYS = ("sent", "delivered", "bounced", "complained", "unsubscribed")
TRACKED_KEYS = ("opened", "clicked")
#: Provider events by what the report calls them; the names are SendGrid's (delivery/sendgrid.py).
_EVENT_KEYS: Mapping[str, str] = {
    sendgrid.DELIVERED: "delivered",
    sendgrid.BOUNCE: "bounced",
    sendgrid.SPAM_REPORT: "complained",
    **dict.fromkeys(sendgrid.UNSUBSCRIBE_EVENTS, "unsubscribed"),
    sendgrid.OPEN: "opened",
    sendgrid.CLICK: "clicked",
}
#: Links shown in the clicks table; the rest are summed in one line.
_LINKS_SHOWN = 20

Counts = Mapping[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueReport:
    issue_id: int
    date: str
    status: str
    tracking: bool
    total: Counts
    by_locale: Mapping[str, Counts]
    by_list: Mapping[str, Counts]
    links: tuple[LinkClicks, ...] = field(default=())
    """Clicks per link, most clicked first; empty when tracking is off."""

    @property
    def keys(self) -> tuple[str, ...]:
        return KEYS + TRACKED_KEYS if self.tracking else KEYS


def issue_report(db: Database, ref: int | str, *, tracking: bool) -> IssueReport:
    """The report on issue ``ref`` (an id or a date)."""
    with db.transaction() as session:
        issue = issues.get_issue(session, ref)
        issue_id = issue.id
        keys = KEYS + TRACKED_KEYS if tracking else KEYS
        by_locale = _grouped(session, issue_id, "locale", keys)
        by_list = _grouped(session, issue_id, "list", keys)
        total = _grouped(session, issue_id, "issue", keys).get("all") or dict.fromkeys(keys, 0)
        links = tuple(clicks_per_link(session, issue_id, click=sendgrid.CLICK)) if tracking else ()
        return IssueReport(
            issue_id=issue_id,
            date=issue.issue_date.isoformat(),
            status=issue.status,
            tracking=tracking,
            total=total,
            by_locale=by_locale,
            by_list=by_list,
            links=links,
        )


def _grouped(
    session: Session, issue_id: int, by: Grouping, keys: tuple[str, ...]
) -> dict[str, dict[str, int]]:
    """Counts of people per group of ``by``, or for the whole issue under ``all``."""
    found: dict[str, dict[str, int]] = {}
    for row in people_per_outcome(
        session, issue_id, events=_EVENT_KEYS, sent="sent", left="unsubscribed", by=by
    ):
        name = "all" if by == "issue" else row.group
        if row.outcome in keys:
            found.setdefault(name, dict.fromkeys(keys, 0))[row.outcome] = row.people
    return dict(sorted(found.items()))


def to_json(report: IssueReport) -> dict[str, object]:
    return {
        "id": report.issue_id,
        "date": report.date,
        "status": report.status,
        "tracking": report.tracking,
        "total": dict(report.total),
        "by_locale": {name: dict(counts) for name, counts in report.by_locale.items()},
        "by_list": {name: dict(counts) for name, counts in report.by_list.items()},
        "links": [{"url": x.url, "clicks": x.clicks, "people": x.people} for x in report.links],
    }


def to_lines(report: IssueReport) -> list[str]:
    """A table: one row for the whole issue, one per locale, one per list."""
    keys = report.keys
    rows = [("all", report.total)]
    rows += [(f"locale {name}", counts) for name, counts in report.by_locale.items()]
    rows += [(f"list {name}", counts) for name, counts in report.by_list.items()]
    width = max(len(name) for name, _ in rows)
    lines = [f"Issue #{report.issue_id} of {report.date} ({report.status})"]
    lines.append("  " + " " * width + "".join(f"{key:>14}" for key in keys))
    lines += [
        "  " + name.ljust(width) + "".join(f"{counts[key]:>14}" for key in keys) for name, counts in rows
    ]
    if not report.tracking:
        lines.append("Opens and clicks are not counted (delivery.tracking is off).")
    elif report.links:
        lines.append("Clicks per link:")
        lines += [
            f"  {x.clicks:>6} clicks  {x.people:>6} people  {x.url}" for x in report.links[:_LINKS_SHOWN]
        ]
        rest = report.links[_LINKS_SHOWN:]
        if rest:
            lines.append(f"  {sum(x.clicks for x in rest):>6} clicks on {len(rest)} other links")
    else:
        lines.append("No clicks recorded yet.")
    return lines


def _rows(report: IssueReport) -> list[tuple[str, Counts]]:
    rows = [("all", report.total)]
    rows += [(f"locale {name}", counts) for name, counts in report.by_locale.items()]
    rows += [(f"list {name}", counts) for name, counts in report.by_list.items()]
    return rows


def to_html(report: IssueReport) -> str:
    """The same report as an HTML section, for the preview."""
    keys = report.keys
    rows = [("all", report.total)]
    rows += [(f"locale {name}", counts) for name, counts in report.by_locale.items()]
    rows += [(f"list {name}", counts) for name, counts in report.by_list.items()]
    head = "".join(f'<th scope="col">{key}</th>' for key in keys)
    body = "".join(
        f'<tr><th scope="row">{escape(name)}</th>'
        + "".join(f"<td>{counts[key]}</td>" for key in keys)
        + "</tr>"
        for name, counts in rows
    )
    html = (
        f'<section id="report"><h2>Delivery report of issue #{report.issue_id}</h2>'
        f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
    if not report.tracking:
        html += "<p>Opens and clicks are not counted (delivery.tracking is off).</p>"
    elif report.links:
        items = "".join(
            f"<tr><td>{x.clicks}</td><td>{x.people}</td><td><code>{escape(x.url)}</code></td></tr>"
            for x in report.links[:_LINKS_SHOWN]
        )
        html += (
            "<h3>Clicks per link</h3><table><thead><tr><th>clicks</th><th>people</th><th>link</th></tr>"
            f"</thead><tbody>{items}</tbody></table>"
        )
    return html + "</section>"
