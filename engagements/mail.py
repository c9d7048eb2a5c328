"""Outgoing mail from templates: `<prefix>_subject.txt`, `<prefix>_body.txt` and, when it
exists, `<prefix>_body.html`. Built here, sent only through the outbox
(`engagements.outbox.services.queue_mail`)."""

from __future__ import annotations

import functools
import html as html_lib
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


# One booking checks its address three times (the API's schema, the booking, its owed mail).
@functools.lru_cache(maxsize=4096)
def is_deliverable_address(address: str) -> bool:
    """An address the mail server will accept: syntax and IDNA-encodable domain."""
    try:
        validate_email(address)
        local, _, domain = address.rpartition("@")
        domain.encode("idna")
        local.encode("utf-8")
    except (ValidationError, UnicodeError, ValueError):
        return False
    return True


def sender_named(name: str) -> str:
    """The configured sender's address under `name`: a person reads who writes to him (the
    prefecture), not the product's name ("Engagements") every prefecture's mail carried."""
    _configured_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if not name or "@" not in address:
        return settings.DEFAULT_FROM_EMAIL
    # Quoted where the name needs it; non-ASCII encoded by Django when the mail is sent.
    return str(Address(display_name=name, addr_spec=address))


def build_mail(
    prefix: str,
    context: dict,
    to: list[str],
    *,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    language: str | None = None,
) -> EmailMultiAlternatives:
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        # A subject is plain text: what autoescaping turned into entities (l&#x27;amélioration)
        # goes back to characters.
        subject = " ".join(
            html_lib.unescape(render_to_string(f"{prefix}_subject.txt", context)).split()
        )
        body = render_to_string(f"{prefix}_body.txt", context)
        try:
            html = render_to_string(f"{prefix}_body.html", context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to,
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    return message
