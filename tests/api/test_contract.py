"""The API answers what its schema says: bounded inputs, 4xx (never 500) for bad ones, every
error in the `{"code", "detail"}` shape (plus `errors` for 422), every status documented."""

import json

import pytest

from engagements.appointments.models import Booking
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.factories import PrefectureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    return PrefectureFactory(slug="demo")


@pytest.fixture
def post_booking(client, token):
    def post(data, raw=None):
        return client.post(
            "/api/v1/bookings",
            data=raw if raw is not None else data,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    return post


def _is_error(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["code"], str) and isinstance(body["detail"], str), body
    if code:
        assert body["code"] == code
    return body


@pytest.mark.parametrize("year", ["0", "-1", "10000", "99999999999", "1999", "2101"])
def test_a_year_out_of_range_is_422_without_authentication(client, demo, year):
    body = _is_error(client.get(f"/api/v1/prefectures/demo/correspondence/{year}"), 422)
    assert body["code"] == "invalid"
    assert [e["field"] for e in body["errors"]] == ["path.year"]


def test_a_sane_year_answers_and_a_date_out_of_range_does_not(client, demo):
    assert client.get("/api/v1/prefectures/demo/correspondence/2025").status_code == 200
    response = client.get("/api/v1/prefectures/demo/correspondence/2025?at=0001-01-01")
    assert _is_error(response, 422)["errors"][0]["field"] == "query.at"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/prefectures/de%00mo",
        "/api/v1/prefectures/" + "a" * 101,
        "/api/v1/prefectures/demo/surveys/0/report",
        "/api/v1/prefectures/demo/surveys/99999999999999999999/report",
        "/api/v1/prefectures/de%00mo/correspondence/2025",
    ],
)
def test_bad_path_parameters_are_422(client, demo, path):
    _is_error(client.get(path), 422, "invalid")


def test_unknown_things_are_404_in_the_error_shape(client, demo):
    _is_error(client.get("/api/v1/prefectures/nope"), 404, "not_found")
    _is_error(client.get("/api/v1/prefectures/demo/surveys/12/report"), 404, "not_found")
    _is_error(client.get("/api/v1/prefectures/nope/correspondence/2025"), 404, "not_found")


def test_missing_token_is_401_in_the_error_shape(client):
    response = client.get("/api/v1/procedures")
    _is_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"


def test_slots_bounds(client, token, service):
    procedure = ProcedureFactory(service=service)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/procedures/{procedure.pk}/slots"
    _is_error(client.get(f"{url}?start=9999-12-31&end=9999-12-31", **auth), 422)
    _is_error(client.get(f"{url}?start=2026-01-10&end=2026-01-01", **auth), 422)
    days = "start=2026-01-01&end=2026-01-02"
    _is_error(client.get(f"/api/v1/procedures/0/slots?{days}", **auth), 422)
    _is_error(client.get(f"/api/v1/procedures/{procedure.pk + 1000}/slots?{days}", **auth), 404)
    _is_error(client.delete("/api/v1/bookings/AB%00CD", **auth), 422)
    _is_error(client.delete("/api/v1/bookings/ABCDEFGH", **auth), 404)


def _booking(slot, **changes):
    person = {"first_name": "Ana", "last_name": "Lopes", "email": "ana@usager.test"}
    data = {"slot_id": slot.pk, "person": person, "answers": {"motif": "renouvellement"}}
    for key, value in changes.items():
        if key in ("first_name", "last_name", "email", "phone", "permit_expires_on"):
            person[key] = value
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"first_name": "An\x00a"}, "body.person.first_name"),
        ({"last_name": "   "}, "body.person.last_name"),
        ({"email": "ana\x00@usager.test"}, "body.person.email"),
        ({"email": "rep1@exemple\u0095.fr"}, "body.person.email"),
        ({"phone": "=HYPERLINK(1)"}, "body.person.phone"),
        ({"permit_expires_on": "0001-01-01"}, "body.person.permit_expires_on"),
        ({"answers": {"motif": "a\x00b"}}, "body.answers.motif"),
        ({"answers": {"mo\x00tif": "ab"}}, "body.answers"),
        ({"answers": {"motif": {"nested": "object"}}}, "body.answers.motif"),
        ({"answers": {f"q{n}": "x" for n in range(21)}}, "body.answers"),
        ({"slot_id": 0}, "body.slot_id"),
        ({"slot_id": 10**30}, "body.slot_id"),
    ],
)
def test_bad_bookings_are_422_with_the_field(post_booking, service, changes, field):
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    body = _is_error(post_booking(_booking(slot, **changes)), 422, "invalid")
    assert field in [e["field"].split(".motif.")[0] for e in body["errors"]] or any(
        e["field"].startswith(field) for e in body["errors"]
    ), body
    assert Booking.objects.count() == 0


def test_a_five_megabyte_answers_object_is_refused(post_booking, service):
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    big = {"motif": "x" * (5 * 1024 * 1024)}
    _is_error(post_booking(_booking(slot, answers=big)), 422, "invalid")
    many = {f"k{n}": "x" * 1000 for n in range(5000)}
    _is_error(post_booking(_booking(slot, answers=many)), 422, "invalid")
    assert Booking.objects.count() == 0


def test_a_request_body_that_is_not_json_is_400(post_booking):
    _is_error(post_booking(None, raw="{not json"), 400, "bad_request")


def test_a_body_over_the_upload_limit_is_413(post_booking, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    raw = json.dumps({"slot_id": 1, "person": {}, "answers": {"motif": "x" * 2048}})
    _is_error(post_booking(None, raw=raw), 413, "too_large")


def test_a_good_booking_still_goes_through(post_booking, service):
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    response = post_booking(_booking(slot, answers={"motif": "renouvellement", "n": 2, "ok": True}))
    assert response.status_code == 201, response.content
    assert Booking.objects.get().answers == {"motif": "renouvellement", "n": 2, "ok": True}


def test_every_status_is_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            has_params = "{" in path or operation.get("parameters") or "requestBody" in operation
            if has_params:
                assert "422" in statuses, (method, path)
            if operation.get("security"):
                assert "401" in statuses, (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = json.dumps(response["content"]["application/json"]["schema"])
                    assert "ErrorOut" in ref or "ConflictOut" in ref, (method, path, status)
    errors = schema["components"]["schemas"]["ValidationErrorOut"]
    assert {"code", "detail", "errors"} <= set(errors["properties"])


def test_the_docs_page_loads_nothing_from_elsewhere(client):
    response = client.get("/api/v1/docs")
    if response.status_code == 404:
        return
    page = response.content.decode()
    assert "cdn" not in page.lower() and "https://" not in page
