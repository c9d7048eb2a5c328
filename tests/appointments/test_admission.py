"""Admission control: beyond BOOKING_MAX_IN_FLIGHT booking requests at once in a process,
503 with Retry-After at once (API: the error shape; public form: a page keeping what was
typed), and nothing booked."""

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from engagements import antibot
from engagements.appointments import admission, services, tokens
from engagements.appointments.models import Booking
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.tooling import require_postgres


def _post_api(client, token, slot, n=1):
    return client.post(
        "/api/v1/bookings",
        {
            "slot_id": slot.pk,
            "person": {"first_name": "Ana", "last_name": f"L{n}", "email": f"a{n}@usager.test"},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.mark.django_db
def test_the_api_answers_503_at_once_when_the_process_is_full(client, token, service, settings):
    settings.BOOKING_MAX_IN_FLIGHT = 1
    settings.BOOKING_RETRY_AFTER = 3
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=3))
    with admission.admitted():  # another booking request is in flight
        began = time.monotonic()
        response = _post_api(client, token, slot)
        assert time.monotonic() - began < 5  # no wait for a place (loaded machine: loose)
    assert response.status_code == 503
    assert response["Retry-After"] == "3"
    assert response.json()["code"] == "overloaded"
    assert "réessayez dans quelques secondes" in response.json()["detail"]
    assert Booking.objects.count() == 0
    # The place is given back: the retry books.
    assert _post_api(client, token, slot).status_code == 201


@pytest.mark.django_db
def test_the_public_form_shows_a_french_page_and_keeps_what_was_typed(client, service, settings):
    settings.BOOKING_MAX_IN_FLIGHT = 1
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    client.post(reverse("appointments:terms", args=[slot.procedure.pk]), {"accept": "on"})
    url = reverse("appointments:details", args=[slot.procedure.pk, slot.pk])
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "email": "lea@usager.test",
        "phone": "06 12 34 56 78",
        "altcha": antibot.solve(antibot.new_challenge()),
    }
    with admission.admitted():
        response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "2"
    assert "Trop de demandes en même temps, réessayez dans quelques secondes" in html
    assert 'value="Martin"' in html and 'value="lea@usager.test"' in html
    assert Booking.objects.count() == 0
    # The proof of work was not spent on the refused request.
    assert client.post(url, data).status_code == 302
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_the_english_page_says_it_in_english(client, service, settings):
    settings.BOOKING_MAX_IN_FLIGHT = 1
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    with translation.override("en"):
        client.post(reverse("appointments:terms", args=[slot.procedure.pk]), {"accept": "on"})
        url = reverse("appointments:details", args=[slot.procedure.pk, slot.pk])
    with admission.admitted():
        response = client.post(url, {"first_name": "Lea"})
    assert response.status_code == 503
    assert "Too many requests at the same time" in response.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bound", [3, 0])
def test_in_a_burst_only_the_bound_is_in_flight_and_every_client_hears(
    prefecture, service, settings, monkeypatch, bound
):
    """20 requests at once with room for 3: every request is answered (201 or 503), never
    more than 3 bookings run at the same time, and each booking made was answered 201.
    The control without a bound (0) lets them all in at once."""
    require_postgres()
    settings.BOOKING_MAX_IN_FLIGHT = bound
    tokens.forget()
    out = io.StringIO()
    call_command("create_api_token", "--prefecture", prefecture.slug, "--name", "FS", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=30))
    running, peak, lock = [0], [0], threading.Lock()
    real = services.book_slot

    def slow_book(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.2)
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(services, "book_slot", slow_book)
    barrier = threading.Barrier(20)

    def work(index):
        try:
            barrier.wait()
            return _post_api(Client(), token, slot, index).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(work, range(20)))
    close_old_connections()
    assert set(statuses) <= {201, 503}
    assert Booking.objects.count() == statuses.count(201)
    if bound:
        assert peak[0] <= 3 and statuses.count(503) >= 1
    else:
        assert peak[0] > 3 and statuses.count(503) == 0, "the control should pile up"
