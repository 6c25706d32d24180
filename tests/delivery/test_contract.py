"""One contract, every backend: what any DeliveryBackend must do with a batch."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from newsletter.delivery.base import DeliveryBackend
from newsletter.delivery.message import Personalizer, list_id, localized_sender
from newsletter.delivery.outbox import OutboxBackend
from newsletter.delivery.retry import RetryPolicy
from newsletter.delivery.sendgrid import SendGridBackend
from newsletter.delivery.smtp import SmtpBackend
from newsletter.model import LANGUAGE_SECTION, PLACEHOLDER_EMAIL, PLACEHOLDER_UNSUBSCRIBE_URL

from .fake_sendgrid import API_KEY, FakeSendGrid
from .smtp_server import smtp_server
from .support import KOREAN, PUBLIC_URL, SENDER, SIGNER, campaign, person


@dataclass(frozen=True)
class Received:
    """One delivered message, whatever the backend: what a recipient would see."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    sender: str


def _from_mime(to: str, message: EmailMessage) -> Received:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    parts = [part.get_content_type() for part in message.iter_parts()]
    # Clients show the last alternative they understand: text/plain must come first.
    assert parts == ["text/plain", "text/html"]
    return Received(
        to=to,
        subject=str(message["Subject"]),
        text=text.get_content(),
        html=html.get_content(),
        headers={name: str(value) for name, value in message.items()},
        sender=str(message["From"]),
    )


@pytest.fixture(params=["outbox", "smtp", "sendgrid"])
def backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[DeliveryBackend, Callable[[], list[Received]]]]:
    if request.param == "outbox":
        outbox = OutboxBackend(tmp_path / "outbox")

        def read_outbox() -> list[Received]:
            found = []
            for path in sorted((tmp_path / "outbox").rglob("*.eml")):
                message = message_from_bytes(path.read_bytes(), policy=policy.default)
                found.append(_from_mime(str(message["To"].addresses[0].addr_spec), message))  # type: ignore[arg-type]
            return found

        yield outbox, read_outbox
    elif request.param == "smtp":
        with smtp_server(tmp_path, "starttls", auth=True) as (controller, inbox, context):
            from .smtp_server import PASSWORD, USERNAME

            smtp = SmtpBackend(
                "127.0.0.1",
                controller.port,
                security="starttls",
                username=USERNAME,
                password=PASSWORD,
                ssl_context=context,
            )
            yield smtp, lambda: [_from_mime(to, message) for to, message in inbox.messages]
            smtp.close()
    else:
        with FakeSendGrid() as fake:
            sendgrid = SendGridBackend(
                API_KEY, api_host=fake.url, timeout_seconds=5, policy=RetryPolicy(base_seconds=0.01)
            )
            yield (
                sendgrid,
                lambda: [
                    Received(
                        to=d.email,
                        subject=d.subject,
                        text=d.text,
                        html=d.html,
                        headers=d.headers,
                        sender=d.sender,
                    )
                    for d in fake.deliveries()
                ],
            )
            assert fake.invalid == []


def test_each_recipient_gets_one_personalized_message(
    backend: tuple[DeliveryBackend, Callable[[], list[Received]]],
) -> None:
    sender, inbox = backend
    people = [
        person(1, "ada@example.net", name="Ada"),
        person(2, "bo@example.net"),
        person(3, "cy@example.net"),
    ]

    result = sender.send_batch(campaign("en"), people)

    assert result.rejected == {}
    received = {message.to: message for message in inbox()}
    assert sorted(received) == ["ada@example.net", "bo@example.net", "cy@example.net"]
    for one in people:
        message = received[one.recipient.email]
        url = one.values[PLACEHOLDER_UNSUBSCRIBE_URL]
        assert url.startswith(PUBLIC_URL + "/u/")
        assert url in message.text
        assert url in message.html
        assert f'href="{url}#{LANGUAGE_SECTION}"' in message.html
        assert f"Sent to {one.recipient.email}." in message.text
        assert PLACEHOLDER_EMAIL not in message.html + message.text
        assert "%%" not in message.html + message.text


@pytest.mark.parametrize("mailto", ["", "unsubscribe@lists.example.org"], ids=["link only", "with mailto"])
def test_list_headers(backend: tuple[DeliveryBackend, Callable[[], list[Received]]], mailto: str) -> None:
    sender, inbox = backend
    make = Personalizer(
        issue_id=1,
        signer=SIGNER,
        public_url=PUBLIC_URL,
        sender=SENDER,
        list_id=list_id("Research Brief", ["research-brief"], SENDER),
        unsubscribe_mailto=mailto,
    )
    one = make(7, "dee@example.net")

    sender.send_batch(campaign("en"), [one])

    (message,) = inbox()
    # A long header is folded on the wire; unfolding leaves extra spaces, which mean nothing.
    unsubscribe = " ".join(message.headers["List-Unsubscribe"].split())
    link = f"<{one.values[PLACEHOLDER_UNSUBSCRIBE_URL]}>"
    if mailto:
        # Offered only when the operator names a mailbox that reads the requests.
        assert unsubscribe.startswith(f"{link}, <mailto:{mailto}?subject=unsubscribe%20")
    else:
        assert unsubscribe == link
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert " ".join(message.headers["List-Id"].split()) == '"Research Brief" <research-brief.example.org>'


def test_korean_arrives_intact(backend: tuple[DeliveryBackend, Callable[[], list[Received]]]) -> None:
    sender, inbox = backend

    sender.send_batch(campaign("ko"), [person(9, "eun@example.kr", locale="ko", name="김은")])

    (message,) = inbox()
    assert message.subject == KOREAN
    assert KOREAN in message.text
    assert KOREAN in message.html


def test_the_from_name_is_the_campaigns_own(
    backend: tuple[DeliveryBackend, Callable[[], list[Received]]],
) -> None:
    sender, inbox = backend
    korean = dataclasses.replace(campaign("ko"), sender=localized_sender(SENDER, "리서치 브리프"))

    sender.send_batch(korean, [person(10, "ha@example.kr", locale="ko")])

    (message,) = inbox()
    assert message.sender == "리서치 브리프 <brief@example.org>"


def test_an_empty_batch_sends_nothing(backend: tuple[DeliveryBackend, Callable[[], list[Received]]]) -> None:
    sender, inbox = backend

    sender.send_batch(campaign("en"), [])

    assert inbox() == []
