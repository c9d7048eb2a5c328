"""Partner API: token auth, procedures, slots, bookings (201/409/422), cancellation."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import ApiToken, Booking, Slot
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(prefecture):
    out = io.StringIO()
    call_command(
        "create_api_token", "--prefecture", prefecture.slug, "--name", "France services", stdout=out
    )
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def api(client, token):
    def call(method, path, **kwargs):
        return getattr(client, method)(
            f"/api/v1{path}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            **kwargs,
        )

    return call


def payload(slot, n=1, **person):
    return {
        "slot_id": slot.pk,
        "person": {
            "first_name": "Ana",
            "last_name": f"Lopes{n}",
            "email": f"ana{n}@usager.test",
            **person,
        },
        "answers": {"motif": "renouvellement"},
    }


def test_token_is_printed_alone_on_the_last_line_and_stored_hashed(token, prefecture):
    assert token.startswith("eng_") and " " not in token
    stored = ApiToken.objects.get()
    assert stored.token_hash == ApiToken.hash(token) and token not in stored.token_hash


def test_without_a_valid_token_the_api_answers_401(client, service):
    assert client.get("/api/v1/procedures").status_code == 401
    assert client.get("/api/v1/procedures", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_procedures_and_slots(api, service, other_prefecture_service):
    procedure = ProcedureFactory(service=service, renewal=True)
    ProcedureFactory(service=other_prefecture_service)
    slot = SlotFactory(procedure=procedure)
    SlotFactory(procedure=procedure, starts_at=slot.starts_at + timedelta(minutes=15), full=True)
    response = api("get", "/procedures")
    assert response.status_code == 200
    data = response.json()
    assert [p["id"] for p in data] == [procedure.pk]  # other prefectures' are not shown
    assert "permit_expires_on" in data[0]["required_fields"]
    day = timezone.localtime(slot.starts_at).date()
    response = api("get", f"/procedures/{procedure.pk}/slots?start={day}&end={day}")
    assert [(s["id"], s["remaining"]) for s in response.json()] == [(slot.pk, 1), (slot.pk + 1, 0)]


def test_booking_is_confirmed_at_once_and_409_when_full_or_duplicate(api, service):
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=1))
    response = api("post", "/bookings", data=payload(slot))
    assert response.status_code == 201, response.content
    booking = Booking.objects.get(reference=response.json()["reference"])
    assert booking.status == BookingStatus.CONFIRMED and booking.partner == "France services"
    assert booking.answers == {"motif": "renouvellement"}
    full = api("post", "/bookings", data=payload(slot, 2))
    assert full.status_code == 409 and full.json()["code"] == "full"
    other = SlotFactory(procedure=slot.procedure, starts_at=slot.starts_at + timedelta(hours=1))
    duplicate = api("post", "/bookings", data=payload(other, 1, email="ANA1@usager.test"))
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"
    assert duplicate.json()["existing_reference"] == booking.reference
    assert Slot.objects.get(pk=other.pk).booked == 0


def test_bad_input_is_422(api, service, other_prefecture_service):
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    assert api("post", "/bookings", data={"slot_id": slot.pk}).status_code == 422
    bad_email = payload(slot, email="pas-un-courriel")
    assert api("post", "/bookings", data=bad_email).status_code == 422
    foreign = SlotFactory(procedure=ProcedureFactory(service=other_prefecture_service))
    assert api("post", "/bookings", data=payload(foreign)).status_code == 422
    renewal = SlotFactory(procedure=ProcedureFactory(service=service, renewal=True))
    response = api("post", "/bookings", data=payload(renewal))
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_delete_cancels_and_frees_the_seat(api, service):
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    response = api("delete", f"/bookings/{booking.reference}")
    assert response.status_code == 200 and response.json()["status"] == "cancelled_user"
    assert Slot.objects.get(pk=booking.slot_id).booked == 0
    assert api("delete", f"/bookings/{booking.reference}").status_code == 409


def test_openapi_documents_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/bookings" in schema["paths"]
    assert "409" in schema["paths"]["/api/v1/bookings"]["post"]["responses"]
