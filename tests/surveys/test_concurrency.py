"""Two agents typing the same paper coupon at the same moment: exactly one entry is kept.

The application checks for the serial first (for a clear message); the unique constraint
`one_entry_per_coupon` decides when both checks ran before either insert."""

import threading

import pytest
from django.db import connection

from engagements.surveys.models import Response
from engagements.surveys.services import SurveyError, enter_coupon
from tests.surveys.factories import CampaignFactory
from tests.tooling import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def _race(campaign, service, serial, *, after_check):
    """Run two entries of `serial`; both pass the pre-check before either inserts."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker():
        try:
            free = not Response.objects.filter(campaign=campaign, serial=serial).exists()
            barrier.wait(timeout=10)
            outcome = after_check(free)
        except SurveyError:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_same_serial_typed_at_once_is_kept_once(site, service):
    require_postgres()
    campaign = CampaignFactory(site=site, services=[service])
    serial = f"{campaign.pk}-0001"
    question = campaign.questionnaire.questions.get(code="global")

    def enter(free):
        enter_coupon(campaign, actor=None, service=service, serial=serial, values={question: 4})
        return "saved"

    assert _race(campaign, service, serial, after_check=enter) == ["refused", "saved"]
    assert Response.objects.filter(serial=serial).count() == 1


def test_control_the_pre_check_alone_would_let_both_through(site, service):
    """Without the constraint, both agents see the serial as free: the race is real."""
    require_postgres()
    campaign = CampaignFactory(site=site, services=[service])
    serial = f"{campaign.pk}-0002"
    assert _race(campaign, service, serial, after_check=lambda free: str(free)) == [
        "True",
        "True",
    ]
