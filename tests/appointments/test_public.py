"""Public booking pages through the test client (the browser test covers the same path)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements import antibot
from engagements.appointments import services
from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking, Slot
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _accept(client, procedure):
    data = {"accept": "on"}
    if procedure.requires_permit_expiry:
        data["permit_expires_on"] = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(reverse("appointments:terms", args=[procedure.pk]), data)
    assert response.status_code == 302


def _details(slot, **extra):
    return {
        "first_name": "Léa",
        "last_name": "Martin",
        "email": "lea@usager.test",
        "phone": "06 12 34 56 78",
        "altcha": antibot.solve(antibot.new_challenge()),
        **extra,
    }


def test_prefecture_page_links_to_booking(client, prefecture, service):
    response = client.get(reverse("organisation:prefecture", args=[prefecture.slug]))
    assert reverse("appointments:procedures", args=[prefecture.slug]).encode() in response.content


def test_week_opens_at_the_first_free_slot(client, service):
    procedure = ProcedureFactory(service=service)
    far = timezone.localtime() + timedelta(days=21)
    SlotFactory(procedure=procedure, full=True)
    slot = SlotFactory(
        procedure=procedure, starts_at=far.replace(hour=9, minute=0, second=0, microsecond=0)
    )
    assert client.get(reverse("appointments:slots", args=[procedure.pk])).status_code == 302
    _accept(client, procedure)
    response = client.get(reverse("appointments:slots", args=[procedure.pk]))
    assert (
        reverse("appointments:details", args=[procedure.pk, slot.pk]) in response.content.decode()
    )
    assert "Semaine précédente" in response.content.decode()


def test_the_form_explains_errors_and_keeps_what_was_typed(client, service):
    slot = SlotFactory(procedure=ProcedureFactory(service=service, renewal=True))
    _accept(client, slot.procedure)
    url = reverse("appointments:details", args=[slot.procedure.pk, slot.pk])
    response = client.post(url, _details(slot, email="pas-valide", foreign_number="12"))
    html = response.content.decode()
    assert response.status_code == 200 and Booking.objects.count() == 0
    assert 'value="Martin"' in html and 'aria-invalid="true"' in html
    assert "Le numéro étranger compte 10 chiffres." in html


def test_booking_through_the_form_then_duplicate_gets_the_link_by_mail(
    client, service, mailoutbox, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory(service=service, capacity=2)
    slot = SlotFactory(procedure=procedure)
    _accept(client, procedure)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appointments:details", args=[procedure.pk, slot.pk]), _details(slot)
        )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.HELD
    link = re.search(r"https?://\S+/confirmer/\S+/", mailoutbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert "Votre rendez-vous est confirmé" in response.content.decode()
    # The same person, another spelling of the address: no second booking, link re-sent.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appointments:details", args=[procedure.pk, slot.pk]),
            _details(slot, email="LEA@usager.test ", first_name="Lea"),
            follow=True,
        )
    assert "déjà un rendez-vous" in response.content.decode()
    assert Booking.objects.count() == 1 and Slot.objects.get(pk=slot.pk).booked == 1
    assert booking.token in mailoutbox[-1].body and booking.token not in response.content.decode()


def test_manage_page_ics_pdf_and_cancel(client, service):
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    manage = reverse("appointments:manage", args=[booking.token])
    assert client.get(manage).status_code == 200
    ics = client.get(reverse("appointments:ics", args=[booking.token]))
    assert b"BEGIN:VTIMEZONE" in ics.content and b"TZID:Europe/Paris" in ics.content
    pdf = client.get(reverse("appointments:pdf", args=[booking.token]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.post(reverse("appointments:cancel", args=[booking.token]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED_BY_USER
    assert Slot.objects.get(pk=booking.slot_id).booked == 0


def test_personal_pages_need_the_exact_token(client, service):
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    for name in ("manage", "ics", "pdf"):
        assert (
            client.get(reverse(f"appointments:{name}", args=[booking.token[:-1] + "x"])).status_code
            == 404
        )
        assert (
            client.get(reverse(f"appointments:{name}", args=[booking.reference])).status_code == 404
        )


def test_english_pages(client, service):
    procedure = ProcedureFactory(service=service)
    response = client.get("/en" + reverse("appointments:terms", args=[procedure.pk]))
    assert response.status_code == 200
    assert procedure.name_en in response.content.decode()


def test_reschedule_through_the_manage_link(client, service):
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    later = SlotFactory(
        procedure=booking.procedure, starts_at=booking.slot.starts_at + timedelta(days=1)
    )
    url = reverse("appointments:reschedule", args=[booking.token])
    page = client.get(url, {"semaine": timezone.localtime(later.starts_at).date().isoformat()})
    assert f'value="{later.pk}"' in page.content.decode()
    client.post(url, {"slot": later.pk})
    booking.refresh_from_db()
    assert booking.slot == later and booking.reschedule_count == 1


def test_late_rebooking_link_opens_the_week_for_six_weeks(client, service, agent):
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    services.record_attendance(booking, BookingStatus.LATE, actor=agent)
    booking.refresh_from_db()
    url = reverse("appointments:rebook", args=[booking.rebooking_token])
    assert client.get(url)["Location"] == reverse("appointments:slots", args=[booking.procedure_id])
    with time_machine.travel(timezone.now() + timedelta(days=43)):
        fresh = client.__class__()
        response = fresh.get(url)
        assert response["Location"] == reverse("appointments:terms", args=[booking.procedure_id])


def test_renewal_asks_the_expiry_first_and_opens_priority_slots_to_urgent_cases(client, service):
    procedure = ProcedureFactory(service=service, renewal=True)
    start = (timezone.localtime() + timedelta(days=4)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    kept = SlotFactory(procedure=procedure, starts_at=start, priority=True)
    details = reverse("appointments:details", args=[procedure.pk, kept.pk])
    terms = reverse("appointments:terms", args=[procedure.pk])
    slots = reverse("appointments:slots", args=[procedure.pk])
    week = {"semaine": start.date().isoformat()}
    # Expires in 3 months: the kept slot is not offered.
    later = (timezone.localdate() + timedelta(days=90)).isoformat()
    client.post(terms, {"accept": "on", "permit_expires_on": later})
    assert details not in client.get(slots, week).content.decode()
    # Expires in 3 weeks: it is, and the date is already filled in on the form.
    soon = (timezone.localdate() + timedelta(days=21)).isoformat()
    client.post(terms, {"accept": "on", "permit_expires_on": soon})
    assert details in client.get(slots, week).content.decode()
    assert f'value="{soon}"' in client.get(details).content.decode()
