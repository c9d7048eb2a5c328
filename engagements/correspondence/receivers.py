"""Outbox outcomes on the register: "envoyé" only once the mail has actually left."""

from __future__ import annotations

from django.utils import timezone

from engagements.outbox.errors import explain

from .enums import EventKind
from .models import Answer, Message, MessageEvent
from .services.messages import ACKNOWLEDGEMENT_PURPOSE, ANSWER_PURPOSE, FORWARDED_PURPOSE

# What the history calls each mail whose failure it records.
FAILED_WHAT = {
    ACKNOWLEDGEMENT_PURPOSE: "Accusé de réception",
    ANSWER_PURPOSE: "Réponse",
    FORWARDED_PURPOSE: "Avis de transmission à une autre administration",
}


def _message_of(delivery) -> Message | None:
    record = delivery.record
    if isinstance(record, Answer):
        return record.message
    return record if isinstance(record, Message) else None


def on_sent(sender, delivery, **kwargs) -> None:
    if delivery.purpose not in (ACKNOWLEDGEMENT_PURPOSE, ANSWER_PURPOSE):
        return
    message = _message_of(delivery)
    if message is None:
        return
    sent_at = delivery.sent_at or timezone.now()
    to = ", ".join(delivery.to)
    if delivery.purpose == ACKNOWLEDGEMENT_PURPOSE:
        Message.objects.filter(pk=message.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=sent_at
        )
        text = f"Envoyé à {to} ({delivery.message_id})"
        kind = EventKind.ACKNOWLEDGED
    else:
        Answer.objects.filter(pk=delivery.record_id).update(sent_at=sent_at)
        text = f"Envoyée à {to}"
        kind = EventKind.ANSWER_SENT
    MessageEvent.objects.create(message=message, kind=kind, text=text)


def on_failed(sender, delivery, **kwargs) -> None:
    if delivery.purpose not in FAILED_WHAT:
        return
    message = _message_of(delivery)
    if message is None:
        return
    what = FAILED_WHAT[delivery.purpose]
    MessageEvent.objects.create(
        message=message,
        kind=EventKind.DELIVERY_FAILED,
        text=f"{what} à {', '.join(delivery.to)} : {explain(delivery.last_error)}",
    )
