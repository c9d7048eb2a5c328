"""Factories of the committee app (invented people only)."""

from datetime import date, datetime

import factory
from django.utils import timezone

from engagements.committee.enums import (
    AgendaKind,
    AttendanceStatus,
    DecisionKind,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    SeatKind,
)
from engagements.committee.models import (
    AgendaItem,
    Attendance,
    College,
    Committee,
    Decision,
    Meeting,
    Minutes,
    MinutesItem,
    Seat,
    Suggestion,
)
from tests.factories import PrefectureFactory


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("prefecture",)

    prefecture = factory.SubFactory(PrefectureFactory)
    order_reference = "2024-CLU-01"
    order_date = date(2024, 1, 15)


class CollegeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = College
        django_get_or_create = ("committee", "name")

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"Collège {n}")


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    committee = factory.SubFactory(CommitteeFactory)
    college = factory.LazyAttribute(lambda o: CollegeFactory(committee=o.committee))
    organisation = factory.Sequence(lambda n: f"Association des usagers n° {n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Membre{n}")
    email = factory.LazyAttribute(lambda o: f"{o.last_name.lower()}@membres.test")
    kind = SeatKind.TITULAR
    mandate_start = date(2024, 1, 1)
    mandate_end = None

    class Params:
        substitute = factory.Trait(kind=SeatKind.SUBSTITUTE)
        organisation_only = factory.Trait(first_name="", last_name="", email="")


def at(day: date, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    committee = factory.SubFactory(CommitteeFactory)
    starts_at = factory.LazyFunction(lambda: at(date(2025, 3, 10)))
    place = "Salle des fêtes de la préfecture"
    kind = MeetingKind.ORDINARY
    status = MeetingStatus.PLANNED

    class Params:
        held = factory.Trait(status=MeetingStatus.HELD)
        convened = factory.Trait(status=MeetingStatus.CONVENED)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Point n° {n}")
    kind = AgendaKind.INFORMATION


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    seat = None  # a snapshot row; pass a seat to tie it to one
    status = AttendanceStatus.PRESENT
    person_name = factory.LazyAttribute(
        lambda o: o.seat.person_name if o.seat else "Dominique Exemple"
    )
    organisation = factory.LazyAttribute(
        lambda o: o.seat.organisation if o.seat else "Association exemple"
    )
    college_name = factory.LazyAttribute(
        lambda o: o.seat.college.name if o.seat else "Associations"
    )
    seat_kind = factory.LazyAttribute(lambda o: o.seat.kind if o.seat else SeatKind.TITULAR)


class MinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Minutes

    meeting = factory.SubFactory(MeetingFactory, status=MeetingStatus.MINUTES_DRAFTED)
    version = 1

    class Params:
        approved = factory.Trait(status=MinutesStatus.APPROVED, approved_on=date(2025, 4, 1))


class MinutesItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MinutesItem

    minutes = factory.SubFactory(MinutesFactory)
    agenda_item = factory.SubFactory(
        AgendaItemFactory, meeting=factory.SelfAttribute("..minutes.meeting")
    )
    text = "Le comité prend connaissance des résultats."


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    minutes = factory.SubFactory(MinutesFactory)
    kind = DecisionKind.OPINION
    text = "Avis favorable."


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion

    committee = factory.SubFactory(CommitteeFactory)
    text = "Afficher les horaires de l'accueil en plusieurs langues."
    author_label = "Association des usagers"
    submitted_on = date(2025, 3, 10)
