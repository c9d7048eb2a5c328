"""Every partner operation of the API (read from /api/v1/openapi.json, so that a new one is
audited too): a revoked token is refused, and a token of another prefecture reaches none of
the first prefecture's records."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from engagements.appointments import tokens
from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import ApiToken
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _token(prefecture) -> str:
    out = io.StringIO()
    call_command("create_api_token", "--prefecture", prefecture.slug, "--name", "FS", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def _partner_operations(client) -> list[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation.get("security")
    ]


def _call(client, method, path, token, records):
    start = date.today() + timedelta(days=1)
    url = path.replace("{procedure_id}", str(records["procedure"].pk)).replace(
        "{reference}", records["booking"].reference
    )
    body = {}
    if method == "post":
        body = {
            "slot_id": records["slot"].pk,
            "person": {"first_name": "Ana", "last_name": "Lopes", "email": "ana@usager.test"},
            "answers": {},
        }
    if method == "get" and "slots" in url:
        url += f"?start={start}&end={start + timedelta(days=7)}"
    return client.generic(
        method.upper(),
        url,
        data=json.dumps(body) if body else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def records(service):
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(days=3))
    booking = BookingFactory(slot=SlotFactory(procedure=procedure))
    return {"procedure": procedure, "slot": slot, "booking": booking}


def test_a_token_of_another_prefecture_reaches_none_of_its_records(
    client, prefecture, other_prefecture, records
):
    tokens.forget()
    foreign = _token(other_prefecture)
    operations = _partner_operations(client)
    assert len(operations) >= 4
    for method, path in operations:
        response = _call(client, method, path, foreign, records)
        assert response.status_code in {404, 422} or (
            method == "get" and path == "/api/v1/procedures" and response.json() == []
        ), f"{method.upper()} {path}: {response.status_code}"
    records["booking"].refresh_from_db()
    assert records["booking"].status == BookingStatus.CONFIRMED
    assert not records["slot"].bookings.exists()
    # Control: the same calls with the prefecture's own token reach the records.
    own = _token(prefecture)
    for method, path in operations:
        response = _call(client, method, path, own, records)
        assert response.status_code in {200, 201}, (
            f"{method.upper()} {path}: {response.status_code}"
        )


def test_a_revoked_token_is_refused_everywhere(client, prefecture, records):
    tokens.forget()
    token = _token(prefecture)
    assert _call(client, "get", "/api/v1/procedures", token, records).status_code == 200
    api_token = ApiToken.objects.get()
    api_token.revoked_at = timezone.now()
    api_token.save()
    for method, path in _partner_operations(client):
        response = _call(client, method, path, token, records)
        assert response.status_code == 401, f"{method.upper()} {path}: {response.status_code}"
    records["booking"].refresh_from_db()
    assert records["booking"].status == BookingStatus.CONFIRMED
