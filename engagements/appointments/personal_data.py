"""Appointments' part of "what the prefecture holds about a person" (shell.personal_data)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from engagements import words
from engagements.shell.content_language import long_date
from engagements.shell.personal_data import HeldRecord, Person, PersonalDataSource

from .enums import ACTIVE_STATUSES
from .enums import WaitlistStatus as WS
from .models import Booking, WaitlistEntry

PURPOSE = "Organiser le rendez-vous, vous le rappeler et accueillir au guichet"


def _retention() -> timedelta:
    # As the daily purge counts it (services.sweeps.purge_personal_data).
    return timedelta(days=31 * settings.APPOINTMENTS_RETENTION_MONTHS)


def _bookings(prefecture, person: Person):
    condition = Q(pk__in=[])
    if person.email:
        condition |= Q(email_key=person.email)
    if person.phone:
        condition |= Q(phone_key=person.phone)
    if person.reference:
        condition |= Q(reference__iexact=person.reference)
    return (
        Booking.objects.filter(procedure__prefecture=prefecture)
        .filter(condition)
        .select_related("procedure", "slot")
        .annotate(n_documents=Count("documents"))
        .order_by("slot__starts_at", "pk")
    )


def _booking_blocked(booking: Booking, now) -> str:
    if booking.status in ACTIVE_STATUSES and booking.slot.starts_at >= now:
        return "Rendez-vous à venir : annulez-le d'abord."
    return ""


def find_bookings(prefecture, person: Person) -> list[HeldRecord]:
    now = timezone.now()
    records = []
    for booking in _bookings(prefecture, person):
        starts = booking.slot.starts_at
        records.append(
            HeldRecord(
                kind=f"Rendez-vous « {booking.procedure.name} »",
                reference=booking.reference,
                day=timezone.localtime(starts).date(),
                fields=[
                    ("Prénom", booking.first_name),
                    ("Nom", booking.last_name),
                    ("Courriel", booking.email),
                    ("Téléphone", booking.phone),
                    ("Numéro étranger", booking.foreign_number),
                    ("Expiration du titre", long_date(booking.permit_expires_on, language="fr")),
                    *(
                        (f"Réponse « {question} »", str(answer))
                        for question, answer in (booking.answers or {}).items()
                    ),
                    (
                        "Documents envoyés",
                        words.count(booking.n_documents, "fichier", "fichiers")
                        if booking.n_documents
                        else "",
                    ),
                    ("Rendez-vous", long_date(starts, "full_time", language="fr")),
                    ("État", booking.get_status_display()),
                ],  # fmt: skip
                purpose=PURPOSE,
                kept_until=timezone.localtime(starts + _retention()).date(),
                url=booking.agent_url(prefecture.slug),
                blocked=_booking_blocked(booking, now),
                purged=booking.purged_at is not None,
                pk=booking.pk,
            )
        )
    return records


def erase_bookings(prefecture, records: list[HeldRecord]) -> int:
    from .services.sweeps import purge_bookings

    now = timezone.now()
    bookings = Booking.objects.filter(
        procedure__prefecture=prefecture, pk__in=[r.pk for r in records]
    ).exclude(status__in=ACTIVE_STATUSES, slot__starts_at__gte=now)
    return purge_bookings(bookings, now=now)


WAITING = (WS.WAITING, WS.OFFERED)


def find_waitlist(prefecture, person: Person) -> list[HeldRecord]:
    if not person.email:
        return []
    entries = (
        WaitlistEntry.objects.filter(procedure__prefecture=prefecture, email__iexact=person.email)
        .select_related("procedure")
        .order_by("created_at", "pk")
    )
    return [
        HeldRecord(
            kind=f"Liste d'attente « {entry.procedure.name} »",
            reference="",
            day=timezone.localtime(entry.created_at).date(),
            fields=[
                ("Prénom", entry.first_name),
                ("Nom", entry.last_name),
                ("Courriel", entry.email),
                ("État", entry.get_status_display()),
            ],
            purpose="Vous proposer un créneau libéré",
            kept_until=None
            if entry.status in WAITING
            else timezone.localtime(entry.created_at + _retention()).date(),
            kept_note="tant que l'inscription est en cours" if entry.status in WAITING else "",
            blocked="Inscription en cours sur la liste d'attente : retirez-la d'abord."
            if entry.status in WAITING
            else "",
            pk=entry.pk,
        )
        for entry in entries
    ]


def erase_waitlist(prefecture, records: list[HeldRecord]) -> int:
    from .services.sweeps import forget_waitlist_entries

    return forget_waitlist_entries(
        WaitlistEntry.objects.filter(
            procedure__prefecture=prefecture, pk__in=[r.pk for r in records]
        )
    )


SOURCES = (
    PersonalDataSource(
        code="bookings", label="Rendez-vous", find=find_bookings, erase=erase_bookings, order=20
    ),
    PersonalDataSource(
        code="waitlist",
        label="Listes d'attente",
        find=find_waitlist,
        erase=erase_waitlist,
        order=21,
    ),
)
