"""Issue 20, rows 8 and 9: the API answers in its own shape when the database is lost, and
its 422 details carry no Python internals."""

import json

import pytest
from django.db import InterfaceError, OperationalError, connection

from tests.appointments.factories import ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _lost(error):
    def wrapper(execute, sql, params, many, context):
        raise error("server closed the connection unexpectedly")

    return wrapper


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_lost_during_a_partner_call_is_a_json_503_with_retry_after(
    client, token, prefecture, error
):
    slot = SlotFactory(procedure=ProcedureFactory(service__site__prefecture=prefecture))
    body = {"slot_id": slot.pk, "person": {"first_name": "Léa", "last_name": "Fictive"}}
    with connection.execute_wrapper(_lost(error)):
        response = client.post(
            "/api/v1/bookings",
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
        listing = client.get("/api/v1/prefectures")
    for answer in (response, listing):
        assert answer.status_code == 503, answer.content
        assert answer["Content-Type"].startswith("application/json")
        assert answer["Retry-After"].isdigit()
        assert answer.json()["code"] == "unavailable"


def test_every_operation_documents_the_503(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path.endswith(("/openapi.json", "/docs")):
                continue
            assert "503" in operation["responses"], (method, path)


def _fields_and_messages(response) -> str:
    assert response.status_code == 422, response.content
    return json.dumps(response.json(), ensure_ascii=False)


def test_422_details_carry_no_python_internals(client, token, prefecture):
    slot = SlotFactory(procedure=ProcedureFactory(service__site__prefecture=prefecture))
    person = {"first_name": "Léa", "last_name": "Fictive"}
    answers = [
        client.post(
            "/api/v1/bookings",
            data={"slot_id": slot.pk, "person": person},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY="k" * 300,
        ),
        client.post(
            "/api/v1/bookings",
            data={
                "slot_id": slot.pk,
                "person": {**person, "permit_expires_on": "0001-01-01", "first_name": "x" * 300},
                "answers": {"a": "x" * 2000, "b": [1]},
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ),
        client.get(f"/api/v1/prefectures/{prefecture.slug}/correspondence/2025?at=9999-01-01"),
    ]
    for answer in answers:
        text = _fields_and_messages(answer)
        for internal in ("functools", "partial", "0x", "<function", "function-after"):
            assert internal not in text, text
        fields = [line["field"] for line in answer.json()["errors"]]
        assert len(fields) == len(set(fields)), fields  # a union's branches give one line


def test_the_schema_states_the_date_bounds_of_every_input(client):
    schema = client.get("/api/v1/openapi.json").json()
    dates = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("format") == "date":
                dates.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for operations in schema["paths"].values():
        for operation in operations.values():
            walk(operation.get("parameters", []))
    walk({k: v for k, v in schema["components"]["schemas"].items() if k.endswith("In")})
    assert len(dates) >= 4  # at, start, end, permit_expires_on
    for node in dates:
        assert "pattern" in node and "2100" in node["pattern"], node
