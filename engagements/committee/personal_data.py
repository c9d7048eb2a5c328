"""The committee's part of "what the prefecture holds about a person"
(shell.personal_data): the seats she held or holds."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from engagements.shell.content_language import long_date
from engagements.shell.personal_data import HeldRecord, Person, PersonalDataSource

from .models import Seat
from .services.members import AT_REQUEST, forget_seat_contact


def _running(seat: Seat, today) -> bool:
    return seat.mandate_end is None or seat.mandate_end >= today


def find(prefecture, person: Person) -> list[HeldRecord]:
    if not person.email:
        return []
    today = timezone.localdate()
    months = settings.COMMITTEE_FORMER_MEMBER_RETENTION_MONTHS
    seats = (
        Seat.objects.filter(committee__prefecture=prefecture, email__iexact=person.email)
        .select_related("college")
        .order_by("mandate_start", "pk")
    )
    return [
        HeldRecord(
            kind=f"Siège au comité des usagers ({seat.college.name})",
            reference="",
            day=seat.mandate_start,
            fields=[
                ("Civilité", seat.get_civility_display()),
                ("Prénom", seat.first_name),
                ("Nom", seat.last_name),
                ("Courriel", seat.email),
                ("Organisme", seat.organisation),
                ("Siège", seat.get_kind_display()),
                ("Fin du mandat", long_date(seat.mandate_end, language="fr")),
            ],
            purpose="Convoquer les membres du comité ; la composition du comité est "
            "publiée, le nom y reste",
            kept_note=f"le temps du mandat et {months} mois après, puis le courriel est effacé "
            "(la composition publiée garde le nom)",
            url=reverse("committee:agents-members", args=[prefecture.slug]),
            blocked="Mandat en cours : mettez-y fin d'abord." if _running(seat, today) else "",
            pk=seat.pk,
        )
        for seat in seats
    ]


def erase(prefecture, records: list[HeldRecord]) -> int:
    today = timezone.localdate()
    seats = Seat.objects.filter(
        committee__prefecture=prefecture, pk__in=[r.pk for r in records]
    ).filter(Q(mandate_end__lt=today))
    erased = 0
    with transaction.atomic():
        for seat in seats:
            forget_seat_contact(seat, reason=AT_REQUEST, today=today)
            erased += 1
    return erased


SOURCE = PersonalDataSource(
    code="committee", label="Comité des usagers", find=find, erase=erase, order=30
)
