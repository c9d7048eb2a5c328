"""A booking made at the desk or on the phone for a person with a phone and no e-mail
address is confirmed to her by SMS (she was sent nothing: the agent was told to give her
the reference by word of mouth)."""

import json
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements import sms
from engagements.appointments import notifications, services
from engagements.appointments.models import Booking, Slot
from engagements.outbox.models import Delivery
from tests.appointments.factories import ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 8, 10, 0)  # a Tuesday, 10:00 at the desk
START = datetime(2026, 12, 10, 14, 30)


@pytest.fixture
def slot(service):
    procedure = ProcedureFactory(service=service, capacity=1)
    return SlotFactory(procedure=procedure, starts_at=timezone.make_aware(START))


def _book(client, prefecture, slot, **values):
    url = reverse("appointments:agents-book", args=[prefecture.slug, slot.procedure_id, slot.pk])
    data = {"first_name": "Rosa", "last_name": "Lopes", "email": "", "channel": "agent"}
    return client.post(url, data | values, follow=True)


def _path(text: str) -> str:
    url = next(word for word in text.split() if word.startswith("http"))
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@time_machine.travel(timezone.make_aware(NOW), tick=False)
def test_a_desk_booking_without_an_address_is_confirmed_by_sms_in_her_language(
    settings, tmp_path, client, client_for, agent, prefecture, slot,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    settings.SITE_URL = "https://rdv.test"
    with django_capture_on_commit_callbacks(execute=True):
        response = _book(client_for(agent), prefecture, slot, phone="06 11 22 33 55", language="en")
    booking = Booking.objects.get()
    assert booking.language == "en"
    html = response.content.decode()
    assert (
        f"Rendez-vous {booking.reference} confirmé le 10/12/2026 à 14:30, Préfecture — "
        "Chef-Lieu (2 rue de l&#x27;Accueil, 75000 Chef-Lieu)." in html
    )
    assert "La confirmation part par SMS" in html and "Aucune confirmation" not in html

    # The SMS as the provider got it: one message, in English, saying when, where, which
    # booking and how to cancel or move it.
    [line] = (tmp_path / "sms.log").read_text().splitlines()
    sent = json.loads(line)
    assert sent["to"] == "06 11 22 33 55"
    text = sent["text"]
    link = notifications.absolute("appointments:short", booking.short_code, language="en")
    assert text == (
        f"Appointment confirmed: Thursday 10 December 2026, 14:30, Préfecture - Chef-Lieu "
        f"({booking.reference}). Cancel or change: {link}"
    )
    assert sms.is_gsm(text) and sms.gsm_length(text) <= sms.SMS_LENGTH
    # The link opens her booking's page, in English, where she cancels or moves it.
    response = client.get(_path(text), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "appointments:manage", args=[booking.token]
    ).replace("/rendez-vous/", "/en/rendez-vous/", 1)
    page = response.content.decode()
    assert booking.reference in page and "Cancel" in page

    # Recorded in the outbox against the booking, and shown on the booking's page.
    delivery = Delivery.objects.get()
    assert (delivery.kind, delivery.status, delivery.record_id) == ("sms", "sent", booking.pk)
    assert delivery.purpose == "appointments.confirmed_sms"
    url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    detail = client_for(agent).get(url).content.decode()
    assert "Appointment confirmed" in detail and "envoyé le 08/12/2026" in detail
    # Her language is on her booking's page: the agent who calls her back knows it.
    assert "<dt>Langue de la personne</dt><dd>anglais : ses courriels et SMS" in detail


@time_machine.travel(timezone.make_aware(NOW), tick=False)
def test_french_by_default_and_no_sms_when_the_confirmation_is_mailed(
    settings, tmp_path, client_for, agent, prefecture, slot, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    client = client_for(agent)
    with django_capture_on_commit_callbacks(execute=True):
        _book(client, prefecture, slot, phone="06 11 22 33 55")
    booking = Booking.objects.get()
    [line] = (tmp_path / "sms.log").read_text().splitlines()
    assert json.loads(line)["text"].startswith(
        "Rendez-vous confirmé : jeudi 10 décembre 2026, 14:30, Préfecture - Chef-Lieu "
        f"({booking.reference}). Annuler ou déplacer : "
    )
    # With an address, the mail confirms, no SMS (the day-before SMS reminds).
    other = SlotFactory(procedure=slot.procedure, starts_at=slot.starts_at.replace(hour=15))
    with django_capture_on_commit_callbacks(execute=True):
        _book(
            client, prefecture, other, last_name="Mail", email="m@usager.test", phone="0622334455"
        )
    assert Booking.objects.count() == 2
    assert len((tmp_path / "sms.log").read_text().splitlines()) == 1
    assert [m.to for m in mailoutbox] == [["m@usager.test"]]


@time_machine.travel(timezone.make_aware(NOW), tick=False)
def test_the_booking_and_its_sms_are_written_together(agent, slot, monkeypatch):
    # Queuing the SMS failed: the booking would stand with no confirmation sent.
    def broken(booking, **kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(notifications, "queue_confirmation_sms", broken)
    person = services.Person(first_name="Rosa", last_name="Lopes", phone="06 11 22 33 55")
    with pytest.raises(RuntimeError):
        services.book_for_person(slot, person, actor=agent, channel="agent")
    assert not Booking.objects.exists()
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_the_desk_form_says_where_the_appointment_is(client_for, agent, prefecture, slot):
    # The form named the procedure and the time, not the place: the same procedure is held
    # at several sites, and the person on the phone asks where to go.
    url = reverse("appointments:agents-book", args=[prefecture.slug, slot.procedure_id, slot.pk])
    html = client_for(agent).get(url).content.decode()
    assert "à 14:30, Préfecture — Chef-Lieu (2 rue de l&#x27;Accueil, 75000 Chef-Lieu)." in html
