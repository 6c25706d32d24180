"""The database schema: SQLAlchemy 2 models, the same on SQLite and PostgreSQL.

Times are stored as UTC and always come back timezone-aware (:class:`UTCDateTime`), so no
caller ever compares a naive time with an aware one.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and returned as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class SubscriberStatus(enum.StrEnum):
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"


class IssueStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    PAUSED = "paused"


class SendStatus(enum.StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


_status = String(20)


class MailingList(Base):
    __tablename__ = "lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    default_locale: Mapped[str] = mapped_column(String(20), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[Membership]] = relationship(back_populates="mailing_list", cascade="all, delete")


class Subscriber(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    """The address as the subscriber wrote it."""
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    """The address lower-cased: what makes two spellings the same subscriber."""
    name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(20), default="en")
    status: Mapped[str] = mapped_column(_status, default=SubscriberStatus.ACTIVE.value, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consent_source: Mapped[str] = mapped_column(String(200), default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the subscriber opened a sign-up's confirmation link (double opt-in); None otherwise."""
    soft_bounces: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="subscriber", cascade="all, delete")


class Membership(Base):
    __tablename__ = "list_members"

    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mailing_list: Mapped[MailingList] = relationship(back_populates="members")
    subscriber: Mapped[Subscriber] = relationship(back_populates="memberships")


class StatusChange(Base):
    """Every change of a subscriber's status: when, to what, why and through what."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(_status)
    reason: Mapped[str] = mapped_column(Text, default="")
    via: Mapped[str] = mapped_column(String(40))
    """``cli``, ``import``, ``unsubscribe-link``, ``webhook`` …"""
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issue_id: Mapped[int | None] = mapped_column(
        ForeignKey("issues.id", ondelete="SET NULL"), nullable=True, index=True
    )
    """The issue whose link or delivery event caused the change, when one did."""


class Signup(Base):
    """A sign-up from the public form waiting for its confirmation link to be opened.

    This is the "pending" stage of a subscriber's life, kept apart from :class:`Subscriber` so
    that a sign-up for an address already in the store never touches its row: only opening
    the confirmation link does. One per address; an expired one is purged.
    """

    __tablename__ = "signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    locale: Mapped[str] = mapped_column(String(20))
    lists: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The names of the public lists chosen on the form."""
    consent_source: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the form was sent: the time of consent."""
    mailed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the latest confirmation email went out."""
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    nonce: Mapped[str] = mapped_column(String(40))
    """Changes with each confirmation email, so only the latest link works."""


class Suppression(Base):
    """An erased or blocked address, kept only as a hash so it is never added again."""

    __tablename__ = "suppressions"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Issue(Base):
    __tablename__ = "issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime, unique=True)
    status: Mapped[str] = mapped_column(_status, default=IssueStatus.DRAFT.value, index=True)
    draft_path: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    lists: Mapped[list[str] | None] = mapped_column(JSON, nullable=True, default=list)
    """The names of the lists the issue was drafted for (``newsletter.lists`` at the time);
    None in a row written before issues recorded them."""
    note: Mapped[str] = mapped_column(Text, default="")
    """Why the issue needs attention (paused, skipped …), for operators."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden: Mapped[bool | None] = mapped_column(Boolean, nullable=True, default=False)
    """Withdrawn from the public archive by an operator (``newsletter archive hide``); None in a
    row written before the archive existed, which reads as not hidden."""


class IssueEvent(Base):
    """One move of an issue's status: from what, to what, who moved it and why.

    Written only by :mod:`newsletter.store.lifecycle`, with the move it records.
    """

    __tablename__ = "issue_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(_status)
    to_status: Mapped[str] = mapped_column(_status)
    actor: Mapped[str] = mapped_column(String(40))
    """What moved it: ``cli:send``, ``cli:run``, ``scheduler``, ``preview``, ``demo`` …"""
    process: Mapped[str] = mapped_column(String(200), default="")
    """``host:pid`` of the process that moved it."""
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsideredPaper(Base):
    """A paper an issue considered: it is never a candidate again, whatever its version."""

    __tablename__ = "considered_papers"

    arxiv_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(Text, default="")
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The paper's place among the picks, or None when it was not featured."""
    score: Mapped[float] = mapped_column(Float, default=0.0)


class Batch(Base):
    """A group of send records that go out in one provider request."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(_status, default=SendStatus.PENDING.value, index=True)
    claimed_by: Mapped[str] = mapped_column(String(200), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    retryable: Mapped[bool] = mapped_column(Boolean, default=False)
    """A failed batch the provider provably did not accept (5xx, refused connection): the
    next run puts its records back in the queue."""


class Send(Base):
    """One recipient's record for one issue: at most one accepted send, ever."""

    __tablename__ = "sends"
    __table_args__ = (
        UniqueConstraint("issue_id", "subscriber_id"),
        # Claiming takes the next pending records of one locale in id order; counting by status
        # uses the same index's prefix. Every claim and send rewrites status, so no second
        # index on it: each one would be maintained for every record twice per send.
        Index("ix_sends_issue_status_locale", "issue_id", "status", "locale", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("batches.id", ondelete="SET NULL"), nullable=True, index=True
    )
    locale: Mapped[str] = mapped_column(String(20), default="en")
    status: Mapped[str] = mapped_column(_status, default=SendStatus.PENDING.value)
    message_id: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DeliveryEvent(Base):
    """A provider event (delivered, open, bounce …), kept once per provider event id."""

    __tablename__ = "delivery_events"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    event: Mapped[str] = mapped_column(String(40), index=True)
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id", ondelete="SET NULL"), nullable=True)
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscribers.id", ondelete="SET NULL"), nullable=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The link a ``click`` event reports; None for other events."""


class SchedulerLease(Base):
    """Who may run an issue's job: a lease that keeps two schedulers from sending twice."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScheduledRun(Base):
    """One fire time of a scheduler job and what came of it (ran, missed, failed …)."""

    __tablename__ = "scheduled_runs"
    __table_args__ = (UniqueConstraint("job", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(30))
    """``running``, ``sent``, ``skipped``, ``awaiting approval``, ``stopped``, ``failed`` or ``missed``."""
    detail: Mapped[str] = mapped_column(Text, default="")
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id", ondelete="SET NULL"), nullable=True)
    holder: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
