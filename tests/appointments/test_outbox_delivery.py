"""Bookings never fail because the mail server does; addresses are checked at the door."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking, Slot
from engagements.outbox import services as outbox
from engagements.outbox.enums import Status as DeliveryStatus
from engagements.outbox.models import Delivery
from tests.appointments import test_api
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.appointments.test_public import _accept, _details
from tests.mail import free_port

pytestmark = pytest.mark.django_db
token, api, payload = test_api.token, test_api.api, test_api.payload  # the API's fixtures
BAD = "rep1@exemple\u0095.fr"


def _server_back_and_retry(settings, smtp_mail):
    settings.EMAIL_PORT = smtp_mail.port
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        return outbox.deliver_due()


def test_api_booking_with_the_mail_server_down_succeeds_and_mails_later(
    api,
    service,
    smtp_mail,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_PORT = free_port()  # the mail server is stopped
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    with django_capture_on_commit_callbacks(execute=True):
        response = api("post", "/bookings", data=payload(slot))
    assert response.status_code == 201, response.content
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert smtp_mail.messages == []

    assert _server_back_and_retry(settings, smtp_mail) == 1
    [mail] = smtp_mail.to("ana1@usager.test")
    assert booking.reference in mail.text()
    assert _server_back_and_retry(settings, smtp_mail) == 0  # once


def test_form_booking_with_the_mail_server_down_succeeds_and_mails_later(
    client, service, smtp_mail, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_PORT = free_port()
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    _accept(client, procedure)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appointments:details", args=[procedure.pk, slot.pk]),
            _details(slot),
            follow=True,
        )
    assert response.status_code == 200
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.HELD
    assert smtp_mail.messages == []

    assert _server_back_and_retry(settings, smtp_mail) == 1
    [mail] = smtp_mail.to("lea@usager.test")
    assert booking.token in mail.text()


def test_a_bad_address_is_refused_by_the_form_and_by_the_api(
    client,
    api,
    service,
):
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    _accept(client, procedure)
    response = client.post(
        reverse("appointments:details", args=[procedure.pk, slot.pk]), _details(slot, email=BAD)
    )
    assert response.status_code == 200
    assert "adresse de courriel valide" in response.content.decode()
    response = api("post", "/bookings", data=payload(slot, email=BAD))
    assert response.status_code == 422
    assert Booking.objects.count() == 0 and Slot.objects.get(pk=slot.pk).booked == 0


def test_the_booking_page_shows_a_failed_mail_and_resends_it(
    client_for, agent, service, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.appointments.factories import BookingFactory
    from tests.outbox.agent_urls import failed_delivery

    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    prefecture = service.site.prefecture
    delivery = failed_delivery(prefecture, record=booking, to=[booking.email])
    client = client_for(agent)
    page = client.get(booking.agent_url()).content.decode()
    assert "envoi en échec" in page and "Renvoyer" in page
    url = reverse(
        "appointments:agents-resend",
        args=[prefecture.slug, booking.pk, delivery.pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [m.to for m in mailoutbox] == [[booking.email]]
