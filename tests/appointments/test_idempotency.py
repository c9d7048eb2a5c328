"""`Idempotency-Key` on POST /api/v1/bookings: a retry gets the answer already given."""

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from engagements.appointments import services, tokens
from engagements.appointments.models import Booking, IdempotencyKey, Slot
from engagements.organisation.jobs import housekeeping
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.tooling import require_postgres


def _token(prefecture, name="France services"):
    tokens.forget()
    out = io.StringIO()
    call_command("create_api_token", "--prefecture", prefecture.slug, "--name", name, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def _body(slot, n=1, **person):
    return {
        "slot_id": slot.pk,
        "person": {"first_name": "Ana", "last_name": f"L{n}", "email": f"a{n}@usager.test"}
        | person,
        "answers": {"motif": "renouvellement"},
    }


def _post(client, token, body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/v1/bookings", body, content_type="application/json", **headers)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_gets_the_same_booking(client, prefecture, service):
    token = _token(prefecture)
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=3))
    first = _post(client, token, _body(slot), key="c0ffee-1")
    again = _post(client, token, _body(slot), key="c0ffee-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Booking.objects.count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 1
    # Without the key, the same retry is a duplicate for the person (the old behaviour).
    plain = _post(client, token, _body(slot))
    assert plain.status_code == 409 and plain.json()["code"] == "duplicate"


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(client, prefecture, service):
    token = _token(prefecture)
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=3))
    assert _post(client, token, _body(slot), key="k-1").status_code == 201
    other = _post(client, token, _body(slot, 2), key="k-1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_mismatch"
    assert set(other.json()) >= {"code", "detail"}
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_scoped_to_the_token(client, prefecture, service):
    first, second = _token(prefecture, "A"), _token(prefecture, "B")
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=3))
    assert _post(client, first, _body(slot, 1), key="same").status_code == 201
    assert _post(client, second, _body(slot, 2), key="same").status_code == 201
    assert Booking.objects.count() == 2


@pytest.mark.django_db
def test_a_refusal_is_replayed_but_a_busy_answer_is_not_kept(client, prefecture, service):
    token = _token(prefecture)
    slot = SlotFactory(procedure=ProcedureFactory(service=service), full=True)
    refused = _post(client, token, _body(slot), key="full-1")
    assert refused.status_code == 409 and refused.json()["code"] == "full"
    Slot.objects.filter(pk=slot.pk).update(booked=0)
    # The partner asked the same thing: he gets the same answer (a new key books).
    assert _post(client, token, _body(slot), key="full-1").json() == refused.json()
    assert _post(client, token, _body(slot), key="full-2").status_code == 201


@pytest.mark.django_db
def test_keys_are_kept_24_hours_then_purged(client, prefecture, service):
    token = _token(prefecture)
    procedure = ProcedureFactory(service=service, capacity=3)
    slot = SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(days=5))
    with time_machine.travel(timezone.now(), tick=False):
        assert _post(client, token, _body(slot), key="day-1").status_code == 201
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=False):
        assert _post(client, token, _body(slot), key="day-1").status_code == 201
        assert Booking.objects.count() == 1
        housekeeping()
        assert IdempotencyKey.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        # Expired: the key is free again (here the person already has his booking).
        assert _post(client, token, _body(slot), key="day-1").json()["code"] == "duplicate"
        IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
        result = housekeeping()
        assert result["engagements.appointments.services.purge_idempotency_keys"] == 1
        assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_a_malformed_key_is_422_in_the_error_shape(client, prefecture, service):
    token = _token(prefecture)
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    response = _post(client, token, _body(slot), key="x" * 201)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert Booking.objects.count() == 0


@pytest.mark.django_db
def test_the_openapi_schema_documents_the_header(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/bookings"]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and not header.get("required")
    assert "24 heures" in header["description"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False])
def test_concurrent_retries_with_one_key_make_one_booking(prefecture, service, same_key, settings):
    """Ten copies of one request at once (a partner's retries crossing a slow answer):
    with one key, one booking and ten times its answer (or "en cours"); the control with
    ten different keys gets one booking and nine 409 for the partner's own booking."""
    require_postgres()
    settings.BOOKING_MAX_IN_FLIGHT = 20  # admission control is tested on its own
    token = _token(prefecture)
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=5))
    barrier = threading.Barrier(10)

    def work(index):
        try:
            barrier.wait()
            key = "retry-1" if same_key else f"retry-{index}"
            return _post(Client(), token, _body(slot), key=key)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(work, range(10)))
    close_old_connections()
    assert Booking.objects.count() == 1
    created = [r for r in responses if r.status_code == 201]
    if same_key:
        others = [r for r in responses if r.status_code != 201]
        assert all(r.json()["code"] == "in_progress" for r in others)
        assert len({r.json()["reference"] for r in created}) == 1 and created
    else:
        assert len(created) == 1
        assert (
            sorted(r.json()["code"] for r in responses if r.status_code == 409) == ["duplicate"] * 9
        )
    assert services.existing_active_booking(
        slot.procedure, services.Person("Ana", "L1", email="a1@usager.test")
    )
