"""The register's part of "what the prefecture holds about a person" (shell.personal_data)."""

from __future__ import annotations

from email.utils import parseaddr

from django.db.models import Count, F, Q
from django.db.models.functions import Lower, Trim
from django.urls import reverse
from django.utils import timezone

from engagements import words
from engagements.shell.personal_data import (
    HeldRecord,
    Person,
    PersonalDataSource,
    normalise_email,
    phone_digits,
    phone_spellings,
)

from .enums import QuarantineStatus, Status
from .models import Message, QuarantinedMail, RegisterSettings

OPEN = (Status.NEW, Status.ASSIGNED, Status.WAITING)


def _years_after(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _matching(prefecture, person: Person):
    condition = Q(pk__in=[])
    if person.email:
        condition |= Q(email_key=person.email)
    if person.phone:
        condition |= Q(phone_digits__in=phone_spellings(person.phone))
    if person.reference:
        condition |= Q(reference__iexact=person.reference)
    return (
        Message.objects.filter(prefecture=prefecture)
        .annotate(
            email_key=Lower(Trim("sender_email")), phone_digits=phone_digits(F("sender_phone"))
        )
        .filter(condition)
        .order_by("received_on", "pk")
    )


def find(prefecture, person: Person) -> list[HeldRecord]:
    years = RegisterSettings.for_prefecture(prefecture).retention_years
    records = []
    for message in _matching(prefecture, person).annotate(
        n_answers=Count("answers", distinct=True), n_files=Count("attachments", distinct=True)
    ):
        ended = message.answered_on if message.status == Status.ANSWERED else message.closed_on
        records.append(
            HeldRecord(
                kind=f"{message.get_kind_display()} ({message.get_channel_display().lower()})",
                reference=message.reference,
                day=message.received_on,
                fields=[
                    ("Nom", message.sender_name),
                    ("Courriel", message.sender_email),
                    ("Téléphone", message.sender_phone),
                    ("Adresse postale", message.sender_address),
                    ("Objet", message.subject),
                    ("Texte", message.body),
                    (
                        "Réponses",
                        words.count(message.n_answers, "réponse", "réponses")
                        if message.n_answers
                        else "",
                    ),
                    (
                        "Pièces jointes",
                        words.count(message.n_files, "fichier", "fichiers")
                        if message.n_files
                        else "",
                    ),
                    ("État", message.get_status_display()),
                ],  # fmt: skip
                purpose="Traiter la demande et suivre les délais de réponse (registre des "
                "sollicitations de la préfecture)",
                kept_until=_years_after(ended, years)
                if ended and message.status not in OPEN
                else None,
                kept_note=""
                if message.status not in OPEN
                else words.count(years, "an", "ans") + " après la réponse ou la clôture",
                url=reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]),
                blocked="Demande en cours de traitement : répondez-y ou clôturez-la d'abord."
                if message.status in OPEN
                else "",
                purged=message.purged_at is not None,
                pk=message.pk,
            )
        )
    return records


def erase(prefecture, records: list[HeldRecord]) -> int:
    from .services.messages import purge_message

    messages = Message.objects.filter(
        prefecture=prefecture, pk__in=[r.pk for r in records], purged_at__isnull=True
    ).exclude(status__in=OPEN)
    erased = 0
    for message in messages.select_for_update(of=("self",)).order_by("pk"):
        purge_message(message)
        erased += 1
    return erased


SOURCE = PersonalDataSource(
    code="correspondence", label="Courriers et courriels", find=find, erase=erase, order=10
)


def find_quarantined(prefecture, person: Person) -> list[HeldRecord]:
    """Mails the ingestion could not register, kept raw for a référent ("à vérifier")."""
    if not person.email:
        return []
    mails = (
        QuarantinedMail.objects.filter(
            mailbox__prefecture=prefecture, sender__icontains=person.email
        )
        .select_related("mailbox")
        .order_by("created_at", "pk")
    )
    return [
        HeldRecord(
            kind="Courriel reçu à vérifier",
            reference="",
            day=timezone.localtime(mail.created_at).date(),
            fields=[
                ("Expéditeur", mail.sender),
                ("Objet", mail.subject),
                ("Courriel reçu", "le message complet, tel que reçu"),
                ("État", mail.get_status_display()),
            ],
            purpose="Enregistrer au registre un courriel que la lecture automatique n'a pas pu "
            "traiter",
            kept_note="tant qu'il est à vérifier"
            if mail.status == QuarantineStatus.PENDING
            else "30 jours après sa vérification",
            url=reverse("correspondence:agents-quarantine-detail", args=[prefecture.slug, mail.pk]),
            blocked="Courriel à vérifier : enregistrez-le ou écartez-le d'abord."
            if mail.status == QuarantineStatus.PENDING
            else "",
            pk=mail.pk,
        )
        for mail in mails
        # The sender reads "Name <address>": the address itself, not a longer one holding it.
        if normalise_email(parseaddr(mail.sender)[1]) == person.email
    ]


def erase_quarantined(prefecture, records: list[HeldRecord]) -> int:
    from .services.ingestion import forget_quarantined

    return forget_quarantined(
        QuarantinedMail.objects.filter(
            mailbox__prefecture=prefecture, pk__in=[r.pk for r in records]
        )
    )


QUARANTINE = PersonalDataSource(
    code="quarantine",
    label="Courriels reçus à vérifier",
    find=find_quarantined,
    erase=erase_quarantined,
    order=11,
)
