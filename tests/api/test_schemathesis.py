"""Schemathesis over the whole API (/api/v1/openapi.json), in-process through WSGI (no
network): no server error, responses and statuses as the schema says.

Bounded and reproducible: a few examples per operation, derandomized (a fixed seed). The
generated requests are steered half of the time towards real data (the "demo" prefecture,
a real slot, campaign and booking reference), and carry a partner's token, so that the
authenticated and the successful paths are exercised, not only the 404s.
"""

import io
import zlib
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.correspondence.factories import MessageFactory
from tests.factories import PrefectureFactory, ServiceFactory, SiteFactory
from tests.surveys.factories import CampaignFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def schema_valid_requests_pass_validation(ctx, response, case):
    """ST202 (`positive_data_acceptance`): a request the schema allows is never refused by
    the input validation, i.e. the schema states every bound the server enforces (dates
    from 2000 to 2100…). A 422 without field `errors` is a rule the schema cannot express
    (an unknown slot, a period over 62 days, "an e-mail or a telephone"), named in the
    `detail` and allowed."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 422 and response.json().get("errors") == []:
            return None
        raise


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    schema_valid_requests_pass_validation,  # ST202 (issue 20)
]


@pytest.fixture
def api_data(db):
    prefecture = PrefectureFactory(slug="demo")
    site = SiteFactory(prefecture=prefecture, slug="lysville", with_hours=True)
    service = ServiceFactory(site=site, slug="sejour")
    procedure = ProcedureFactory(service=service, capacity=50)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    slots = [SlotFactory(procedure=procedure, starts_at=start + timedelta(hours=h)) for h in (0, 1)]
    booking = BookingFactory(slot=slots[1])
    campaign = CampaignFactory(site=site, services=[service])
    MessageFactory(service=service)
    out = io.StringIO()
    call_command("create_api_token", "--prefecture", "demo", "--name", "FS", stdout=out)
    return {
        "token": out.getvalue().strip().splitlines()[-1],
        "slug": "demo",
        "procedure_id": procedure.pk,
        "slot_id": slots[0].pk,
        "campaign_id": campaign.pk,
        "reference": booking.reference,
    }


# Loaded at collection: the schema itself needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


def _steer(case, data) -> None:
    """Point about half of the generated requests at the real data (deterministically)."""
    for name, value in list((case.path_parameters or {}).items()):
        if name in data and zlib.crc32(str(value).encode()) % 2 == 0:
            case.path_parameters[name] = data[name]
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("slot_id"), int) and body["slot_id"] % 2:
        body["slot_id"] = data["slot_id"]


@pytest.fixture
def keep_connection():
    """Like Django's test client: the end of a request must not close the test's connection."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case, api_data, keep_connection):
    _steer(case, api_data)
    case.call_and_validate(headers={"Authorization": f"Bearer {api_data['token']}"}, checks=CHECKS)
