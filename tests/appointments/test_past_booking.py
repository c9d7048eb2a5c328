"""A person whose appointment has passed without its attendance recorded (still "confirmed")
could not book the same procedure again: the one-booking-per-person rule counted it until
the purge, three months later ("Vous avez déjà un rendez-vous")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus, Channel, NoShowPolicy
from engagements.appointments.models import Booking
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _person(booking: Booking) -> services.Person:
    return services.Person(
        first_name=booking.first_name,
        last_name=booking.last_name,
        email=booking.email,
        phone=booking.phone,
    )


@pytest.mark.parametrize(
    "channel", [Channel.ONLINE, Channel.AGENT, Channel.API], ids=lambda c: str(c)
)
@pytest.mark.parametrize("policy", [NoShowPolicy.NONE, NoShowPolicy.WAIT], ids=lambda p: str(p))
def test_a_past_appointment_never_recorded_does_not_block_the_next(service, channel, policy):
    procedure = ProcedureFactory(service=service, no_show_policy=policy)
    now = timezone.now()
    past = BookingFactory(slot=SlotFactory(procedure=procedure, starts_at=now - timedelta(days=2)))
    later = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=3))
    booking = services.book_slot(later, _person(past), channel=channel, now=now)
    assert booking.slot_id == later.pk
    # The past one keeps what the desk may still record, and the person's details.
    past.refresh_from_db()
    assert past.status == BookingStatus.CONFIRMED
    assert (past.email, past.phone) != ("", "")
    assert services.existing_active_booking(procedure, _person(past)) == booking


def test_an_appointment_to_come_still_refuses_a_second(service):
    procedure = ProcedureFactory(service=service)
    now = timezone.now()
    coming = BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=now + timedelta(hours=1))
    )
    other = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=3))
    with pytest.raises(services.BookingError) as error:
        services.book_slot(other, _person(coming), channel=Channel.AGENT, now=now)
    assert error.value.code == "duplicate" and error.value.existing == coming
    coming.refresh_from_db()
    assert coming.email_key  # still counted


def test_a_recorded_absence_still_counts_under_the_no_show_policy(service):
    # The past booking's hashes stay: the no-show history reads them, not the keys.
    procedure = ProcedureFactory(
        service=service, no_show_policy=NoShowPolicy.WAIT, no_show_limit=1, no_show_wait_weeks=4
    )
    now = timezone.now()
    past = BookingFactory(slot=SlotFactory(procedure=procedure, starts_at=now - timedelta(days=2)))
    later = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=3))
    services.release_past_booking(past, now=now)
    services.record_attendance(past, BookingStatus.NO_SHOW, actor=None)
    with pytest.raises(services.BookingError) as error:
        services.book_slot(later, _person(past), channel=Channel.ONLINE, now=now)
    assert error.value.code == "no_show"
    # Said to anyone ("Vous n'êtes pas venu" spoke to a man).
    assert error.value.message.startswith("Vous avez manqué 1 rendez-vous ces derniers mois")


def test_the_person_cannot_cancel_or_move_an_appointment_that_has_begun(service, client):
    # Her link still cancelled (or moved) an appointment after its time while the counter
    # had not recorded her absence yet: the absence vanished from the no-show figures and
    # the seat of a slot already over went back.
    procedure = ProcedureFactory(service=service)
    now = timezone.now()
    booking = BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=now - timedelta(minutes=5))
    )
    later = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=3))
    with pytest.raises(services.BookingError, match="déjà commencé : il ne peut plus être annulé"):
        services.cancel_booking(booking)
    with pytest.raises(services.BookingError, match="déjà commencé : il ne peut plus être déplacé"):
        services.reschedule_booking(booking, later)
    response = client.post(f"/rendez-vous/gerer/{booking.token}/annuler/", follow=True)
    assert "il ne peut plus être annulé" in response.content.decode().replace("&#x27;", "'")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.slot_id != later.pk
    assert type(booking.slot).objects.get(pk=booking.slot_id).booked == 1
    # In English too.
    response = client.post(f"/en/rendez-vous/gerer/{booking.token}/annuler/", follow=True)
    assert "has already started" in response.content.decode()
    # The service still can (a day closed after the fact, a correction at the counter).
    services.cancel_booking(booking, by_service=True)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED_BY_SERVICE


def test_the_person_still_cancels_an_appointment_to_come(service):
    booking = BookingFactory(
        slot=SlotFactory(
            procedure=ProcedureFactory(service=service),
            starts_at=timezone.now() + timedelta(minutes=30),
        )
    )
    assert services.cancel_booking(booking).status == BookingStatus.CANCELLED_BY_USER
