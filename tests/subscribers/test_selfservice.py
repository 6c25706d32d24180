"""What subscribers do through their link, against a model, over random sequences of events."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.store import Database
from newsletter.store.audience import Via, history, set_status, subscribe
from newsletter.store.schema import Subscriber, SubscriberStatus
from newsletter.subscribers import selfservice
from newsletter.unsubscribe import TokenSubject

ACTIVE, UNSUBSCRIBED = SubscriberStatus.ACTIVE, SubscriberStatus.UNSUBSCRIBED
#: What happens to a subscriber from elsewhere: delivery events and operators.
OUTSIDE = {
    "bounce": (SubscriberStatus.BOUNCED, Via.WEBHOOK),
    "complaint": (SubscriberStatus.COMPLAINED, Via.WEBHOOK),
    "operator unsubscribes": (UNSUBSCRIBED, Via.CLI),
    "operator resubscribes": (ACTIVE, Via.CLI),
}
EVENTS = st.lists(st.sampled_from(["one-click", "undo", "language ko", "language en", *OUTSIDE]), max_size=12)
_emails = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS)
def test_only_an_unsubscribe_through_a_link_is_undone_and_every_change_is_recorded(
    db: Database, events: list[str]
) -> None:
    # Earlier than the subscription: the pages must go by the order changes were applied in,
    # as a delivery event recorded late carries its own, older, time.
    at = datetime(2026, 7, 1, tzinfo=UTC)
    with db.transaction() as session:
        email = f"model-{next(_emails)}@example.org"
        subscriber, _ = subscribe(session, email=email, locale="en", consent_source="test")
        subject = TokenSubject(subscriber_id=subscriber.id, issue_id=1)
    # The model: the status, whether the last change was an unsubscribe through a link, the locale.
    status, by_link, locale, changes = ACTIVE, False, "en", 1
    for event in events:
        with db.transaction() as session:
            if event == "one-click":
                selfservice.unsubscribe(session, subject, at=at)
                if status is ACTIVE:
                    status, by_link, changes = UNSUBSCRIBED, True, changes + 1
            elif event == "undo":
                _, done = selfservice.undo(session, subject, at=at)
                assert done == (status is ACTIVE or by_link), events
                if by_link:
                    status, by_link, changes = ACTIVE, False, changes + 1
            elif event.startswith("language"):
                chosen = event.split()[1]
                _, done = selfservice.choose_locale(session, subject, locale=chosen)
                assert done == (status is ACTIVE), events
                # A new language is recorded in the history too, with the status unchanged.
                changes += done and chosen != locale
                locale = chosen if done else locale
            else:
                target, via = OUTSIDE[event]
                found = session.get(Subscriber, subject.subscriber_id)
                assert found is not None
                if set_status(session, found, target, via=via, reason=event, at=at):
                    status, by_link, changes = target, False, changes + 1
        with db.transaction() as session:
            state = selfservice.state(session, subject)
            recorded = history(session, subject.subscriber_id)
            assert (state.status, state.can_undo, state.locale) == (status, by_link, locale), events
            last = max(recorded, key=lambda change: change.id)
            assert (len(recorded), last.status) == (changes, status.value), events
            assert state.address.endswith("***@example.org")
