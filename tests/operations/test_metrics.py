"""`/metrics`: Prometheus text after a booking (made, refused 409, 503) and a failed
delivery; 403 for an address that is not listed, even through a trusted proxy."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from engagements.appointments import admission
from engagements.correspondence.models import Mailbox
from engagements.correspondence.services.ingestion import fetch_mailbox, quarantine
from engagements.outbox import services as outbox
from engagements.outbox.enums import Status
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.mail import free_port

pytestmark = pytest.mark.django_db


def series(text: str) -> dict[str, float]:
    """{'name{labels}': value} of a Prometheus text answer."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


def value(values: dict[str, float], name: str, **labels) -> float:
    """The value of one series (labels in any order); KeyError when absent."""
    for key, number in values.items():
        match = re.fullmatch(r"([^{]+)(?:\{(.*)\})?", key)
        if match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return number
    raise KeyError(f"{name} {labels} not in the metrics")


def scrape(client, **extra) -> dict[str, float]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return series(response.content.decode())


@pytest.fixture
def api(client, prefecture):
    out = io.StringIO()
    call_command("create_api_token", "--prefecture", prefecture.slug, "--name", "FS", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]

    def book(slot, n):
        person = {"first_name": "Ana", "last_name": f"Lopes{n}", "email": f"ana{n}@usager.test"}
        return client.post(
            "/api/v1/bookings",
            data={"slot_id": slot.pk, "person": person, "answers": {}},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    return book


def test_metrics_after_a_booking_and_a_failed_delivery(client, api, service, prefecture, settings):
    before = scrape(client)
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=1))
    assert api(slot, 1).status_code == 201
    assert api(slot, 2).status_code == 409  # full
    settings.BOOKING_MAX_IN_FLIGHT = 1
    with admission.admitted():  # the one place in flight is taken
        assert api(slot, 3).status_code == 503

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    delivery = outbox.queue_mail(
        "mail/notice",
        {"subject": "Votre demande", "text": "Bonjour"},
        ["camille@exemple.fr"],
        prefecture=prefecture,
        record=prefecture,
        purpose="test",
    )
    now = timezone.now()
    for _ in range(outbox.MAX_ATTEMPTS):
        now += timedelta(hours=7)
        outbox.deliver(delivery.pk, now=now)
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED

    mailbox = Mailbox.objects.create(
        prefecture=prefecture,
        site=service.site,
        label="Boîte",
        host="127.0.0.1",
        port=free_port(),
        use_ssl=False,
        username="u",
        password="p",
    )
    assert fetch_mailbox(mailbox)[0] is None  # nothing listens: a failed reading
    quarantine(mailbox, 1, 7, b"Subject: ?\r\n\r\n\xff", "unreadable")  # put aside

    after = scrape(client)

    def grew(name, by=1, **labels):
        try:
            old = value(before, name, **labels)
        except KeyError:
            old = 0.0
        assert value(after, name, **labels) - old == by, (name, labels)

    grew("engagements_bookings_made_total", channel="api")
    grew("engagements_bookings_refused_total", code="full")
    grew("engagements_booking_conflicts_total", code="full")
    grew("engagements_bookings_overloaded_total")
    grew("engagements_mailbox_runs_total", outcome="error")
    grew("engagements_mails_quarantined_total")
    view = "api:create_booking"
    grew("engagements_http_requests_total", view=view, method="POST", status="201")
    grew("engagements_http_requests_total", view=view, method="POST", status="409")
    grew("engagements_http_requests_total", view=view, method="POST", status="503")
    grew("engagements_http_request_duration_seconds_count", by=3, view=view)
    assert value(after, "engagements_http_request_duration_seconds_bucket", view=view, le="+Inf")

    assert value(after, "engagements_outbox_failed") == 1
    assert value(after, "engagements_outbox_pending") == 1  # the booking's confirmation
    assert value(after, "engagements_outbox_oldest_pending_age_seconds") >= 0
    assert value(after, "engagements_waiting_room_queue") == 0
    assert value(after, "engagements_mails_quarantined_pending") == 1
    assert value(after, "engagements_mailboxes_failing") == 1
    assert value(after, "engagements_jobs_queued") >= 0
    assert value(after, "engagements_jobs_failed") >= 0
    assert value(after, "engagements_database_up") == 1
    assert "engagements_database_errors_total" in after


def test_metrics_refused_to_an_address_not_listed(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_through_a_local_proxy_the_client_address_counts(client, settings):
    """nginx on the same machine is 127.0.0.1: the address it appends decides, and a
    forged first hop does not open the metrics."""
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    forged = "127.0.0.1, 203.0.113.9"
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR=forged).status_code == 403
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


def test_a_database_that_does_not_answer_is_counted(client, monkeypatch):
    from engagements.outbox import queries

    before = value(scrape(client), "engagements_database_errors_total")

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(queries, "queue_health", down)
    after = scrape(client)
    assert value(after, "engagements_database_up") == 0
    assert value(after, "engagements_database_errors_total") == before + 1


def test_a_request_failing_on_the_database_is_counted(client, settings):
    before = value(scrape(client), "engagements_database_errors_total")
    settings.ROOT_URLCONF = "tests.operations.failing_urls"
    failing = Client(raise_request_exception=False)
    assert failing.get("/database-down/").status_code == 500
    assert failing.get("/boom/").status_code == 500  # not a database error
    settings.ROOT_URLCONF = "engagements.urls"
    assert value(scrape(client), "engagements_database_errors_total") == before + 1


def test_the_setting_refuses_what_is_not_an_address():
    from django.core.exceptions import ImproperlyConfigured

    from engagements.settings import _trusted_proxies

    with pytest.raises(ImproperlyConfigured, match="METRICS_ALLOWED_IPS"):
        _trusted_proxies("127.0.0.1,localhost", "METRICS_ALLOWED_IPS")
