"""Joining the waiting list sends nothing at once: the page must show the address the
offers will go to, so that a mistyped one is seen before a free slot is offered to it, and
the browser that joined may correct it there, keeping its place."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagements import antibot
from engagements.appointments.enums import WaitlistStatus
from engagements.appointments.models import WaitlistEntry
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


def join(client, procedure, email, prefix="", **extra):
    return client.post(
        prefix + reverse("appointments:waitlist", args=[procedure.pk]),
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "email": email,
            "altcha": antibot.solve(antibot.new_challenge()),
        },
        **extra,
    )


def correct(client, email, prefix="", **extra):
    return client.post(
        prefix + reverse("appointments:waitlist-joined"), {"email": email}, follow=True, **extra
    )


def ranks(procedure) -> list[str]:
    return list(
        WaitlistEntry.objects.filter(procedure=procedure, status=WaitlistStatus.WAITING)
        .order_by("created_at", "pk")
        .values_list("email", flat=True)
    )


@pytest.mark.parametrize(
    ("prefix", "said", "mailed"),
    [
        ("", "vous gardez votre place", "est maintenant à cette adresse"),
        ("/en", "you keep your place", "is now at this address"),
        ("/uk", "ви зберігаєте своє місце", "тепер прив’язано до цієї адреси"),
    ],
)
def test_the_browser_that_joined_corrects_its_address_and_keeps_its_place(
    client, service, mailoutbox, django_capture_on_commit_callbacks, prefix, said, mailed
):
    """Registering again with the right address put it last, and left the mistyped entry
    first in line, to be offered slots that nobody would read about."""
    procedure = ProcedureFactory(service=service)
    other = Client()
    join(other, procedure, "first@usager.tset")
    response = join(client, procedure, "lea@usager.tets", prefix)
    join(other, procedure, "third@usager.tset")
    assert response["Location"] == prefix + reverse("appointments:waitlist-joined")
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'<input[^>]*name="email"[^>]*value="lea@usager.tets"', page)
    with django_capture_on_commit_callbacks(execute=True):
        page = correct(client, "lea@usager.test", prefix).content.decode()
    assert said in page and "lea@usager.test" in page
    assert ranks(procedure) == ["first@usager.tset", "lea@usager.test", "third@usager.tset"]
    [mail] = mailoutbox
    assert mail.to == ["lea@usager.test"] and mailed in mail.body


def test_at_most_three_corrections_and_none_once_a_slot_is_offered(
    client, service, mailoutbox, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory(service=service)
    join(client, procedure, "lea@usager.tets")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            page = correct(client, f"lea{n}@usager.test").content.decode()
    assert "déjà été corrigée trois fois" in page
    assert [m.to for m in mailoutbox] == [[f"lea{n}@usager.test"] for n in range(3)]
    assert ranks(procedure) == ["lea2@usager.test"]

    second = Client()
    join(second, procedure, "paul@usager.tets")
    entry = WaitlistEntry.objects.get(email="paul@usager.tets")
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.OFFERED)
    page = second.get(reverse("appointments:waitlist-joined")).content.decode()
    assert 'name="email"' not in page  # no form once offered
    page = correct(second, "paul@usager.test").content.decode()
    entry.refresh_from_db()
    assert entry.email == "paul@usager.tets"


def test_an_address_already_on_the_list_gives_no_hold_on_that_entry(
    client, service, mailoutbox, django_capture_on_commit_callbacks
):
    """Typing someone's address must not let this browser move his place to another one."""
    procedure = ProcedureFactory(service=service)
    join(Client(), procedure, "owner@usager.test")
    join(client, procedure, "owner@usager.test")
    page = client.get(reverse("appointments:waitlist-joined")).content.decode()
    assert 'name="email"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        correct(client, "thief@usager.test")
    assert ranks(procedure) == ["owner@usager.test"] and not mailoutbox
    # Nor can a correction take an address already on the list.
    join(client, procedure, "lea@usager.tets")
    page = correct(client, "owner@usager.test").content.decode()
    assert "déjà inscrite sur la liste d&#x27;attente" in page
    assert ranks(procedure) == ["owner@usager.test", "lea@usager.tets"]


def test_corrections_are_rate_limited_per_connection(client, service):
    procedure = ProcedureFactory(service=service)
    join(client, procedure, "lea@usager.tets")
    url = reverse("appointments:waitlist-joined")
    statuses = [
        client.post(url, {"email": "bad"}, REMOTE_ADDR="192.0.2.78").status_code for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10 and statuses[10] == 302


def test_the_agents_see_on_the_entry_that_its_address_was_corrected(
    client, service, prefecture, agent, auditor, client_for, django_capture_on_commit_callbacks
):
    """The correction was recorded only as the mail it sent: an agent asked "did you get my
    new address?" saw the entry with no sign of it. Its history says it, not the old one."""
    procedure = ProcedureFactory(service=service)
    join(client, procedure, "lea@usager.tets")
    with django_capture_on_commit_callbacks(execute=True):
        correct(client, "lea@usager.test")
    entry = WaitlistEntry.objects.get()
    [log] = entry.logs.all()
    assert log.note == "Adresse électronique corrigée par la personne" and log.actor is None
    assert "tets" not in str(list(entry.logs.values()))  # the old address is not kept

    url = reverse("appointments:agents-waitlist", args=[prefecture.slug, procedure.pk])
    page = client_for(agent).get(url).content.decode()
    assert "MARTIN Léa" in page and "lea@usager.test" in page and "tets" not in page
    assert f"{log.at.astimezone(timezone.get_current_timezone()):%d/%m/%Y à %H:%M} : " in page
    assert "Adresse électronique corrigée par la personne" in page
    # The auditor reads the history, not the person.
    page = client_for(auditor).get(url).content.decode()
    assert "Adresse électronique corrigée par la personne" in page
    assert "MARTIN" not in page and "lea@" not in page
    # The week of the procedure leads to it.
    week = reverse("appointments:agents-calendar", args=[prefecture.slug, procedure.pk])
    assert url in client_for(agent).get(week).content.decode()
