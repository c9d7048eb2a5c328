"""« Réserver pour une personne »: the free slots of every procedure, or of one, from the
day the person asks for, and the following ones; in a fixed number of queries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.appointments.factories import ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=PARIS)  # a Monday


def _slots(procedure, first, count, **kwargs):
    return [
        SlotFactory(procedure=procedure, starts_at=first + timedelta(hours=n), **kwargs)
        for n in range(count)
    ]


def _shown(html, prefecture, procedure, slots):
    return [
        s
        for s in slots
        if reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, s.pk]) in html
    ]


@time_machine.travel(NOW, tick=False)
def test_the_desk_pages_through_a_procedure_s_free_slots(client_for, agent, prefecture, service):
    """Only the first eight slots were listed, with no way to the later ones: the person
    on the phone who wanted next month could not be booked from this page."""
    busy = ProcedureFactory(service=service, name="Remise de titre")
    quiet = ProcedureFactory(service=service, name="Naturalisation")
    slots = _slots(busy, NOW + timedelta(days=1), 15)
    _slots(busy, NOW + timedelta(days=1, minutes=30), 2, full=True)  # no seat left
    [lone] = _slots(quiet, NOW + timedelta(days=2), 1)
    client = client_for(agent)
    url = reverse("appointments:agents-book-start", args=[prefecture.slug])
    html = client.get(url).content.decode()
    assert _shown(html, prefecture, busy, slots) == slots[:12]
    assert _shown(html, prefecture, quiet, [lone]) == [lone]
    [following] = [
        href.replace("&amp;", "&") for href in _hrefs(html) if "apres=" in href
    ]  # the quiet procedure has nothing more to show
    html = client.get(url + following).content.decode()
    assert _shown(html, prefecture, busy, slots) == slots[12:]
    assert '<h2 class="fr-h5 fr-mt-3w">Naturalisation' not in html  # that procedure only
    assert "apres=" not in html


@time_machine.travel(NOW, tick=False)
def test_the_desk_starts_from_the_day_the_person_asks_for(client_for, agent, prefecture, service):
    procedure = ProcedureFactory(service=service)
    early = _slots(procedure, NOW + timedelta(days=1), 3)
    late = _slots(procedure, NOW + timedelta(days=20), 3)
    client = client_for(agent)
    url = reverse("appointments:agents-book-start", args=[prefecture.slug])
    day = (NOW + timedelta(days=20)).date().isoformat()
    html = client.get(url, {"demarche": procedure.pk, "depuis": day}).content.decode()
    assert _shown(html, prefecture, procedure, early + late) == late
    # A day past every slot: said so, with the day.
    html = client.get(url, {"depuis": "2026-06-01"}).content.decode()
    assert "Aucun créneau libre à partir du 1 juin 2026" in html
    # A date the form refuses: explained, and the slots from today stay listed.
    html = client.get(url, {"depuis": "1850-01-01"}).content.decode()
    assert "Indiquez une date entre 2000 et 2099." in html
    assert _shown(html, prefecture, procedure, early) == early


@time_machine.travel(NOW, tick=False)
def test_the_page_s_queries_do_not_grow_with_the_procedures(
    client_for, agent, prefecture, service, django_assert_max_num_queries
):
    client = client_for(agent)
    url = reverse("appointments:agents-book-start", args=[prefecture.slug])
    _slots(ProcedureFactory(service=service), NOW + timedelta(days=1), 3)
    with django_assert_max_num_queries(20) as first:
        assert client.get(url).status_code == 200
    for _ in range(4):
        _slots(ProcedureFactory(service=service), NOW + timedelta(days=1), 3)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def _hrefs(html):
    import re

    return re.findall(r'href="([^"]*)"', html)
