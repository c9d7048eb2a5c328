"""Appointments factories; traits are named after scenarios."""

from datetime import timedelta

import factory
from django.db.models import F
from django.utils import timezone

from engagements.appointments.enums import BookingStatus, Channel
from engagements.appointments.models import Booking, Procedure, Slot, WaitlistEntry
from tests.factories import ServiceFactory


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    service = factory.SubFactory(ServiceFactory)
    site = factory.SelfAttribute("service.site")
    prefecture = factory.SelfAttribute("site.prefecture")
    name = factory.Sequence(lambda n: f"Remise de titre {n}")
    name_en = factory.Sequence(lambda n: f"Residence permit collection {n}")
    duration_minutes = 15
    capacity = 1
    opens_days_ahead = 60
    closes_hours_before = 2
    documents = "Passeport\nConvocation"
    no_show_policy = "confirm"

    class Params:
        renewal = factory.Trait(requires_permit_expiry=True, asks_foreign_number=True)
        strict_no_shows = factory.Trait(no_show_policy="wait", no_show_wait_weeks=4)
        agents_only = factory.Trait(is_public=False)


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    procedure = factory.SubFactory(ProcedureFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.localtime() + timedelta(days=3)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=15))
    capacity = factory.SelfAttribute("procedure.capacity")

    class Params:
        full = factory.Trait(booked=factory.SelfAttribute("capacity"))
        priority_kept = factory.Trait(priority=True)
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
        )


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking
        skip_postgeneration_save = True

    slot = factory.SubFactory(SlotFactory)
    procedure = factory.SelfAttribute("slot.procedure")
    status = BookingStatus.CONFIRMED
    channel = Channel.ONLINE
    first_name = "Amina"
    last_name = factory.Sequence(lambda n: f"Diallo{n}")
    email = factory.Sequence(lambda n: f"personne{n}@usager.test")
    phone = factory.Sequence(lambda n: f"06 12 34 {n // 100 % 100:02d} {n % 100:02d}")
    confirmed_at = factory.LazyFunction(timezone.now)

    class Params:
        held = factory.Trait(
            status=BookingStatus.HELD,
            confirmed_at=None,
            hold_expires_at=factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15)),
        )
        stale_hold = factory.Trait(
            status=BookingStatus.HELD,
            confirmed_at=None,
            hold_expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1)),
        )
        no_show = factory.Trait(status=BookingStatus.NO_SHOW)
        attended = factory.Trait(status=BookingStatus.ATTENDED)

    @factory.post_generation
    def take_seat(obj, create, extracted, **kwargs):
        """Active bookings take their seat, as services do. (A booking created already
        checked in or absent takes none here, though in life it keeps the one it took: a
        test that counts seats books it active and records the attendance.)"""
        obj.set_identity_keys()
        if create:
            obj.save()
            if obj.is_active:
                Slot.objects.filter(pk=obj.slot_id).update(booked=F("booked") + 1)
                obj.slot.refresh_from_db()


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    procedure = factory.SubFactory(ProcedureFactory)
    first_name = "Karim"
    last_name = factory.Sequence(lambda n: f"Attente{n}")
    email = factory.Sequence(lambda n: f"attente{n}@usager.test")
