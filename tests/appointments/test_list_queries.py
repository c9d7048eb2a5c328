"""The agents' week of a procedure costs the same number of queries however many slots
and bookings it holds."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _slot(procedure, day, hour, minute=0, capacity=2):
    starts = timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))
    return SlotFactory(
        procedure=procedure,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=15),
        capacity=capacity,
    )


@time_machine.travel(date(2026, 3, 13), tick=False)
def test_the_week_s_queries_do_not_grow_with_the_slots_and_bookings(
    prefecture, service, agent, client_for, django_assert_max_num_queries
):
    """An agent sees each slot of the week with the people booked on it (a cancelled
    booking left out): eight queries (his roles, sites and services; the procedure; the
    slots; their bookings), whatever the slots and bookings."""
    client = client_for(agent)
    procedure = ProcedureFactory(service=service, capacity=2)
    url = reverse("appointments:agents-calendar", args=[prefecture.slug, procedure.pk])
    params = {"semaine": "2026-03-16"}
    BookingFactory(slot=_slot(procedure, date(2026, 3, 16), 9), last_name="Martin")
    with django_assert_max_num_queries(8) as first:
        client.get(url, params)
    for day in range(16, 21):
        for hour in (10, 11, 14):
            slot = _slot(procedure, date(2026, 3, day), hour)
            BookingFactory(slot=slot)
            BookingFactory(slot=slot, status="cancelled_user")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url, params)
    days = dict(response.context["days"])
    assert [len(slots) for slots in days.values()] == [4, 3, 3, 3, 3]
    assert all(len(slot.people) == 1 for slots in days.values() for slot in slots)
    assert "MARTIN Amina" in response.content.decode()


def test_the_waiting_list_s_queries_do_not_grow_with_its_entries(
    prefecture, service, agent, client_for, django_assert_max_num_queries
):
    """The procedure's waiting list, each entry with its history: the same queries for one
    entry as for twenty (the access, the procedure, the entries with their offered slot,
    their histories)."""
    from engagements.appointments.enums import WaitlistStatus
    from engagements.appointments.models import WaitlistLog
    from tests.appointments.factories import WaitlistEntryFactory

    client = client_for(agent)
    procedure = ProcedureFactory(service=service)
    url = reverse("appointments:agents-waitlist", args=[prefecture.slug, procedure.pk])
    entry = WaitlistEntryFactory(procedure=procedure)
    WaitlistLog.objects.create(entry=entry, note="Adresse électronique corrigée par la personne")
    with django_assert_max_num_queries(8) as first:
        client.get(url)
    slot = _slot(procedure, date(2026, 3, 16), 9)
    statuses = [WaitlistStatus.WAITING, WaitlistStatus.OFFERED, WaitlistStatus.EXPIRED]
    for n in range(20):
        entry = WaitlistEntryFactory(
            procedure=procedure, status=statuses[n % 3], offered_slot=slot if n % 3 else None
        )
        WaitlistLog.objects.create(
            entry=entry, note="Adresse électronique corrigée par la personne", actor=agent
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    sections = response.context["sections"]
    assert [len(entries) for _, entries, _ in sections] == [15, 6]
