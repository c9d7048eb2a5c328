"""Joining the waiting list sends nothing at once: the page must show the address the
offers will go to, so that a mistyped one is seen before a free slot is offered to it."""

import pytest
from django.urls import reverse

from engagements import antibot
from tests.appointments.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prefix", "said"),
    [
        ("", "nous écrirons à lea@usager.tset"),
        ("/en", "we will write to lea@usager.tset"),
    ],
)
def test_joining_the_waiting_list_says_which_address_offers_go_to(client, service, prefix, said):
    procedure = ProcedureFactory(service=service)
    response = client.post(
        prefix + reverse("appointments:waitlist", args=[procedure.pk]),
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "email": "lea@usager.tset",
            "altcha": antibot.solve(antibot.new_challenge()),
        },
        follow=True,
    )
    page = response.content.decode()
    assert said in page
    # "Vous êtes inscrit" spoke to a man only.
    assert "Vous êtes inscrit " not in page
