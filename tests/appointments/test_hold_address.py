"""A mistyped address on the booking form: the "check your e-mails" page shows the address
used and lets the same browser correct it while the hold runs; the link is mailed again,
with no second booking and no longer hold."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking, Slot
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.appointments.test_public import _accept, _details

pytestmark = pytest.mark.django_db

SENT = reverse("appointments:sent")


@pytest.fixture
def held(client, service, django_capture_on_commit_callbacks):
    """A hold made through the form by `client`, with a mistyped address."""
    procedure = ProcedureFactory(service=service, capacity=2)
    slot = SlotFactory(procedure=procedure)
    _accept(client, procedure)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appointments:details", args=[procedure.pk, slot.pk]),
            _details(slot, email="lea@usager.tset"),
        )
    assert response.url == SENT
    return Booking.objects.get()


def _correct(client, email, capture):
    with capture(execute=True):
        return client.post(SENT, {"email": email}, follow=True)


def test_the_page_shows_the_address_and_a_correction_sends_the_link_there(
    client, held, mailoutbox, django_capture_on_commit_callbacks
):
    page = client.get(SENT).content.decode()
    assert "lea@usager.tset" in page and "Adresse erronée ou rien reçu ?" in page
    expires = held.hold_expires_at
    response = _correct(client, "lea@usager.test", django_capture_on_commit_callbacks)
    page = response.content.decode()
    assert "Nous avons envoyé un nouveau lien à lea@usager.test." in page
    assert "Nous avons envoyé un lien à lea@usager.test." in page
    held.refresh_from_db()
    assert held.email == "lea@usager.test" and held.status == BookingStatus.HELD
    assert held.hold_expires_at == expires  # no longer hold
    assert Booking.objects.count() == 1 and Slot.objects.get(pk=held.slot_id).booked == 1
    assert [m.to for m in mailoutbox] == [["lea@usager.tset"], ["lea@usager.test"]]
    link = re.search(r"https?://\S+/confirmer/(\S+)/", mailoutbox[-1].body).group(1)
    assert link == held.token
    assert "corrigée" in held.logs.latest("pk").note


def test_english_page_and_the_link_sent_again_at_most_three_times(
    client, held, mailoutbox, django_capture_on_commit_callbacks
):
    page = client.get("/en" + SENT).content.decode()
    assert "Wrong address, or nothing received?" in page and "Send the link again" in page
    for _ in range(2):
        _correct(client, "lea@usager.tset", django_capture_on_commit_callbacks)
    response = _correct(client, "lea@usager.test", django_capture_on_commit_callbacks)
    assert "Le lien a déjà été envoyé trois fois." in response.content.decode()
    held.refresh_from_db()
    assert held.email == "lea@usager.tset" and len(mailoutbox) == 3


def test_another_browser_cannot_change_the_address(held, mailoutbox):
    other = Client()
    assert "Adresse erronée" not in other.get(SENT).content.decode()
    other.post(SENT, {"email": "thief@usager.test"})
    held.refresh_from_db()
    assert held.email == "lea@usager.tset" and len(mailoutbox) == 1


def test_after_the_hold_the_page_offers_no_correction_but_a_new_booking(
    client, held, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        page = client.get(SENT).content.decode()
        assert "Adresse erronée" not in page and "Dans les 15 minutes" not in page
        assert "Le délai de 15 minutes pour confirmer est dépassé" in page
        assert reverse("appointments:terms", args=[held.procedure_id]) in page
        _correct(client, "lea@usager.test", django_capture_on_commit_callbacks)
    held.refresh_from_db()
    assert held.email == "lea@usager.tset"


def test_once_confirmed_the_page_says_so(client, held):
    services.confirm_booking(held)
    page = client.get(SENT).content.decode()
    assert "Votre rendez-vous est confirmé." in page and "Adresse erronée" not in page
    assert held.token not in page


def test_an_address_with_its_own_booking_gets_its_link_and_the_hold_keeps_its_address(
    client, held, mailoutbox, django_capture_on_commit_callbacks
):
    other = BookingFactory(
        slot__procedure=held.procedure,
        slot__starts_at=held.slot.starts_at + timedelta(days=1),
        email="paul@usager.test",
    )
    response = _correct(client, "paul@usager.test", django_capture_on_commit_callbacks)
    assert "déjà un rendez-vous" in response.content.decode()
    held.refresh_from_db()
    assert held.email == "lea@usager.tset"
    assert mailoutbox[-1].to == ["paul@usager.test"] and other.token in mailoutbox[-1].body


def test_an_invalid_address_is_explained_on_the_field(client, held):
    response = client.post(SENT, {"email": "lea@"})
    assert response.status_code == 400
    assert "lea@" in response.content.decode()
    held.refresh_from_db()
    assert held.email == "lea@usager.tset"


def test_corrections_are_rate_limited_per_connection(client, held, settings, monkeypatch):
    from engagements.appointments.views import public

    monkeypatch.setattr(public, "HOLD_ADDRESS_RATE_LIMIT", 0)
    response = client.post(SENT, {"email": "lea@usager.test"}, follow=True)
    assert "Trop de tentatives" in response.content.decode()
    held.refresh_from_db()
    assert held.email == "lea@usager.tset"
