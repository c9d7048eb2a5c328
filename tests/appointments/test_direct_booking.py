"""POST /api/v1/bookings is served by a plain Django view (issue 24: django-ninja's
per-request layer was a tenth of a booking's Python). It must answer every request exactly
as django-ninja's own view of the path does: same status, headers, body and records."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import resolve, reverse

from engagements.api import api
from engagements.appointments import admission
from engagements.appointments.models import Booking, BookingLog, Slot
from engagements.outbox.models import Delivery
from tests.appointments.factories import ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _ninja_view():
    return next(p.callback for p in api.urls[0] if str(p.pattern) == "bookings")


def _world(service, name):
    """A procedure and its slots, the same for both views but their own rows."""
    procedure = ProcedureFactory(service=service, name=name, capacity=3)
    slot = SlotFactory(procedure=procedure, capacity=3)
    small = SlotFactory(
        procedure=procedure, capacity=1, starts_at=slot.starts_at + timedelta(hours=2)
    )
    return {"procedure": procedure, "slot": slot, "small": small}


def _person(n):
    return {"first_name": "Ana", "last_name": f"Lopes {n}", "email": f"ana{n}@usager.test"}


def _booking(slot, n=1):
    return json.dumps({"slot_id": slot.pk, "person": _person(n), "answers": {"motif": "titre"}})


# Each scenario: the requests sent in turn, as (method, body, headers) built for one world.
SCENARIOS = {
    "booked": lambda w, t: [("post", _booking(w["slot"]), _auth(t))],
    "twice the same person": lambda w, t: [("post", _booking(w["slot"]), _auth(t))] * 2,
    "slot full": lambda w, t: [
        ("post", _booking(w["small"], 1), _auth(t)),
        ("post", _booking(w["small"], 2), _auth(t)),
    ],
    "unknown slot": lambda w, t: [
        ("post", json.dumps({"slot_id": 987654321, "person": _person(1)}), _auth(t))
    ],
    "invalid person": lambda w, t: [
        ("post", json.dumps({"slot_id": w["slot"].pk, "person": {"first_name": " "}}), _auth(t))
    ],
    "not JSON": lambda w, t: [("post", '{"slot_id": ', _auth(t))],
    "empty body": lambda w, t: [("post", "", _auth(t))],
    "no token": lambda w, t: [("post", _booking(w["slot"]), {})],
    "wrong token": lambda w, t: [("post", _booking(w["slot"]), _auth("nope"))],
    "basic scheme": lambda w, t: [
        ("post", _booking(w["slot"]), {"HTTP_AUTHORIZATION": f"Basic {t}"})
    ],
    "key kept and replayed": lambda w, t: [
        ("post", _booking(w["slot"]), _auth(t, key=f"{w['procedure'].name}-1")),
        ("post", _booking(w["slot"]), _auth(t, key=f"{w['procedure'].name}-1")),
        ("post", _booking(w["slot"], 2), _auth(t, key=f"{w['procedure'].name}-1")),
    ],
    "key not valid": lambda w, t: [("post", _booking(w["slot"]), _auth(t, key="a b"))],
    "other method": lambda w, t: [("get", None, _auth(t))],
}


EXPECTED = {
    "booked": [201],
    "twice the same person": [201, 409],
    "slot full": [201, 409],
    "unknown slot": [422],
    "invalid person": [422],
    "not JSON": [400],
    "empty body": [422],
    "no token": [401],
    "wrong token": [401],
    "basic scheme": [401],
    "key kept and replayed": [201, 201, 422],
    "key not valid": [422],
    "other method": [405],
}


def _auth(token, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def _send(view, method, body, headers):
    factory = RequestFactory()
    if method == "get":
        request = factory.get("/api/v1/bookings", **headers)
    else:
        request = factory.post("/api/v1/bookings", body, content_type="application/json", **headers)
    return view(request)


def _seen(response, world) -> dict:
    """What a client reads, with the values that differ from one world to the other (ids,
    references, the private link) named instead."""
    ids = {
        "slot_id": {world["slot"].pk: "<slot>", world["small"].pk: "<small>"},
        "procedure_id": {world["procedure"].pk: "<procedure>"},
    }
    secrets = {}
    for booking in Booking.objects.filter(procedure=world["procedure"]):
        secrets.update({booking.reference: "<reference>", booking.token: "<token>"})

    def named(value, key=""):
        if isinstance(value, dict):
            return {name: named(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [named(item) for item in value]
        if key in ids:
            return ids[key].get(value, value)
        if isinstance(value, str):
            for secret, name in secrets.items():
                value = value.replace(secret, name)
        return value

    text = response.content.decode()
    return {
        "status": response.status_code,
        "content_type": response["Content-Type"],
        "headers": {
            name: response.get(name) for name in ("Retry-After", "WWW-Authenticate", "Allow")
        },
        "body": named(json.loads(text)) if "json" in response["Content-Type"] else text,
    }


def _records(world) -> list:
    return sorted(
        (b.status, b.channel, b.partner, b.last_name, b.email, b.slot_id == world["small"].pk)
        for b in Booking.objects.filter(procedure=world["procedure"])
    )


def test_the_path_is_the_direct_view_under_ninja_s_name():
    match = resolve("/api/v1/bookings")
    assert (match.func.__module__, match.func.__name__) == ("engagements.appointments.api", "book")
    assert match.view_name == "api:create_booking"  # the metrics' label, as before
    assert reverse("api:create_booking") == "/api/v1/bookings"


def test_a_direct_view_for_a_path_no_operation_has_is_refused(monkeypatch):
    from engagements import api as api_module

    monkeypatch.setitem(api_module.direct_views, "bookingz", api_module.direct_views["bookings"])
    with pytest.raises(ImproperlyConfigured, match="bookingz"):
        api_module.urls()


def test_two_direct_views_for_one_path_are_refused(monkeypatch):
    from engagements import api as api_module

    monkeypatch.setattr(api_module, "direct_views", dict(api_module.direct_views))
    booking_view = api_module.direct_views["bookings"]
    with pytest.raises(ImproperlyConfigured, match="other.api.*bookings"):
        api_module.add_direct_views({"bookings": lambda api, view: view}, "other.api")
    assert api_module.direct_views["bookings"] is booking_view
    api_module.add_direct_views({"other": lambda api, view: view}, "other.api")
    assert "other" in api_module.direct_views


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_direct_view_answers_as_ninja_s_own_view(scenario, service, token):
    direct, ninja = resolve("/api/v1/bookings").func, _ninja_view()
    worlds = {"direct": _world(service, "direct"), "ninja": _world(service, "ninja")}
    answers = {}
    for name, view in (("direct", direct), ("ninja", ninja)):
        world = worlds[name]
        answers[name] = [
            _seen(_send(view, *request), world) for request in SCENARIOS[scenario](world, token)
        ]
    assert [answer["status"] for answer in answers["direct"]] == EXPECTED[scenario]
    assert answers["direct"] == answers["ninja"]
    assert _records(worlds["direct"]) == _records(worlds["ninja"])
    for name in answers:
        procedure = worlds[name]["procedure"]
        bookings = Booking.objects.filter(procedure=procedure)
        assert BookingLog.objects.filter(booking__in=bookings).count() == bookings.count()
        assert Delivery.objects.filter(record_id__in=bookings.values("pk")).count() == (
            bookings.count()
        )
        taken = sum(Slot.objects.filter(procedure=procedure).values_list("booked", flat=True))
        assert taken == bookings.count()


def test_an_overloaded_server_answers_as_ninja_does(service, token, settings):
    settings.BOOKING_MAX_IN_FLIGHT = 1
    direct, ninja = resolve("/api/v1/bookings").func, _ninja_view()
    world = _world(service, "busy")
    place = admission._semaphore()
    assert place.acquire(blocking=False)  # another booking in flight on this server
    try:
        seen = [
            _seen(_send(view, "post", _booking(world["slot"]), _auth(token)), world)
            for view in (direct, ninja)
        ]
    finally:
        place.release()
    assert seen[0] == seen[1]
    assert seen[0]["status"] == 503 and seen[0]["body"]["code"] == "overloaded"
    assert seen[0]["headers"]["Retry-After"]
    assert not Booking.objects.exists()
