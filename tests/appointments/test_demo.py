"""The demo data: every status, ~30 % no-shows last month, counters consistent."""

import random

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from engagements.appointments import demo
from engagements.appointments.enums import ACTIVE_STATUSES, BookingStatus
from engagements.appointments.models import Booking, Procedure, Slot
from engagements.appointments.queries import no_show_rate
from engagements.organisation import demo as organisation_demo
from engagements.organisation.management.commands.seed_demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_seed():
    ctx = DemoContext(rng=random.Random(2026), today=timezone.localdate())
    organisation_demo.seed(ctx)
    demo.seed(ctx)
    sites = set(Procedure.objects.values_list("site__slug", flat=True))
    assert {"lysville", "sainte-aure", "pan-lysville"} <= sites
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert statuses == set(BookingStatus.values)
    last_month = Booking.objects.filter(
        slot__starts_at__gte=timezone.now() - timezone.timedelta(days=31)
    )
    assert 22 <= no_show_rate(last_month) <= 38
    # Counters agree with the bookings (the invariant the services keep).
    mismatched = Slot.objects.annotate(
        active=Count("bookings", filter=Q(bookings__status__in=ACTIVE_STATUSES))
    ).exclude(booked=F("active"))
    assert not mismatched.exists()
    assert Slot.objects.filter(starts_at__gt=timezone.now(), booked__lt=1).exists()
