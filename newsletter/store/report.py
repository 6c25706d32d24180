"""The queries behind the per-issue report (:mod:`newsletter.report`): people per outcome, clicks per link.

Which provider event means which outcome is the provider's vocabulary, so the caller passes it in;
here the events, send records and unsubscribes are only counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Select, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from newsletter.store.schema import (
    DeliveryEvent,
    MailingList,
    Membership,
    Send,
    SendStatus,
    StatusChange,
    SubscriberStatus,
)

Grouping = Literal["issue", "locale", "list"]
"""The whole issue, each recipient's locale, or each list a recipient is on now."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeCount:
    group: str
    """The locale or the list's name; empty when grouped by the whole issue."""
    outcome: str
    people: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkClicks:
    url: str
    clicks: int
    people: int


def people_per_outcome(
    session: Session,
    issue_id: int,
    *,
    events: Mapping[str, str],
    sent: str,
    left: str,
    by: Grouping,
) -> list[OutcomeCount]:
    """How many people each outcome of the issue reached, per group of ``by``.

    ``events`` names the outcome each stored event kind means (kinds not in it are not
    counted); ``sent`` is the outcome of a send record that went out and ``left`` that of
    leaving through the issue's own unsubscribe link. A person counts once per outcome and
    group, however many events they had, and only if they have a send record of the issue.
    """
    people = _people(issue_id, events, sent=sent, left=left).subquery()
    columns = [people.c.kind, func.count(func.distinct(people.c.subscriber_id))]
    group = {"issue": None, "locale": Send.locale, "list": MailingList.name}[by]
    # Every person is joined to their send record of this issue: its locale, and their lists.
    query = (
        select(*(columns if group is None else [*columns, group]))
        .select_from(people)
        .join(Send, and_(Send.subscriber_id == people.c.subscriber_id, Send.issue_id == issue_id))
    )
    if by == "list":
        query = query.join(Membership, Membership.subscriber_id == Send.subscriber_id).join(
            MailingList, MailingList.id == Membership.list_id
        )
    grouping = [people.c.kind] if group is None else [people.c.kind, group]
    return [
        OutcomeCount(group="" if group is None else str(row[2]), outcome=str(row[0]), people=int(row[1]))
        for row in session.execute(query.group_by(*grouping))
    ]


def clicks_per_link(session: Session, issue_id: int, *, click: str) -> list[LinkClicks]:
    """Clicks and distinct people per link of the issue, most clicked first; ``click`` is the
    stored event kind of a followed link."""
    clicks = func.count()
    rows = session.execute(
        select(DeliveryEvent.url, clicks, func.count(func.distinct(DeliveryEvent.subscriber_id)))
        .where(
            DeliveryEvent.issue_id == issue_id,
            DeliveryEvent.event == click,
            DeliveryEvent.url.is_not(None),
        )
        .group_by(DeliveryEvent.url)
        .order_by(clicks.desc(), DeliveryEvent.url)
    )
    return [LinkClicks(url=str(url), clicks=int(n), people=int(p)) for url, n, p in rows]


def _people(
    issue_id: int, events: Mapping[str, str], *, sent: str, left: str
) -> Select[tuple[int | None, str]]:
    """(subscriber, outcome) for every event of the issue, every unsubscribe through it and every send."""
    outcomes = dict(events)
    by_event = select(
        DeliveryEvent.subscriber_id.label("subscriber_id"),
        case(outcomes, value=DeliveryEvent.event).label("kind"),
    ).where(DeliveryEvent.issue_id == issue_id, DeliveryEvent.event.in_(outcomes))
    by_link = select(StatusChange.subscriber_id.label("subscriber_id"), literal(left).label("kind")).where(
        StatusChange.issue_id == issue_id, StatusChange.status == SubscriberStatus.UNSUBSCRIBED.value
    )
    went_out = select(Send.subscriber_id.label("subscriber_id"), literal(sent).label("kind")).where(
        Send.issue_id == issue_id, Send.status == SendStatus.SENT.value
    )
    return union_all(by_event, by_link, went_out)  # type: ignore[return-value]
