"""The copies of mails and SMS sent, in "what the prefecture holds about a person"
(shell.personal_data). Erasing a register message or a booking already deletes the mails
sent about it (`forget_deliveries`); this area lists and deletes what is left."""

from __future__ import annotations

from django.db.models import Q, TextField
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from engagements.shell.personal_data import (
    HeldRecord,
    Person,
    PersonalDataSource,
    phone_digits,
    phone_spellings,
)

from .enums import Kind, Status
from .models import Delivery
from .services import FAILED_RETENTION, SENT_RETENTION

IN_FLIGHT = (Status.PENDING, Status.SENDING)


def _deliveries(prefecture, person: Person):
    condition = Q(pk__in=[])
    if person.email:
        # The JSON list's text: each address between quotes, so "a@b.fr" never matches
        # "xa@b.fr".
        condition |= Q(kind=Kind.EMAIL, to_text__contains=f'"{person.email}"')
    if person.phone:
        condition |= Q(kind=Kind.SMS, to_digits__in=phone_spellings(person.phone))
    return (
        Delivery.objects.filter(prefecture=prefecture)
        .annotate(
            to_text=Lower(Cast("to", TextField())),
            to_digits=phone_digits(Cast("to", TextField())),
        )
        .filter(condition)
        .order_by("created_at", "pk")
    )


def _kept_until(delivery: Delivery):
    if delivery.status == Status.SENT:
        return timezone.localtime(delivery.created_at + SENT_RETENTION).date()
    if delivery.status == Status.FAILED:
        return timezone.localtime(delivery.created_at + FAILED_RETENTION).date()
    return None


def find(prefecture, person: Person) -> list[HeldRecord]:
    return [
        HeldRecord(
            kind="Courriel envoyé" if delivery.kind == Kind.EMAIL else "SMS envoyé",
            reference="",
            day=timezone.localtime(delivery.created_at).date(),
            fields=[
                ("Destinataire", ", ".join(delivery.to)),
                # Not the text: a mail about a booking holds its secret links (manage,
                # cancel), which the agent handing the statement over must not read.
                ("Objet", delivery.subject),
                ("État", delivery.get_status_display()),
            ],
            purpose="Garder la trace des messages envoyés (preuve d'envoi, nouvel essai en "
            "cas d'échec)",
            kept_until=_kept_until(delivery),
            kept_note="jusqu'à l'envoi" if delivery.status in IN_FLIGHT else "",
            blocked="Envoi en cours : attendez qu'il soit parti ou en échec."
            if delivery.status in IN_FLIGHT
            else "",
            pk=delivery.pk,
        )
        for delivery in _deliveries(prefecture, person)
    ]


def erase(prefecture, records: list[HeldRecord]) -> int:
    deleted, _ = (
        Delivery.objects.filter(prefecture=prefecture, pk__in=[r.pk for r in records])
        .exclude(status__in=IN_FLIGHT)
        .delete()
    )
    return deleted


SOURCE = PersonalDataSource(
    code="outbox", label="Courriels et SMS envoyés", find=find, erase=erase, order=90
)
