"""Sign-up with double opt-in: a pending sign-up, its confirmation link, and the purge.

A sign-up from the public form is stored as a :class:`~newsletter.store.schema.Signup` row,
never as a subscriber, so that a form sent for an address already in the store (active,
unsubscribed, bounced or erased) changes nothing about it: the form's answer and its effect
are the same for every address, and only opening the confirmation link, which proves the
address's owner asked, makes anyone active. The status change itself goes through
:mod:`newsletter.store.audience`, which records it in the subscriber's history.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from newsletter.errors import InputError
from newsletter.store import Session, audience, signups
from newsletter.store.audience import Via
from newsletter.store.schema import MailingList, Signup, Subscriber, SubscriberStatus
from newsletter.unsubscribe import Signer

logger = logging.getLogger(__name__)

#: What a confirmation token is signed for; see :meth:`Signer.seal`.
CONFIRM_PURPOSE = b"confirm"
#: Where a sign-up's consent came from, as the subscriber's row and history record it.
CONSENT_SOURCE = "web sign-up form"


@dataclass(frozen=True, slots=True, kw_only=True)
class SignupRequest:
    """A checked sign-up form."""

    email: str
    key: str
    """The address's :func:`~newsletter.store.audience.email_key`."""
    locale: str
    lists: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Confirmed:
    """A sign-up whose link was opened: who is now active and on what."""

    subscriber_id: int
    email: str
    locale: str
    lists: tuple[str, ...]


def request(
    session: Session, form: SignupRequest, *, now: datetime, confirm_hours: int, resend_minutes: int
) -> Signup | None:
    """Store or refresh the pending sign-up of ``form``; returns it when a confirmation email is
    due, or None when one went to the address less than ``resend_minutes`` ago.

    A pending sign-up keeps its link (the id and nonce), so every confirmation email sent for
    it works until the latest one expires.
    """
    purge_expired(session, now=now)
    pending = signups.pending_for(session, form.key)
    if pending is not None and pending.mailed_at > now - timedelta(minutes=resend_minutes):
        return None
    if pending is None:
        pending = Signup(email=form.email, email_key=form.key, nonce=secrets.token_urlsafe(12))
        signups.add(session, pending)
    pending.locale = form.locale
    pending.lists = list(form.lists)
    pending.consent_source = CONSENT_SOURCE
    pending.created_at = now
    pending.mailed_at = now
    pending.expires_at = now + timedelta(hours=confirm_hours)
    session.flush()
    return pending


def confirmation_token(signer: Signer, signup: Signup) -> str:
    return signer.seal(CONFIRM_PURPOSE, f"{signup.id}.{signup.nonce}".encode())


def read_token(signer: Signer, token: str) -> tuple[int, str]:
    """The sign-up id and nonce of a genuine confirmation token; InputError otherwise."""
    payload = signer.open(CONFIRM_PURPOSE, token)
    try:
        number, nonce = payload.decode("ascii").split(".")
        return int(number), nonce
    except ValueError:
        raise InputError("confirm token: malformed payload") from None


def pending(session: Session, signup_id: int, nonce: str, *, now: datetime) -> Signup | None:
    """The unexpired sign-up a token names; None when it was confirmed, replaced or purged."""
    found = signups.get(session, signup_id)
    if found is None or found.nonce != nonce or found.expires_at <= now:
        return None
    return found


def confirm(session: Session, signup_id: int, nonce: str, *, now: datetime) -> Confirmed | None:
    """Make the sign-up's address an active subscriber on its chosen lists; None when the link
    no longer works (already used, expired, or never stored), in which case nothing changes.

    An erased address's hash is forgotten here, and only here: its owner has just asked again.
    An existing subscriber keeps their row and history; one who had left, bounced or
    complained becomes active again with a new consent.
    """
    signup = pending(session, signup_id, nonce, now=now)
    if signup is None:
        return None
    lists = _existing_lists(session, signup.lists)
    audience.unsuppress(session, signup.email)
    subscriber = audience.find_subscriber(session, signup.email)
    if subscriber is None:
        subscriber, _ = audience.subscribe(
            session,
            email=signup.email,
            locale=signup.locale,
            lists=lists,
            consent_source=signup.consent_source,
            at=now,
            via=Via.SIGNUP,
        )
    else:
        _return(session, subscriber, signup, lists, now=now)
    subscriber.consent_source = signup.consent_source
    subscriber.consent_at = signup.created_at
    subscriber.confirmed_at = now
    signups.remove(session, signup)
    logger.info("sign-up %s confirmed as subscriber %s", signup_id, subscriber.id)
    names = tuple(m.name for m in lists)
    return Confirmed(
        subscriber_id=subscriber.id, email=subscriber.email, locale=subscriber.locale, lists=names
    )


def purge_expired(session: Session, *, now: datetime) -> int:
    """Delete the sign-ups whose links have expired; returns how many."""
    purged = signups.purge_expired(session, now=now)
    if purged:
        logger.info("purged %d unconfirmed sign-ups", purged)
    return purged


def _return(
    session: Session, subscriber: Subscriber, signup: Signup, lists: Sequence[MailingList], *, now: datetime
) -> None:
    """A known address confirmed a sign-up: its language and lists as chosen, and active."""
    subscriber.locale = signup.locale
    audience.set_lists(session, subscriber, join=lists, leave=(), at=now)
    reason = f"sign-up confirmed ({signup.consent_source})"
    if not audience.set_status(
        session, subscriber, SubscriberStatus.ACTIVE, via=Via.SIGNUP, reason=reason, at=now
    ):
        audience.note_change(session, subscriber, via=Via.SIGNUP, reason=reason, at=now)


def _existing_lists(session: Session, names: Sequence[str]) -> list[MailingList]:
    # The form offered only public lists (newsletter.public_lists): the operator asked for
    # them, so one not created yet is created rather than leaving the reader on no list.
    return [audience.ensure_list(session, name) for name in names]
