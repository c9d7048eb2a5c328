"""The people's details of past appointments go after the retention period, whatever the
booking's status: most desks never record who came."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus
from tests.appointments.factories import BookingFactory


@pytest.mark.django_db
def test_a_past_appointment_nobody_checked_in_is_purged(client):
    forgotten = BookingFactory(slot__past=True)  # still "confirmed": attendance not recorded
    assert forgotten.status == BookingStatus.CONFIRMED and forgotten.email
    manage = reverse("appointments:manage", args=[forgotten.token])
    with time_machine.travel(timezone.now() + timedelta(days=100)):
        upcoming = BookingFactory()
        assert services.purge_personal_data() == 1
        assert client.get(manage).status_code == 404
    forgotten.refresh_from_db()
    upcoming.refresh_from_db()
    assert (forgotten.first_name, forgotten.last_name, forgotten.email, forgotten.phone) == (
        "",
        "",
        "",
        "",
    )
    assert forgotten.email_key == "" and forgotten.purged_at is not None
    assert forgotten.status == BookingStatus.CONFIRMED  # the counts do not change
    assert upcoming.email and upcoming.purged_at is None


@pytest.mark.django_db
def test_the_mails_of_a_purged_booking_go_with_its_details():
    """A failed mail is otherwise kept a year, with the person's address and name in it."""
    from engagements.outbox.models import Delivery
    from tests.outbox.agent_urls import failed_delivery

    past = BookingFactory(slot__past=True, attended=True)
    mail = failed_delivery(past.procedure.prefecture, record=past, to=[past.email])
    with time_machine.travel(timezone.now() + timedelta(days=100)):
        upcoming = BookingFactory()
        kept = failed_delivery(upcoming.procedure.prefecture, record=upcoming)
        assert services.purge_personal_data() == 1
    assert not Delivery.objects.filter(pk=mail.pk).exists()
    assert Delivery.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db
def test_the_waiting_list_forgets_the_people_whose_wait_ended_long_ago():
    """The waiting list holds names and e-mail addresses: an entry that ended (booked,
    expired, left) goes after the retention period; one still waiting stays, the person
    still waits for a seat."""
    from engagements.appointments.enums import WaitlistStatus
    from engagements.appointments.models import WaitlistEntry
    from tests.appointments.factories import WaitlistEntryFactory

    made = timezone.now() - timedelta(days=100)
    ended = [
        WaitlistEntryFactory(status=status, created_at=made)
        for status in (WaitlistStatus.BOOKED, WaitlistStatus.EXPIRED, WaitlistStatus.LEFT)
    ]
    waiting = WaitlistEntryFactory(status=WaitlistStatus.WAITING, created_at=made)
    recent = WaitlistEntryFactory(status=WaitlistStatus.LEFT)
    services.purge_personal_data()
    kept = set(WaitlistEntry.objects.values_list("pk", flat=True))
    assert kept == {waiting.pk, recent.pk}
    assert not kept & {entry.pk for entry in ended}
