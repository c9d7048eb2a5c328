from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.appointments.enums import BookingStatus, Channel
from engagements.appointments.models import Booking, Slot
from engagements.appointments.queries import first_free_days, first_free_slot, no_show_rate
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


@time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False)
def test_the_first_free_slot_is_read_from_a_few_candidates():
    # A procedure with months of free slots: the first one is free, and the public list
    # of procedures must not read (and build) two hundred slots to show it.
    procedure = ProcedureFactory(priority_release_hours=48)
    first = timezone.localtime() + timedelta(days=1)
    Slot.objects.bulk_create(
        SlotFactory.build(
            procedure=procedure,
            starts_at=first + timedelta(minutes=15 * n),
            ends_at=first + timedelta(minutes=15 * (n + 1)),
        )
        for n in range(300)
    )
    with CaptureQueriesContext(connection) as read:
        found = first_free_slot(procedure)
    assert found.starts_at == first
    assert len(read) == 1
    assert "LIMIT 10" in read.captured_queries[0]["sql"]


@time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False)
def test_the_first_free_slot_is_found_past_the_first_candidates(django_assert_num_queries):
    # The first twelve candidates are kept for people whose permit expires (priority slots
    # not yet released): the first slot the public may book is the thirteenth.
    procedure = ProcedureFactory(priority_release_hours=48)
    first = timezone.localtime() + timedelta(days=5)
    for n in range(14):
        SlotFactory(
            procedure=procedure,
            starts_at=first + timedelta(minutes=15 * n),
            priority=n < 12,
        )
    with django_assert_num_queries(2):
        found = first_free_slot(procedure)
    assert found.starts_at == first + timedelta(minutes=15 * 12)
    assert found.procedure is procedure
    assert first_free_days(procedure) == 5


def test_bookings_per_channel_leave_lapsed_holds_out():
    # "En ligne : 573" on the appointments' home counted online holds never confirmed.
    from engagements.appointments.queries import procedure_figures

    procedure = ProcedureFactory(capacity=3)
    slot = SlotFactory(procedure=procedure)
    BookingFactory(slot=slot, channel=Channel.ONLINE)
    BookingFactory(slot=slot, channel=Channel.ONLINE, status=BookingStatus.EXPIRED)
    BookingFactory(slot=slot, channel=Channel.AGENT)
    [row] = procedure_figures([procedure])
    assert row["channels"] == {"En ligne": 1, "Par un agent": 1}
