"""Reading small HTML form posts without a multipart dependency.

RFC 8058 lets a mail client send the one-click body as ``application/x-www-form-urlencoded``
or ``multipart/form-data``; both are parsed here into one field → value mapping.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import parse_qsl

from starlette.requests import Request

from newsletter.errors import InputError

#: Every form here has one or two short fields; anything larger is not one of ours.
MAX_FORM_BYTES = 16 * 1024


async def read_form(request: Request) -> dict[str, str]:
    """The fields of the request's form; never ``request.form()``, which reads any size.

    The body arrives through the app's :class:`~newsletter.web.body.BodyLimit`, which stops the
    read at the route's limit; this check keeps forms small on a route allowed a larger body.
    """
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InputError("form: the request body is too large")
    return parse_form(request.headers.get("content-type", ""), body)


def parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of a form body; a field given twice keeps its first value."""
    if content_type.split(";", maxsplit=1)[0].strip().lower() == "multipart/form-data":
        return _multipart(content_type, body)
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, strict_parsing=True, max_num_fields=20
        )
    except (UnicodeDecodeError, ValueError):
        raise InputError("form: the body is not a valid form") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


def _multipart(content_type: str, body: bytes) -> dict[str, str]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise InputError("form: the multipart body has no parts")
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str) and isinstance(part, EmailMessage):
            content = part.get_content()
            fields.setdefault(
                name, content if isinstance(content, str) else content.decode("utf-8", "replace")
            )
    return fields
