"""Issue 20, row 15: a duplicate attempt on the public form re-sends the manage link at most
once per booking per hour (no mail bomb to any address), and the API's 409 `duplicate` is
written for the partner and does not claim a mail was sent."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from engagements.appointments import notifications, tokens
from engagements.appointments.models import Booking
from engagements.outbox.models import Delivery
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.appointments.test_public import _accept, _details

pytestmark = pytest.mark.django_db


def _links_sent() -> int:
    return Delivery.objects.filter(purpose=notifications.purpose("reminder_link")).count()


def test_a_duplicate_on_the_form_resends_the_link_once_an_hour(client, service):
    procedure = ProcedureFactory(service=service, capacity=5)
    slot = SlotFactory(procedure=procedure)
    _accept(client, procedure)
    url = reverse("appointments:details", args=[procedure.pk, slot.pk])
    assert client.post(url, _details(slot)).status_code == 302
    assert Booking.objects.count() == 1
    said = []
    for _ in range(5):
        response = client.post(url, _details(slot), follow=True)
        assert "déjà un rendez-vous" in response.content.decode()
        said.append("il y a moins d&#x27;une heure" in response.content.decode())
    # The first duplicate re-sends the link; the next ones say it went less than an hour ago.
    assert said == [False, True, True, True, True]
    assert Booking.objects.count() == 1
    assert _links_sent() == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        _accept(client, procedure)
        client.post(url, _details(slot), follow=True)
        client.post(url, _details(slot), follow=True)
    assert _links_sent() == 2


def test_after_a_duplicate_the_page_does_not_ask_to_confirm_within_15_minutes(client, service):
    """The mail re-sent is the link to the existing booking (nothing new to confirm): the
    page said to click "Confirmer" within 15 minutes or lose the slot, and named the
    address of the first booking made in that browser."""
    procedure = ProcedureFactory(service=service, capacity=5)
    slot = SlotFactory(procedure=procedure)
    _accept(client, procedure)
    url = reverse("appointments:details", args=[procedure.pk, slot.pk])
    page = client.post(url, _details(slot), follow=True).content.decode()
    assert "Dans les 15 minutes" in page and "lea@usager.test" in page
    for language in ("", "/en"):
        page = client.post(language + url, _details(slot), follow=True).content.decode()
        assert "déjà un rendez-vous" in page or "already have an appointment" in page
        assert "15 minutes" not in page and "lea@usager.test" not in page
    assert "We have sent you an email." in page


def test_the_api_409_duplicate_speaks_to_the_partner_and_mails_nothing(client, service):
    tokens.forget()
    out = io.StringIO()
    prefecture = service.site.prefecture
    call_command("create_api_token", "--prefecture", prefecture.slug, "--name", "FS", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    procedure = ProcedureFactory(service=service, capacity=5)
    slot = SlotFactory(procedure=procedure)
    body = {
        "slot_id": slot.pk,
        "person": {"first_name": "Ana", "last_name": "L", "email": "a@usager.test"},
    }

    def post():
        return client.post(
            "/api/v1/bookings", body, content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip

    assert post().status_code == 201
    mails = Delivery.objects.count()
    answer = post()
    assert answer.status_code == 409 and answer.json()["code"] == "duplicate"
    detail = answer.json()["detail"]
    assert "renvoyer" not in detail and "Vous avez" not in detail
    assert "aucun courriel" in detail and "existing_reference" in detail
    assert Delivery.objects.count() == mails
