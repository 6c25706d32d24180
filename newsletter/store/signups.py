"""Pending sign-ups of the public form: stored apart from subscribers until confirmed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from newsletter.store.schema import Signup


def pending_for(session: Session, email_key: str) -> Signup | None:
    """The pending sign-up of an address (by its normalised key), if there is one."""
    return session.scalar(select(Signup).where(Signup.email_key == email_key))


def get(session: Session, signup_id: int) -> Signup | None:
    return session.get(Signup, signup_id)


def add(session: Session, signup: Signup) -> None:
    session.add(signup)


def remove(session: Session, signup: Signup) -> None:
    """Forget a sign-up once it is confirmed."""
    session.delete(signup)
    session.flush()


def purge_expired(session: Session, *, now: datetime) -> int:
    """Delete the sign-ups whose links have expired; returns how many."""
    expired = list(session.scalars(select(Signup.id).where(Signup.expires_at <= now)))
    if expired:
        session.execute(delete(Signup).where(Signup.id.in_(expired)))
    return len(expired)
