"""Following a request ("suivre ma demande"): a person follows a message through a signed
link (in the acknowledgement and the mails about missing documents) or by asking for it
with the reference and e-mail address."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from engagements.outbox import services as outbox

from ..enums import Status
from ..models import Message

FOLLOW_SALT = "correspondence.follow"
FOLLOW_LINK_PURPOSE = "correspondence.follow_link"
FOLLOW_ENDED_PURPOSE = "correspondence.follow_ended"


def follow_token(message: Message) -> str:
    """The message's unguessable token: its id signed with the secret key (stable)."""
    return signing.Signer(salt=FOLLOW_SALT).sign(str(message.pk))


def message_for_token(token: str, prefecture_slug: str) -> Message | None:
    try:
        pk = int(signing.Signer(salt=FOLLOW_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return (
        Message.objects.select_related("prefecture", "site", "service")
        .filter(pk=pk, prefecture__slug=prefecture_slug)
        .first()
    )


def follow_link_ended_on(message: Message) -> date | None:
    """The day the request was last answered or closed; None while it is open."""
    if message.status == Status.CLOSED:
        return message.closed_on
    if message.status == Status.ANSWERED:
        last = message.answers.aggregate(last=Max("answered_on"))["last"]
        return max(filter(None, (last, message.answered_on)), default=None)
    return None


def follow_link_expired(message: Message, *, today: date | None = None) -> date | None:
    """The day the request ended when its follow link no longer works (CORRESPONDENCE_
    FOLLOW_LINK_DAYS after it), else None: a link in a mailbox must not show a request's
    state forever to whoever reads that mailbox later."""
    ended = follow_link_ended_on(message)
    if ended is None:
        return None
    today = today or timezone.localdate()
    return (
        ended if today > ended + timedelta(days=settings.CORRESPONDENCE_FOLLOW_LINK_DAYS) else None
    )


def follow_url(message: Message) -> str:
    """The absolute link to the public follow page, in the message's language."""
    with translation.override(message.language or "fr"):
        path = reverse(
            "correspondence:follow", args=[message.prefecture.slug, follow_token(message)]
        )
    return settings.SITE_URL + path


def contact_phone(message: Message) -> str:
    """The number to call about a message: its service's, else its site's or prefecture's."""
    phones = (getattr(message.service, "phone", ""), getattr(message.site, "phone", ""))
    return next(filter(None, phones), message.prefecture.phone)


def contact_url(message: Message) -> str:
    """The absolute link to the prefecture's contact form, in the message's language."""
    with translation.override(message.language or "fr"):
        path = reverse("correspondence:contact", args=[message.prefecture.slug])
    return settings.SITE_URL + path


def find_for_follow(prefecture, reference: str, email: str) -> Message | None:
    """The message with this reference and sender address (case-insensitive), or None."""
    reference, email = reference.strip(), email.strip()
    if not reference or not email:
        return None
    return Message.objects.filter(
        prefecture=prefecture,
        reference=reference,
        sender_email__iexact=email,
        purged_at__isnull=True,
    ).first()


def send_follow_link(prefecture, *, reference: str, email: str, today: date | None = None) -> bool:
    """Mail the follow link when the pair matches a message; the caller answers the same
    either way (no enumeration). A link that would no longer work (answered or closed more
    than CORRESPONDENCE_FOLLOW_LINK_DAYS ago) is not sent: the mail says when the request
    ended and how to reach the service instead. Returns whether a mail was queued."""
    message = find_for_follow(prefecture, reference, email)
    if message is None:
        return False
    context = {"message": message, "prefecture": prefecture}
    ended = follow_link_expired(message, today=today)
    if ended is None:
        template, purpose = "correspondence/mail/follow_link", FOLLOW_LINK_PURPOSE
        context["follow_url"] = follow_url(message)
    else:
        template, purpose = "correspondence/mail/follow_ended", FOLLOW_ENDED_PURPOSE
        context.update(
            ended=ended,
            answered=message.status == Status.ANSWERED,
            contact_url=contact_url(message),
            phone=contact_phone(message),
        )
    with transaction.atomic():
        try:
            outbox.queue_mail(
                template,
                context,
                [message.sender_email],
                prefecture=prefecture,
                record=message,
                purpose=purpose,
                language=message.language,
            )
        except outbox.OutboxError:
            return False
    return True
