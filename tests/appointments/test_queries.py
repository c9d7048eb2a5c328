from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.appointments.models import Booking
from engagements.appointments.queries import first_free_days, no_show_rate
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_no_show_rate_follows_indicators_md():
    procedure = ProcedureFactory(capacity=10)
    past = SlotFactory(procedure=procedure, past=True)
    for _ in range(3):
        BookingFactory(slot=past, attended=True)
    BookingFactory(slot=past, status="late")
    BookingFactory(slot=past, no_show=True)
    BookingFactory(slot=past, status="cancelled_user")  # left out
    BookingFactory(slot=SlotFactory(procedure=procedure), no_show=True)  # not passed yet
    assert no_show_rate(Booking.objects.filter(procedure=procedure)) == 20.0
    assert no_show_rate(Booking.objects.none()) is None


def test_first_free_slot_in_days():
    procedure = ProcedureFactory()
    SlotFactory(procedure=procedure, full=True)
    day = timezone.localtime() + timedelta(days=9)
    SlotFactory(procedure=procedure, starts_at=day.replace(hour=10, minute=0))
    assert first_free_days(procedure) == 9
