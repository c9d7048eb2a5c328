"""Issue 20, rows 10 and 14: a body announced too large is refused before it is read, and
a deliberate 503 (admission control) is a counted WARNING, not an ERROR."""

import io
import logging

import pytest
from django.urls import reverse

from engagements.appointments import admission, tokens

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class NeverRead(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


def _post(client, url, length):
    return client.generic(
        "POST",
        url,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": NeverRead()},
    )


def test_the_upload_limits_are_set(settings):
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * MB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 20 * MB
    assert settings.PUBLIC_MAX_REQUEST_BODY < 10 * MB < settings.MAX_REQUEST_BODY


def test_a_200_mb_upload_on_the_public_follow_page_is_refused_before_it_is_read(client, prefecture):
    url = reverse("correspondence:follow", args=[prefecture.slug, "1:x"])
    response = _post(client, url, 200 * MB)
    assert response.status_code == 413
    assert "trop volumineux" in response.content.decode()
    # 7 MB is already too much for a public page (one 5 MB document and its form).
    assert _post(client, url, 7 * MB).status_code == 413


def test_the_api_answers_413_in_its_shape(client):
    response = _post(client, "/api/v1/bookings", 7 * MB)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_agents_pages_take_an_import_but_not_more(client, prefecture):
    url = reverse("correspondence:agents-new", args=[prefecture.slug])
    # 20 MB passes the limit (the login redirect answers; the body is not read by then).
    assert _post(client, url, 20 * MB).status_code == 302
    assert _post(client, url, 200 * MB).status_code == 413


def test_an_admission_refusal_is_a_counted_warning_not_an_error(client, service, settings, caplog):
    from django.core.management import call_command

    from tests.appointments.factories import ProcedureFactory, SlotFactory

    tokens.forget()
    out = io.StringIO()
    call_command(
        "create_api_token", "--prefecture", service.site.prefecture.slug, "--name", "FS", stdout=out
    )
    token = out.getvalue().strip().splitlines()[-1]
    settings.BOOKING_MAX_IN_FLIGHT = 1
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    body = {
        "slot_id": slot.pk,
        "person": {"first_name": "Ana", "last_name": "L", "email": "a@usager.test"},
    }
    caplog.set_level(logging.INFO)
    with admission.admitted():
        for _ in range(2):
            response = client.post(
                "/api/v1/bookings", body, content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )  # fmt: skip
            assert response.status_code == 503
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    refusals = [r for r in caplog.records if hasattr(r, "refused_total")]
    assert [r.levelno for r in refusals] == [logging.WARNING, logging.WARNING]
    assert refusals[1].refused_total == refusals[0].refused_total + 1


class Counted(io.BytesIO):
    """A request body that remembers how much of it was read."""


def test_a_body_the_answer_did_not_need_is_read_to_its_end(client):
    """A form refused before it is read (here: no CSRF cookie) still has its body read to
    the end: gunicorn closes the connection after the answer, and unread bytes would turn
    that close into a reset, which nginx (still sending the body) reports as a 502 instead
    of the French 403 page."""
    from django.test import Client

    boundary = "engagements"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="piece"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"x" * (5 * MB)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    stream = Counted(body)
    response = Client(enforce_csrf_checks=True).generic(
        "POST",
        "/healthz",
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 403
    assert stream.tell() == len(body)


def test_a_body_refused_as_too_large_is_still_never_read(client):
    response = _post(client, "/healthz", 30 * MB)
    assert response.status_code == 413 and response["Connection"] == "close"
