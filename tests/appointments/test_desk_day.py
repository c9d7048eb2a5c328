"""A day at the reception desk, as the agent lives it: arrivals, late people, certificates."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus, WaitlistStatus
from engagements.appointments.models import Booking, Slot
from engagements.appointments.services import BookingError
from tests.appointments.factories import (
    BookingFactory,
    ProcedureFactory,
    SlotFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 12, 8, 10, 0)  # a Tuesday, 10:00 at the desk


@pytest.fixture
def desk(service):
    """A 09:00 booking (begun) and an 11:00 one (not yet), on the desk's morning."""
    procedure = ProcedureFactory(service=service, capacity=2)
    at = timezone.make_aware
    begun = SlotFactory(procedure=procedure, starts_at=at(MORNING.replace(hour=9)))
    coming = SlotFactory(procedure=procedure, starts_at=at(MORNING.replace(hour=11)))
    return BookingFactory(slot=begun, last_name="Avant"), BookingFactory(
        slot=coming, last_name="Apres"
    )


@time_machine.travel(timezone.make_aware(MORNING), tick=False)
def test_a_person_is_not_recorded_late_before_her_appointment(
    client_for, agent, prefecture, desk, mailoutbox, django_capture_on_commit_callbacks
):
    # "En retard" was offered on every row of the day and accepted at 10:00 for an 11:00
    # appointment: the person was mailed "your arrival was recorded after your appointment's
    # time", with a link to book again.
    begun, coming = desk
    client = client_for(agent)
    html = client.get(reverse("appointments:agents-day", args=[prefecture.slug])).content.decode()
    assert 'aria-label="En retard : AVANT' in html
    assert 'aria-label="En retard : APRES' not in html
    assert 'aria-label="Venu : APRES' in html
    with pytest.raises(BookingError, match="pas en retard"):
        services.record_attendance(coming, BookingStatus.LATE, actor=agent)
    coming.refresh_from_db()
    assert coming.status == BookingStatus.CONFIRMED and not coming.rebooking_token
    with django_capture_on_commit_callbacks(execute=True):
        begun = services.record_attendance(begun, BookingStatus.LATE, actor=agent)
    assert begun.status == BookingStatus.LATE


@time_machine.travel(timezone.make_aware(MORNING), tick=False)
def test_a_late_arrival_gets_the_certificate_like_any_arrival(
    client_for, agent, prefecture, desk, mailoutbox, django_capture_on_commit_callbacks
):
    # The day's list linked the certificate for "Venu" only, though the booking's page and
    # the person's own page give it for a late arrival; and the ticked box "Envoyer
    # l'attestation de passage par courriel" sent nothing for a late arrival.
    begun, _coming = desk
    with django_capture_on_commit_callbacks(execute=True):
        services.record_attendance(begun, BookingStatus.LATE, actor=agent, send_certificate=True)
    certificates = [m for m in mailoutbox if m.attachments]
    assert [m.to for m in certificates] == [[begun.email]]
    assert certificates[0].attachments[0][0] == f"attestation-{begun.reference}.pdf"
    client = client_for(agent)
    html = client.get(reverse("appointments:agents-day", args=[prefecture.slug])).content.decode()
    assert reverse("appointments:agents-certificate", args=[prefecture.slug, begun.pk]) in html


@pytest.mark.parametrize(
    ("email", "phone", "told"),
    [
        ("rosa@usager.test", "", "La confirmation part par courriel."),
        ("", "06 11 22 33 55", "La confirmation part par SMS"),
    ],
)
def test_the_agent_is_told_what_the_person_booked_by_phone_receives(
    client_for, agent, prefecture, service, email, phone, told
):
    # Booked on the phone without an e-mail address, the person was sent no confirmation:
    # the agent read "Rendez-vous … confirmé" and nothing told him to give the reference.
    # She now gets it by SMS (test_desk_sms_confirmation.py), and the agent is told so.
    procedure = ProcedureFactory(service=service, capacity=1)
    slot = SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(days=3))
    url = reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, slot.pk])
    response = client_for(agent).post(
        url,
        {"first_name": "Rosa", "last_name": "Lopes", "email": email, "phone": phone,
         "channel": "agent"},
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert "confirmé le" in html and told in html


@time_machine.travel(timezone.make_aware(MORNING), tick=False)
def test_the_desk_says_what_each_outcome_did(client_for, agent, prefecture, desk):
    # Every outcome said "Rendez-vous … mis à jour.": was the person told of the
    # cancellation, sent the link to book again?
    begun, coming = desk
    client = client_for(agent)

    def record(booking, status, **changes):
        Booking.objects.filter(pk=booking.pk).update(**changes)
        url = reverse("appointments:agents-booking-status", args=[prefecture.slug, booking.pk])
        response = client.post(url, {"status": status}, follow=True)
        return response.content.decode()

    html = record(begun, "late")
    assert "arrivée enregistrée à 10:00, en retard. Un lien pour reprendre" in html
    html = record(coming, "cancelled_service", email="")
    assert f"Rendez-vous {coming.reference} annulé par le service." in html
    assert "La personne est prévenue par SMS." in html
    other = BookingFactory(slot=coming.slot, email="", phone="06 00 00 00 09")
    html = record(other, "attended")
    assert "arrivée enregistrée à 10:00." in html
    late = BookingFactory(slot=begun.slot, email="", phone="06 00 00 00 08")
    assert "réservez-lui un nouveau créneau" in record(late, "late")
    mailed = BookingFactory(slot=coming.slot, last_name="Mailed")
    url = reverse("appointments:agents-booking-status", args=[prefecture.slug, mailed.pk])
    html = client.post(url, {"status": "attended", "send_certificate": "on"}, follow=True)
    assert "arrivée enregistrée à 10:00. L&#x27;attestation de passage lui est envoyée" in (
        html.content.decode()
    )


@time_machine.travel(timezone.make_aware(MORNING), tick=False)
def test_the_week_lists_whoever_holds_a_seat(client_for, agent, prefecture, desk):
    # Once the 09:00 person was received, the week read "1 / 2" and nobody: it listed the
    # bookings still to come only, not the people received or absent, nor the seats kept
    # for the waiting list (all counted in the places).
    begun, coming = desk
    services.record_attendance(begun, BookingStatus.ATTENDED, actor=agent)
    absent = BookingFactory(slot=begun.slot, last_name="Absente")
    services.record_attendance(absent, BookingStatus.NO_SHOW, actor=agent)
    services.cancel_booking(BookingFactory(slot=coming.slot, last_name="Partie"), actor=agent)
    WaitlistEntryFactory(
        procedure=coming.procedure,
        status=WaitlistStatus.OFFERED,
        offered_slot=coming.slot,
        holds_seat=True,
    )
    Slot.objects.filter(pk=coming.slot_id).update(booked=F("booked") + 1)
    url = reverse("appointments:agents-calendar", args=[prefecture.slug, begun.procedure_id])
    html = client_for(agent).get(url).content.decode()
    assert "AVANT Amina</a> (venu)" in html and "ABSENTE Amina</a> (absent)" in html
    assert "APRES Amina</a>, 1 place proposée à la liste d" in html
    assert "PARTIE" not in html
    assert html.count("2 / 2") == 2


def test_the_slot_page_says_what_closing_and_moving_do(client_for, agent, prefecture, desk):
    # "Fermer ce créneau" beside the people booked did not say whether they kept their
    # appointment; "1 / 1 places"; "un courriel" to a person booked with a phone only.
    _begun, coming = desk
    Slot.objects.filter(pk=coming.slot_id).update(capacity=1)
    url = reverse("appointments:agents-slot", args=[prefecture.slug, coming.slot_id])
    html = client_for(agent).get(url).content.decode()
    assert "1 / 1 place " in html or "1 / 1 place<" in html
    assert "déjà inscrites gardent leur rendez-vous" in html
    assert "par SMS sans adresse électronique" in html


def test_the_agents_booking_form_speaks_of_the_person(client_for, agent, prefecture, service):
    # The agent booking for a person read "Date d'expiration de votre titre actuel".
    procedure = ProcedureFactory(
        service=service, asks_foreign_number=True, requires_permit_expiry=True
    )
    slot = SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(days=3))
    url = reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, slot.pk])
    html = client_for(agent).get(url).content.decode()
    assert "de son titre actuel" in html and "sur son titre de séjour" in html
    assert "votre titre" not in html


@time_machine.travel(timezone.make_aware(MORNING), tick=False)
def test_a_reference_typed_for_another_day_opens_the_booking(
    client_for, agent, prefecture, service
):
    # The person came on the wrong day: her reference typed at the counter gave "Aucun
    # rendez-vous." and the agent had to guess the date; the scanned QR code opened it.
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure, starts_at=timezone.make_aware(datetime(2026, 12, 9, 9)))
    booking = BookingFactory(slot=slot)
    url = reverse("appointments:agents-day", args=[prefecture.slug])
    response = client_for(agent).get(url, {"q": booking.reference.lower()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "appointments:agents-booking", args=[prefecture.slug, booking.pk]
    )
    assert "il est le 09/12/2026 à 09:00" in response.content.decode()


def test_the_agent_sees_which_free_slot_is_kept_for_urgent_renewals(
    client_for, agent, prefecture, service
):
    # The week marks "(prioritaire)", but "Réserver pour une personne" listed the slots
    # kept for permits expiring soon like any other, and its form said nothing: the desk
    # gave them away to whoever called.
    procedure = ProcedureFactory(service=service, requires_permit_expiry=True)
    soon = timezone.now() + timedelta(days=3)
    kept = SlotFactory(procedure=procedure, starts_at=soon, priority=True)
    SlotFactory(procedure=procedure, starts_at=soon + timedelta(hours=1))
    client = client_for(agent)
    html = client.get(reverse("appointments:agents-book-start", args=[prefecture.slug]))
    assert html.content.decode().count("(prioritaire)") == 1
    url = reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, kept.pk])
    assert "Créneau prioritaire : gardé pour les titres expirant" in (
        client.get(url).content.decode()
    )


@time_machine.travel(timezone.make_aware(MORNING), tick=False)
def test_the_booking_page_offers_late_and_absent_once_begun(client_for, agent, prefecture, desk):
    # The booking's page offered "En retard" and "Absent" for an appointment still to
    # come, both refused once chosen.
    begun, coming = desk
    client = client_for(agent)

    def outcomes(booking):
        url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
        return client.get(url).context["attendance_form"].fields["status"].choices

    assert [value for value, _label in outcomes(coming)] == [
        "attended",
        "cancelled_service",
        "cancelled_user",
    ]
    assert {"late", "no_show"} <= {value for value, _label in outcomes(begun)}
