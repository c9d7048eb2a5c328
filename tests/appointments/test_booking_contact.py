"""The agents' page of a booking names a missing e-mail address or phone, and what it means
for the person while the appointment is ahead: it showed "—", which left the agent to guess
whether she is confirmed and reminded at all."""

import re
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.appointments.enums import BookingStatus, Channel
from tests.appointments.factories import BookingFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 12, 8, 10, 0))
START = timezone.make_aware(datetime(2026, 12, 10, 14, 30))


def _contact(client_for, agent, prefecture, service, **values) -> str:
    booking = BookingFactory(
        slot__procedure=ProcedureFactory(service=service), slot__starts_at=START, **values
    )
    url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    with time_machine.travel(NOW, tick=False):
        html = client_for(agent).get(url).content.decode()
    [contact] = re.findall(r"<dt>Contact</dt><dd>(.*?)</dd>", html)
    return contact


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"email": "amina@usager.test", "phone": "06 11 22 33 44"},
            "amina@usager.test · 06 11 22 33 44",
        ),
        (
            {"email": "", "phone": "06 11 22 33 44", "channel": Channel.AGENT},
            "06 11 22 33 44 · pas de courriel : confirmation, rappel et changements par SMS",
        ),
        # A partner's API booking is not confirmed by SMS (the partner's point tells her).
        (
            {"email": "", "phone": "06 11 22 33 44", "channel": Channel.API},
            "06 11 22 33 44 · pas de courriel : rappel et changements par SMS",
        ),
        (
            {"email": "amina@usager.test", "phone": ""},
            "amina@usager.test · pas de téléphone : pas de SMS de rappel la veille",
        ),
        # An agent may book with the foreign-national number alone.
        (
            {"email": "", "phone": "", "foreign_number": "1234567890", "channel": Channel.AGENT},
            "Ni courriel ni téléphone : aucun rappel possible, prévenez-la de tout changement",
        ),
    ],
    ids=["both", "phone-desk", "phone-api", "email", "neither"],
)
def test_an_upcoming_booking_says_what_a_missing_contact_means(
    client_for, agent, prefecture, service, values, expected
):
    contact = _contact(client_for, agent, prefecture, service, **values)
    assert contact == expected.replace("'", "&#x27;")
    assert "—" not in contact


def test_a_booking_that_is_over_only_names_what_is_missing(client_for, agent, prefecture, service):
    contact = _contact(
        client_for,
        agent,
        prefecture,
        service,
        email="",
        phone="06 11 22 33 44",
        status=BookingStatus.CANCELLED_BY_USER,
    )
    assert contact == "06 11 22 33 44 · pas de courriel"
    contact = _contact(
        client_for, agent, prefecture, service, email="", phone="", foreign_number="1234567890"
    )
    assert contact.startswith("Ni courriel ni téléphone")
    # After the purge, nothing is "missing": it was erased.
    contact = _contact(client_for, agent, prefecture, service, email="", phone="", purged_at=NOW)
    assert contact == "Effacés avec les données personnelles"
