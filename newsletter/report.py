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
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from newsletter.store import Database, issues
from newsletter.store.schema import (
    DeliveryEvent,
    MailingList,
    Membership,
    Send,
    SendStatus,
    StatusChange,
    SubscriberStatus,
)

KEYS = ("sent", "delivered", "bounced", "complained", "unsubscribed")
TRACKED_KEYS = ("opened", "clicked")
#: Provider events by what the report calls them.
_EVENT_KEYS = {
    "delivered": "delivered",
    "bounce": "bounced",
    "spamreport": "complained",
    "unsubscribe": "unsubscribed",
    "group_unsubscribe": "unsubscribed",
    "open": "opened",
    "click": "clicked",
}
#: Links shown in the clicks table; the rest are summed in one line.
_LINKS_SHOWN = 20

Counts = Mapping[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkClicks:
    url: str
    clicks: int
    people: int


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
        by_locale = _grouped(session, issue_id, Send.locale, keys)
        by_list = _grouped(session, issue_id, MailingList.name, keys)
        total = _grouped(session, issue_id, None, keys).get("all") or dict.fromkeys(keys, 0)
        return IssueReport(
            issue_id=issue_id,
            date=issue.issue_date.isoformat(),
            status=issue.status,
            tracking=tracking,
            total=total,
            by_locale=by_locale,
            by_list=by_list,
            links=_links(session, issue_id) if tracking else (),
        )


def _people(issue_id: int) -> Select[tuple[int | None, str]]:
    """(subscriber, what happened) for every event of the issue and every unsubscribe through it."""
    events = select(
        DeliveryEvent.subscriber_id.label("subscriber_id"),
        case(_EVENT_KEYS, value=DeliveryEvent.event).label("kind"),
    ).where(DeliveryEvent.issue_id == issue_id, DeliveryEvent.event.in_(_EVENT_KEYS))
    by_link = select(
        StatusChange.subscriber_id.label("subscriber_id"), literal("unsubscribed").label("kind")
    ).where(StatusChange.issue_id == issue_id, StatusChange.status == SubscriberStatus.UNSUBSCRIBED.value)
    sent = select(Send.subscriber_id.label("subscriber_id"), literal("sent").label("kind")).where(
        Send.issue_id == issue_id, Send.status == SendStatus.SENT.value
    )
    return union_all(events, by_link, sent)  # type: ignore[return-value]


def _grouped(session: Session, issue_id: int, group: Any, keys: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Counts of people per ``group`` (a column), or for the whole issue under ``all`` when None."""
    people = _people(issue_id).subquery()
    columns = [people.c.kind, func.count(func.distinct(people.c.subscriber_id))]
    # Every person is joined to their send record of this issue: its locale, and their lists.
    query = (
        select(*(columns if group is None else [*columns, group]))
        .select_from(people)
        .join(Send, and_(Send.subscriber_id == people.c.subscriber_id, Send.issue_id == issue_id))
    )
    if group is MailingList.name:
        query = query.join(Membership, Membership.subscriber_id == Send.subscriber_id).join(
            MailingList, MailingList.id == Membership.list_id
        )
    grouping = [people.c.kind] if group is None else [people.c.kind, group]
    found: dict[str, dict[str, int]] = {}
    for row in session.execute(query.group_by(*grouping)):
        kind, count = row[0], row[1]
        name = "all" if group is None else str(row[2])
        if kind in keys:
            found.setdefault(name, dict.fromkeys(keys, 0))[kind] = int(count)
    return dict(sorted(found.items()))


def _links(session: Session, issue_id: int) -> tuple[LinkClicks, ...]:
    clicks = func.count()
    rows = session.execute(
        select(DeliveryEvent.url, clicks, func.count(func.distinct(DeliveryEvent.subscriber_id)))
        .where(
            DeliveryEvent.issue_id == issue_id,
            DeliveryEvent.event == "click",
            DeliveryEvent.url.is_not(None),
        )
        .group_by(DeliveryEvent.url)
        .order_by(clicks.desc(), DeliveryEvent.url)
    )
    return tuple(LinkClicks(url=str(url), clicks=int(n), people=int(p)) for url, n, p in rows)


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
