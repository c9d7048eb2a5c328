"""The demo data: every status, ~30 % no-shows last month, counters consistent."""

import random
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db.models import Count, F, Q
from django.utils import timezone

from engagements.appointments import demo
from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking, Procedure, Slot
from engagements.appointments.queries import no_show_rate
from engagements.calendar.workdays import calendar_for
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
    # Counters agree with the bookings (the invariant the services keep: a check-in or an
    # absence keeps the seat, a cancellation or a lapsed hold gives it back).
    given_back = [BookingStatus.CANCELLED_BY_USER, BookingStatus.CANCELLED_BY_SERVICE]
    given_back.append(BookingStatus.EXPIRED)
    mismatched = Slot.objects.annotate(
        seated=Count("bookings", filter=~Q(bookings__status__in=given_back))
    ).exclude(booked=F("seated"))
    assert not mismatched.exists()
    assert Slot.objects.filter(starts_at__gt=timezone.now(), booked__lt=1).exists()


@pytest.mark.parametrize(
    "loaded_on",
    [datetime(2026, 12, 7, 10, 0), datetime(2026, 12, 8, 10, 0), datetime(2026, 12, 12, 10, 0)],
    ids=["monday", "tuesday", "saturday"],
)
def test_every_site_has_people_at_its_counter_the_day_the_demo_is_loaded(loaded_on):
    # The Sainte-Aure site manager opened her reception list on the demo's day: "Aucun
    # rendez-vous." (her procedure runs on Tuesdays and Thursdays). Loaded at the weekend,
    # when no counter opens, the demo fills the Monday.
    with time_machine.travel(timezone.make_aware(loaded_on), tick=False):
        ctx = DemoContext(rng=random.Random(2026), today=timezone.localdate())
        organisation_demo.seed(ctx)
        demo.seed(ctx)
        today = calendar_for(ctx.prefecture).next_working_day(ctx.today)
        assert today.weekday() in (0, 1)
        sites = set(Procedure.objects.values_list("site__slug", flat=True))
        for days, label in ((0, "today"), (1, "later")):
            start = timezone.make_aware(datetime.combine(today + timedelta(days), time()))
            slots = Slot.objects.filter(starts_at__gte=start)
            if days == 0:
                slots = slots.filter(starts_at__lt=start + timedelta(days=1))
            else:
                slots = slots.filter(starts_at__lt=start + timedelta(days=7))
            with_people = set(
                Booking.objects.filter(slot__in=slots)
                .exclude(status__startswith="cancelled")
                .values_list("procedure__site__slug", flat=True)
            )
            assert with_people == sites, label
        # An afternoon too: the demo shown after lunch has people still to come.
        afternoon = timezone.make_aware(datetime.combine(today, time(14)))
        coming = Booking.objects.filter(
            procedure__site__slug="sainte-aure",
            slot__starts_at__gte=afternoon,
            slot__starts_at__lt=afternoon + timedelta(hours=3),
        )
        assert coming.exists()
        # The people checked in at Sainte-Aure were received by its own staff.
        receivers = set(
            Booking.objects.filter(
                procedure__site__slug="sainte-aure", checked_in_by__isnull=False
            ).values_list("checked_in_by__username", flat=True)
        )
        assert receivers == {"chef-site"}
