"""The SendGrid backend against the fake API: request bodies, and what each failure leads to."""

from __future__ import annotations

import pytest

from newsletter.delivery.retry import RetryPolicy
from newsletter.delivery.sendgrid import SendGridBackend, _rate_limit_wait, request_body
from newsletter.errors import DeliveryError

from .fake_sendgrid import API_KEY, FakeSendGrid, prose_rules, request_validator
from .support import campaign, person

FAST = RetryPolicy(retries=3, base_seconds=0.01)


def backend(fake: FakeSendGrid, **options: object) -> SendGridBackend:
    settings: dict[str, object] = {"api_host": fake.url, "timeout_seconds": 5, "policy": FAST, **options}
    return SendGridBackend(API_KEY, **settings)  # type: ignore[arg-type]


def test_a_full_batch_is_one_valid_request() -> None:
    people = [person(n, f"r{n}@example.net", issue_id=4) for n in range(1000)]

    body = request_body(campaign("ko", issue_id=4), people, categories=("newsletter", "daily", "newsletter"))

    assert list(request_validator().iter_errors(body)) == []
    assert prose_rules(body) == []
    assert [part["type"] for part in body["content"]] == ["text/plain", "text/html"]
    # Each category once, in the configured order.
    assert body["categories"] == ["newsletter", "daily"]
    first = body["personalizations"][0]
    assert first["custom_args"] == {"issue_id": "4", "subscriber_id": "0"}
    assert first["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["substitutions"]["%%email%%"] == "r0@example.net"


def test_the_fake_rejects_a_body_that_breaks_the_schema(fake: FakeSendGrid) -> None:
    people = [person(1, "not-an-address")]
    people_body = request_body(campaign(), people)
    people_body["content"].reverse()

    assert prose_rules(people_body) == ["content: text/plain must be the first content type"]


@pytest.mark.parametrize(
    ("value", "too_large"),
    [
        # {"%%note%%": "…"} is 16 bytes of JSON around the value.
        ("x" * (10_000 - 16), False),
        ("x" * (10_000 - 15), True),
        # Escaped in JSON as \uXXXX (6 bytes) and as a surrogate pair (12 bytes).
        ("가" * 1664, False),
        ("가" * 1665, True),
        ("😀" * 832, False),
        ("😀" * 833, True),
    ],
)
def test_the_fake_holds_substitutions_to_10000_bytes_of_json(value: str, too_large: bool) -> None:
    body = request_body(campaign(), [person(1, "r1@example.net")])
    body["personalizations"][0]["substitutions"] = {"%%note%%": value}

    expected = ["personalizations.0.substitutions: over 10,000 bytes"] if too_large else []
    assert prose_rules(body) == expected


def test_the_fake_refuses_reserved_headers_in_a_personalization() -> None:
    body = request_body(campaign(), [person(1, "r1@example.net")])
    body["personalizations"][0]["headers"]["Reply-To"] = "someone@example.net"

    assert prose_rules(body) == ["personalizations.0.headers: a reserved header is set"]


@pytest.mark.parametrize(
    ("categories", "sent"),
    [
        (("newsletter",), ("newsletter",)),
        (("newsletter", "daily"), ("newsletter", "daily")),
        ((), ()),
    ],
)
def test_the_backend_files_every_message_under_its_configured_categories(
    fake: FakeSendGrid, categories: tuple[str, ...], sent: tuple[str, ...]
) -> None:
    backend(fake, categories=categories).send_batch(campaign(), [person(1, "a@example.net")])

    assert [delivery.categories for delivery in fake.deliveries()] == [sent]


def test_rate_limit_waits_then_succeeds(fake: FakeSendGrid) -> None:
    fake.inject("429", times=2, reset_in=0)

    backend(fake).send_batch(campaign(), [person(1, "a@example.net")])

    assert fake.requests == 3
    assert fake.accepted[("1", "1")] == 1


@pytest.mark.parametrize("fault", ["500", "503", "reset"])
def test_server_errors_and_resets_are_retried(fake: FakeSendGrid, fault: str) -> None:
    fake.inject(fault, times=2)

    backend(fake).send_batch(campaign(), [person(1, "a@example.net")])

    assert fake.accepted[("1", "1")] == 1


def test_a_timeout_is_retried_and_a_timeout_is_always_set(fake: FakeSendGrid) -> None:
    fake.inject("timeout", seconds=1.0)

    backend(fake, timeout_seconds=0.2).send_batch(campaign(), [person(1, "a@example.net")])

    assert fake.accepted[("1", "1")] == 1


def test_retries_are_bounded_and_a_last_timeout_leaves_the_outcome_unknown(fake: FakeSendGrid) -> None:
    fake.inject("timeout", times=4, seconds=0.6)

    with pytest.raises(DeliveryError) as raised:
        backend(fake, timeout_seconds=0.2).send_batch(campaign(), [person(1, "a@example.net")])

    assert raised.value.outcome_unknown
    assert not raised.value.permanent
    assert fake.requests == 4


def test_bounded_5xx_gives_a_retryable_error(fake: FakeSendGrid) -> None:
    fake.inject("502", times=10)

    with pytest.raises(DeliveryError) as raised:
        backend(fake).send_batch(campaign(), [person(1, "a@example.net")])

    assert (raised.value.permanent, raised.value.outcome_unknown, raised.value.status) == (False, False, 502)
    assert fake.requests == 4


@pytest.mark.parametrize("status", [400, 413])
def test_bad_request_is_permanent_with_the_providers_message(fake: FakeSendGrid, status: int) -> None:
    fake.inject(
        str(status), message="The from address does not match a verified Sender Identity", field="from"
    )

    with pytest.raises(DeliveryError) as raised:
        backend(fake).send_batch(campaign(), [person(1, "a@example.net")])

    assert raised.value.permanent
    assert not raised.value.fatal
    assert "does not match a verified Sender Identity (from)" in str(raised.value)
    assert fake.requests == 1


@pytest.mark.parametrize("key", ["SG.wrong"])
def test_a_bad_key_is_fatal_in_one_line(fake: FakeSendGrid, key: str) -> None:
    sender = SendGridBackend(key, api_host=fake.url, timeout_seconds=5, policy=FAST)

    with pytest.raises(DeliveryError) as raised:
        sender.send_batch(campaign(), [person(1, "a@example.net")])

    assert raised.value.fatal
    assert raised.value.status == 401
    assert "\n" not in str(raised.value)
    assert "NEWSLETTER_SENDGRID_API_KEY" in str(raised.value)
    assert key not in str(raised.value)


def test_a_forbidden_reply_is_fatal(fake: FakeSendGrid) -> None:
    fake.inject("403")

    with pytest.raises(DeliveryError) as raised:
        backend(fake).send_batch(campaign(), [person(1, "a@example.net")])

    assert raised.value.fatal
    assert fake.requests == 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-RateLimit-Reset": "1000000030"}, 30.0),
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "Sun, 09 Sep 2001 01:46:50 GMT"}, 10.0),
        ({"X-RateLimit-Reset": "999999990"}, 0.0),
        ({}, 1.0),
    ],
)
def test_rate_limit_wait_reads_the_servers_headers(headers: dict[str, str], expected: float) -> None:
    assert _rate_limit_wait(headers, now=1_000_000_000) == pytest.approx(expected)
