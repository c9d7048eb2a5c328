"""The phone field is for everyone booking, foreign nationals with a foreign phone included."""

import pytest
from django.urls import reverse

from engagements.appointments.models import Booking
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.appointments.test_public import _accept, _details

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prefix", "hint"),
    [
        ("", "Format : 06 12 34 56 78, ou +44 7911 123456 pour un numéro étranger"),
        ("/en", "Format: 06 12 34 56 78, or +44 7911 123456 for a non-French number"),
    ],
)
def test_the_phone_hint_shows_a_foreign_number_too_and_one_is_accepted(
    client, service, prefix, hint
):
    """The hint gave a French number only: someone with a British or Tunisian phone did not
    know whether, or how, to type theirs."""
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    _accept(client, procedure)
    url = prefix + reverse("appointments:details", args=[procedure.pk, slot.pk])
    assert hint in client.get(url).content.decode()
    response = client.post(url, _details(slot, phone="+44 7911 123456"))
    assert response.status_code == 302
    assert Booking.objects.get().phone == "+44 7911 123456"
